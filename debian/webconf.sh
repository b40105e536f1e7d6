#!/bin/sh
# debian/webconf.sh - install the web server and systemd configurations of
# the package, made from the tested files of fcgi-conf/ (exercised by
# `make check` against real servers) with the few changes Debian needs:
#
#   fcgi-conf/apache-mod_fcgid.conf -> /etc/apache2/conf-available/jwtsign.conf
#       the whole file inside <IfModule mod_fcgid.c> (Debian's Apache
#       packaging rule: `a2enconf jwtsign` without mod_fcgid must not break
#       the server), a header saying how to enable it
#   fcgi-conf/lighttpd.conf -> /etc/lighttpd/conf-available/50-jwtsign.conf
#       unchanged below a header (it loads mod_fastcgi itself)
#   debian/nginx-snippet.conf -> /etc/nginx/snippets/jwtsign.conf
#       the location block of fcgi-conf/nginx.conf with Debian's
#       fastcgi_params instead of the inline list
#   fcgi-conf/jwtsign-fcgi.{socket,service} -> /lib/systemd/system/
#       the service runs as a dynamic user (DynamicUser=yes) in group
#       www-data instead of a "jwtsign" account the package would have to
#       create (and purge could not remove safely); Debian headers
#
# Usage: debian/webconf.sh SRCDIR DESTDIR   (from debian/rules)
# Fails when an expected line of fcgi-conf/ is missing, so a change there
# is noticed at build time rather than shipped half-adapted.
set -eu

src=$1
dest=$2
conf=$src/fcgi-conf

die() {
	echo "debian/webconf.sh: $*" >&2
	exit 1
}

for f in apache-mod_fcgid.conf lighttpd.conf jwtsign-fcgi.socket jwtsign-fcgi.service; do
	[ -f "$conf/$f" ] || die "missing $conf/$f"
done
grep -q '^[[:space:]]*Define JWTSIGN_BIN /usr/bin/jwtsign$' "$conf/apache-mod_fcgid.conf" ||
	die "apache-mod_fcgid.conf: no 'Define JWTSIGN_BIN /usr/bin/jwtsign'"
grep -q '^[[:space:]]*Define JWTSIGN_CONFIG /etc/jwtsign/jwtsign.json$' "$conf/apache-mod_fcgid.conf" ||
	die "apache-mod_fcgid.conf: no 'Define JWTSIGN_CONFIG /etc/jwtsign/jwtsign.json'"
grep -q '"bin-path" => "/usr/bin/jwtsign"' "$conf/lighttpd.conf" ||
	die "lighttpd.conf: bin-path is not /usr/bin/jwtsign"
grep -q '"JWTSIGN_CONFIG" => "/etc/jwtsign/jwtsign.json"' "$conf/lighttpd.conf" ||
	die "lighttpd.conf: JWTSIGN_CONFIG is not /etc/jwtsign/jwtsign.json"
grep -q '^ListenStream=/run/jwtsign/jwtsign.sock$' "$conf/jwtsign-fcgi.socket" ||
	die "jwtsign-fcgi.socket: ListenStream is not /run/jwtsign/jwtsign.sock"
grep -q 'unix:/run/jwtsign/jwtsign.sock;' "$src/debian/nginx-snippet.conf" ||
	die "nginx-snippet.conf: fastcgi_pass is not the socket unit's"
for l in '^ExecStart=/usr/bin/multiwatch -f 4 -- /usr/bin/jwtsign$' '^ExecReload=/bin/kill -USR2 $MAINPID$' '^User=jwtsign$' '^Group=jwtsign$' '^LimitCORE=0$' \
	'^Environment=JWTSIGN_CONFIG=/etc/jwtsign/jwtsign.json$'; do
	[ "$(grep -c "$l" "$conf/jwtsign-fcgi.service")" = 1 ] ||
		die "jwtsign-fcgi.service: expected exactly one line matching $l"
done

install -d "$dest/etc/apache2/conf-available" "$dest/etc/lighttpd/conf-available" \
	"$dest/etc/nginx/snippets" "$dest/lib/systemd/system"

# body FILE: FILE without its leading block of comment lines.
body() { awk 'started || !/^#/ { started = 1; print }' "$1"; }
# head_comments FILE: the leading block of comment lines of FILE.
head_comments() { awk '!/^#/ { exit } { print }' "$1"; }

# ---- Apache
{
	cat <<'EOF'
# /etc/apache2/conf-available/jwtsign.conf - from the jwtsign package.
# Enable:  a2enmod fcgid && a2enconf jwtsign && systemctl reload apache2
# (installing libapache2-mod-fcgid enables fcgid).  Without mod_fcgid this
# file does nothing.  jwtsign loads a changed /etc/jwtsign/jwtsign.json
# or key by itself, within a second.
# The mod_cgi variant: /usr/share/doc/jwtsign/examples/apache-cgi.conf.
#
EOF
	head_comments "$conf/apache-mod_fcgid.conf"
	echo
	echo '<IfModule mod_fcgid.c>'
	body "$conf/apache-mod_fcgid.conf"
	echo '</IfModule>'
} >"$dest/etc/apache2/conf-available/jwtsign.conf"

# ---- lighttpd
{
	cat <<'EOF'
# /etc/lighttpd/conf-available/50-jwtsign.conf - from the jwtsign package.
# Enable:  lighty-enable-mod jwtsign && systemctl force-reload lighttpd
# jwtsign loads a changed /etc/jwtsign/jwtsign.json or key by itself,
# within a second; it logs to /var/log/jwtsign/jwtsign.log.  The mod_cgi variant:
# /usr/share/doc/jwtsign/examples/lighttpd-cgi.conf.
#
EOF
	cat "$conf/lighttpd.conf"
} >"$dest/etc/lighttpd/conf-available/50-jwtsign.conf"

# ---- nginx
cp "$src/debian/nginx-snippet.conf" "$dest/etc/nginx/snippets/jwtsign.conf"

# ---- systemd
{
	cat <<'EOF'
# jwtsign-fcgi.socket - from the jwtsign package, not enabled.  The
# FastCGI socket that nginx's "fastcgi_pass unix:/run/jwtsign/jwtsign.sock"
# connects to (/etc/nginx/snippets/jwtsign.conf): systemd creates it and
# starts jwtsign-fcgi.service on the first connection; the socket stays
# open across restarts of the service, so requests queue instead of
# failing.  Enable:  systemctl enable --now jwtsign-fcgi.socket
EOF
	body "$conf/jwtsign-fcgi.socket"
} >"$dest/lib/systemd/system/jwtsign-fcgi.socket"

{
	cat <<'EOF'
# jwtsign-fcgi.service - from the jwtsign package, not enabled: jwtsign as
# a FastCGI responder on the socket of jwtsign-fcgi.socket (nginx),
# started on the first request.  Enable:
#   systemctl enable --now jwtsign-fcgi.socket
# It runs as a dynamic user "jwtsign" (DynamicUser=yes: no account is
# created) in the supplementary group www-data, which may read
# /etc/jwtsign/*.json (mode 0640 root:www-data).  A changed
# configuration or key is loaded within a second; at once, checked first:
#   systemctl reload jwtsign-fcgi.service
# systemd stops it with SIGTERM;
# jwtsign finishes the request in flight and exits 0.  Logs: journalctl -u
# jwtsign-fcgi.  4 workers under multiwatch (package multiwatch); without
# systemd: /usr/share/doc/jwtsign/examples/jwtsign-spawn.
EOF
	body "$conf/jwtsign-fcgi.service" |
		sed -e 's/^User=jwtsign$/DynamicUser=yes\nUser=jwtsign/' \
			-e 's/^Group=jwtsign$/Group=jwtsign\nSupplementaryGroups=www-data/'
} >"$dest/lib/systemd/system/jwtsign-fcgi.service"

grep -q '^DynamicUser=yes$' "$dest/lib/systemd/system/jwtsign-fcgi.service" ||
	die "jwtsign-fcgi.service: DynamicUser=yes was not added"
grep -q '^SupplementaryGroups=www-data$' "$dest/lib/systemd/system/jwtsign-fcgi.service" ||
	die "jwtsign-fcgi.service: SupplementaryGroups=www-data was not added"
chmod 0644 "$dest/etc/apache2/conf-available/jwtsign.conf" \
	"$dest/etc/lighttpd/conf-available/50-jwtsign.conf" \
	"$dest/etc/nginx/snippets/jwtsign.conf" \
	"$dest/lib/systemd/system/jwtsign-fcgi.socket" \
	"$dest/lib/systemd/system/jwtsign-fcgi.service"
