#!/bin/bash
# tests/package/install-purge.sh - the Debian package on this machine:
# build it (scripts/build-deb), install it with dpkg -i, check what it
# installed and that it enabled and started nothing, enable the Apache
# configuration with a2enconf, run Apache on 127.0.0.1 (a free port) with
# the system's configuration tree, get tokens signed for the reference
# example from a stub login backend, then `apt-get purge` and check that
# nothing of jwtsign's is left outside /var/log.
#
#   tests/package/install-purge.sh [--deb FILE]
#
#   --deb FILE   test this package instead of building one
#
# Runs as root only (it installs the package system-wide; CI runs it from
# .ci/run): exit 77 otherwise, and exit 99 when jwtsign is already
# installed (the test would purge someone's installation; set
# JWTSIGN_PACKAGE_TEST_FORCE=1 to purge it first).  Never touches port 80
# nor the system's Apache service: its Apache is a separate instance
# (own Listen 127.0.0.1:PORT, PidFile, logs, mod_fcgid sockets in a
# temporary directory) that reads /etc/apache2's modules and
# conf-enabled/, i.e. exactly what `a2enconf jwtsign` enabled.  Every
# wait is bounded; on any exit the processes it started are stopped, the
# package is purged if the test installed it, and the temporary directory
# is removed (KEEP_TMP=1 keeps it; it is kept when a check fails).
# Environment: DEB_BUILD_OPTIONS for the build (default: nocheck, since
# CI's scripts/test runs the unit tests already; JWTSIGN_DEB_CHECK=1
# runs them in the build too).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
IT=$SRC/tests/integration
NAME=install-purge
DEB=""

while [ $# -gt 0 ]; do
	case $1 in
	--deb)
		DEB=${2:?--deb needs a file}
		shift
		;;
	-h | --help)
		sed -n '2,30s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "$NAME: unknown argument: $1" >&2
		exit 64
		;;
	esac
	shift
done

log() { printf '%s: %s\n' "$NAME" "$*"; }
skip() {
	log "SKIP: $*"
	exit 77
}
hard_error() {
	log "ERROR: $*"
	exit 99
}

[ "$(id -u)" -eq 0 ] || skip "must run as root (installs the package system-wide)"
command -v dpkg >/dev/null 2>&1 || skip "not a Debian system"

# ---------------------------------------------------------------- checks
checks=0
failures=0
pass() {
	checks=$((checks + 1))
	printf 'ok %d - %s\n' "$checks" "$*"
}
fail() {
	local f
	checks=$((checks + 1))
	failures=$((failures + 1))
	printf 'not ok %d - %s\n' "$checks" "$1"
	shift
	for f in "$@"; do
		[ -e "$f" ] || continue
		printf -- '--- %s:\n' "$f"
		tail -c 4000 "$f" | cat -v
		printf '\n--- end\n'
	done
}
# check DESC CMD...: pass when CMD succeeds (its output is shown otherwise).
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		[ -n "$out" ] && printf '%s\n' "$out" | head -40
	fi
	return 0
}

pkg_status() { dpkg-query -W -f='${db:Status-Abbrev}' jwtsign 2>/dev/null | tr -d ' '; }

# ---------------------------------------------------------------- state, cleanup
T=$(mktemp -d "${TMPDIR:-/tmp}/jwtsign-$NAME.XXXXXX") || hard_error "mktemp failed"
chmod 755 "$T"
APACHE_PID=""
STUB_PID=""
INSTALLED_BY_US=no
ENABLED_CONF=no

# stop_pid PID: TERM, wait up to 10 s, then KILL.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# our_jwtsign_pids: processes running the packaged /usr/bin/jwtsign (only
# this test starts it: the package starts nothing).
our_jwtsign_pids() {
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in
		/usr/bin/jwtsign | "/usr/bin/jwtsign (deleted)") echo "${p#/proc/}" ;;
		esac
	done
}

stop_apache() {
	local left p i
	[ -n "$APACHE_PID" ] || return 0
	stop_pid "$APACHE_PID"
	APACHE_PID=""
	# mod_fcgid stops its jwtsign processes with the server.
	for ((i = 0; i < 100; i++)); do
		left=$(our_jwtsign_pids)
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	log "jwtsign processes left after Apache stopped: $left (killing them)"
	for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
	return 1
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_apache || true
	[ -n "$STUB_PID" ] && stop_pid "$STUB_PID"
	if [ "$INSTALLED_BY_US" = yes ] && [ -n "$(pkg_status)" ] && [ "$(pkg_status)" != un ]; then
		log "cleanup: purging the package installed by this test"
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq jwtsign >>"$T/cleanup.log" 2>&1 ||
			dpkg --purge jwtsign >>"$T/cleanup.log" 2>&1 || true
	fi
	if [ "$ENABLED_CONF" = yes ] && [ -L /etc/apache2/conf-enabled/jwtsign.conf ]; then
		rm -f /etc/apache2/conf-enabled/jwtsign.conf
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		log "state kept in $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- preconditions
case $(pkg_status) in
"" | un | pn) ;;
*)
	if [ "${JWTSIGN_PACKAGE_TEST_FORCE:-0}" = 1 ]; then
		log "jwtsign is installed ($(pkg_status)): purging it first (JWTSIGN_PACKAGE_TEST_FORCE=1)"
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq jwtsign >/dev/null ||
			hard_error "could not purge the installed jwtsign"
	else
		hard_error "jwtsign is already installed ($(pkg_status)); this test would purge it" \
			"(JWTSIGN_PACKAGE_TEST_FORCE=1 to do so)"
	fi
	;;
esac
if [ -n "$(our_jwtsign_pids)" ]; then
	hard_error "/usr/bin/jwtsign processes are running: $(our_jwtsign_pids)"
fi

# Runtime tools: Apache with mod_fcgid, curl, python3 (scripts/deps
# installs them as root; packaged servers are kept from starting).
sh "$SRC/scripts/deps" >"$T/deps.log" 2>&1 || {
	cat "$T/deps.log"
	hard_error "scripts/deps failed"
}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || hard_error "python3 not found"
APACHE2=/usr/sbin/apache2
[ -x "$APACHE2" ] || hard_error "apache2 not found"
[ -e /usr/lib/apache2/modules/mod_fcgid.so ] || hard_error "mod_fcgid not installed"
for t in curl a2enconf setsid runuser; do
	command -v "$t" >/dev/null 2>&1 || hard_error "$t not found"
done
WWW_UID=$(id -u www-data) || hard_error "no user www-data"
# The package's tmpfiles.d makes /run/jwtsign/cache-UID for www-data (when
# systemd-tmpfiles runs in postinst); jwtsign falls back to /dev/shm.
CACHE_DIR=/dev/shm/jwtsign-$WWW_UID
command -v systemd-tmpfiles >/dev/null 2>&1 && CACHE_DIR=/run/jwtsign/cache-$WWW_UID

free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---------------------------------------------------------------- build
if [ -z "$DEB" ]; then
	log "building the package (scripts/build-deb)"
	if [ "${JWTSIGN_DEB_CHECK:-0}" != 1 ] && [ -z "${DEB_BUILD_OPTIONS:-}" ]; then
		export DEB_BUILD_OPTIONS=nocheck
	fi
	if ! "$SRC/scripts/build-deb" --out "$T/deb" >"$T/build.log" 2>&1; then
		cat "$T/build.log"
		KEEP_TMP=1
		hard_error "scripts/build-deb failed"
	fi
	sed 's/^/    /' "$T/build.log" | grep -E 'lintian|^    [WE]: ' || true
	DEB=$(tail -1 "$T/build.log")
fi
[ -f "$DEB" ] || hard_error "no package file: $DEB"
DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
log "testing $DEB"

# ---------------------------------------------------------------- snapshot
# Everything whose name contains "jwtsign" in the system directories,
# and the /etc files that mention it, before the installation: whatever
# is there after the purge and was not there before is a leftover.
SCAN_ROOTS=(/etc /usr /lib /var /run /dev/shm /opt /srv)
snapshot() {
	{
		find "${SCAN_ROOTS[@]}" -path /var/log -prune -o -path /var/cache/apt -prune -o \
			-name '*jwtsign*' -print 2>/dev/null
		grep -rlI -s jwtsign /etc 2>/dev/null | sed 's/^/content: /'
		grep -s jwtsign /var/lib/dpkg/statoverride | sed 's/^/statoverride: /'
		getent passwd jwtsign | sed 's/^/passwd: /'
		getent group jwtsign | sed 's/^/group: /'
	} | sort -u
}
snapshot >"$T/before"
# The package's paths that do not exist yet must not exist after the purge.
dpkg-deb -c "$DEB" | awk '{ p = $6; sub(/^\./, "", p); if (p != "/" && p != "") print p }' |
	sed 's:/$::' | while read -r p; do
	if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo "$p"; fi
done >"$T/new-paths"

# ---------------------------------------------------------------- install
log "dpkg -i $(basename "$DEB")"
INSTALLED_BY_US=yes
if ! DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$T/install.log" 2>&1; then
	# Missing dependencies: let apt install them and finish the job.
	DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >>"$T/install.log" 2>&1 || true
fi
if [ "$(pkg_status)" = ii ]; then
	pass "dpkg -i installed the package"
else
	fail "dpkg -i: package status '$(pkg_status)'" "$T/install.log"
	exit 1
fi

VERSION=$(dpkg-query -W -f='${Version}' jwtsign)
check "jwtsign --version prints the package version $VERSION" \
	sh -c "/usr/bin/jwtsign --version 2>&1 | grep -qF '$VERSION'"
check "no /usr/lib/cgi-bin/jwtsign (Debian's serve-cgi-bin would publish it)" \
	test ! -e /usr/lib/cgi-bin/jwtsign -a ! -L /usr/lib/cgi-bin/jwtsign
check "man pages jwtsign(8) and jwtsign.json(5)" \
	test -f /usr/share/man/man8/jwtsign.8.gz -a -f /usr/share/man/man5/jwtsign.json.5.gz
for m in man8/jwtsign.8 man5/jwtsign.json.5; do
	check "$m names /etc/jwtsign/jwtsign.json, not /usr/local/etc nor @sysconfdir@" \
		sh -c "zcat /usr/share/man/$m.gz | grep -q /etc/jwtsign/jwtsign.json &&
			! zcat /usr/share/man/$m.gz | grep -q -e /usr/local/etc -e @sysconfdir"
done
check "debian/copyright is DEP-5 and grants the MIT (Expat) licence" \
	sh -c 'head -1 /usr/share/doc/jwtsign/copyright | grep -q copyright-format/1.0 &&
		grep -q "^License: Expat" /usr/share/doc/jwtsign/copyright &&
		grep -q "Permission is hereby granted, free of charge" /usr/share/doc/jwtsign/copyright'
check "the source's LICENSE is MIT" grep -q "^MIT License\|Permission is hereby granted" "$SRC/LICENSE"
check "/var/log/jwtsign: www-data:adm 0750, rotated by /etc/logrotate.d/jwtsign" \
	sh -c 'test "$(stat -c "%U:%G %a" /var/log/jwtsign)" = "www-data:adm 750" &&
		grep -q "^/var/log/jwtsign/\*.log" /etc/logrotate.d/jwtsign'
check "examples/jwtsign-spawn is installed" test -f /usr/share/doc/jwtsign/examples/jwtsign-spawn
# genkey -o never replaces an existing file without --force.
echo keep >"$T/existing.json"
check "genkey -o refuses an existing file" \
	sh -c "! /usr/bin/jwtsign genkey --kty oct --kid k --alg HS256 -o '$T/existing.json' 2>'$T/genkey.err'"
check "genkey -o left the existing file alone" test "$(cat "$T/existing.json")" = keep
check "genkey's message names the command once ($(head -c 200 "$T/genkey.err"))" \
	sh -c "grep -q '^jwtsign genkey: ' '$T/genkey.err' && ! grep -q 'genkey: genkey' '$T/genkey.err'"
for f in /etc/jwtsign/jwtsign.json /etc/apache2/conf-available/jwtsign.conf \
	/etc/lighttpd/conf-available/50-jwtsign.conf /etc/nginx/snippets/jwtsign.conf; do
	check "conffile $f" sh -c "dpkg-query -W -f='\${Conffiles}\n' jwtsign | grep -q '^ $f '"
done
check "systemd units jwtsign-fcgi.socket and .service" \
	test -f /lib/systemd/system/jwtsign-fcgi.socket -a -f /lib/systemd/system/jwtsign-fcgi.service
for f in /etc/jwtsign/jwtsign.json /etc/jwtsign/symmetric.json; do
	check "$f: root:www-data, mode 640" test "$(stat -c '%U:%G %a' "$f" 2>&1)" = "root:www-data 640"
done
check "the generated key is an HS256 JWK Set with kid sim2, not the public demo key" \
	"$PY" -c 'import json, sys
k = json.load(open("/etc/jwtsign/symmetric.json"))["keys"][0]
demo = json.load(open(sys.argv[1]))["keys"][0]["k"]
assert k["kty"] == "oct" and k["kid"] == "sim2" and k.get("alg") == "HS256", k.keys()
assert k["k"] != demo and len(k["k"]) >= 43' "$SRC/fcgi-conf/demo/symmetric.json"
check "www-data can use the configuration (jwtsign check-config as www-data)" \
	runuser -u www-data -- /usr/bin/jwtsign check-config -c /etc/jwtsign/jwtsign.json
check "other users cannot read it" \
	sh -c '! runuser -u nobody -- cat /etc/jwtsign/jwtsign.json >/dev/null 2>&1'

# Nothing enabled, nothing started.
check "no jwtsign process runs after the installation" test -z "$(our_jwtsign_pids)"
check "Apache configuration not enabled" test ! -e /etc/apache2/conf-enabled/jwtsign.conf
check "lighttpd configuration not enabled" test ! -e /etc/lighttpd/conf-enabled/50-jwtsign.conf
check "systemd units not enabled" \
	sh -c '! ls /etc/systemd/system/*/jwtsign-fcgi.* >/dev/null 2>&1'

# The other servers' files parse (their runs are in make check).
if command -v lighttpd >/dev/null 2>&1 || [ -x /usr/sbin/lighttpd ]; then
	mkdir -p "$T/lighttpd"
	cat >"$T/lighttpd/lighttpd.conf" <<EOF
server.document-root = "$T/lighttpd"
server.bind = "127.0.0.1"
server.port = $(free_port)
include "/etc/lighttpd/conf-available/50-jwtsign.conf"
EOF
	check "lighttpd -tt accepts 50-jwtsign.conf" /usr/sbin/lighttpd -tt -f "$T/lighttpd/lighttpd.conf"
fi
if [ -x /usr/sbin/nginx ]; then
	mkdir -p "$T/nginx"
	ln -s /etc/nginx/fastcgi_params "$T/nginx/fastcgi_params"
	cat >"$T/nginx/nginx.conf" <<EOF
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { }
http {
	access_log off;
	client_body_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	server {
		listen 127.0.0.1:$(free_port);
		include /etc/nginx/snippets/jwtsign.conf;
	}
}
EOF
	check "nginx -t accepts snippets/jwtsign.conf in a server block" \
		/usr/sbin/nginx -t -q -p "$T/nginx" -c "$T/nginx/nginx.conf"
fi

# ---------------------------------------------------------------- stub backend
# It answers /token-issuer with the reference example and serves the
# installed key as a JWK Set for a jwk_url endpoint (which makes the
# www-data processes use their key cache, $CACHE_DIR).
"$PY" "$IT/stub_backend.py" --port 0 --port-file "$T/stub.port" --log "$T/stub.log" \
	--jwks /etc/jwtsign/symmetric.json </dev/null >>"$T/stub.out" 2>&1 &
STUB_PID=$!
for ((i = 0; i < 100; i++)); do
	[ -s "$T/stub.port" ] && break
	sleep 0.1
done
[ -s "$T/stub.port" ] || hard_error "stub backend did not start: $(cat "$T/stub.out")"
STUB_URL=http://127.0.0.1:$(cat "$T/stub.port")

# The packaged configuration with the stub as backend (the conffile is
# edited in place, like an administrator would: purge must remove it
# anyway), plus /token/url: the same signer with the key from jwk_url.
"$PY" - "$STUB_URL" <<'EOF' || hard_error "cannot adapt /etc/jwtsign/jwtsign.json"
import copy, json, sys
path = "/etc/jwtsign/jwtsign.json"
url = sys.argv[1]
cfg = json.load(open(path))
ep = cfg["endpoints"][0]
assert ep["endpoint"] == "/token", ep
assert ep["backend"][0]["host"] == ["http://127.0.0.1:8080"], ep["backend"]
ep["backend"][0]["host"] = [url]
ep2 = copy.deepcopy(ep)
ep2["endpoint"] = "/token/url"
signer = ep2["extra_config"]["auth/signer"]
del signer["jwk_local_path"]
signer["jwk_url"] = url + "/jwk/symmetric.json"
signer["disable_jwk_security"] = True
cfg["endpoints"].append(ep2)
with open(path, "w") as f:  # same file: owner and mode unchanged
    json.dump(cfg, f, indent=2)
EOF
check "adapted configuration still root:www-data 640" \
	test "$(stat -c '%U:%G %a' /etc/jwtsign/jwtsign.json)" = "root:www-data 640"

# ---------------------------------------------------------------- Apache
log "a2enconf jwtsign"
ENABLED_CONF=yes
check "a2enconf jwtsign" a2enconf -q jwtsign
check "conf-enabled/jwtsign.conf links to the packaged file" \
	test "$(readlink -f /etc/apache2/conf-enabled/jwtsign.conf)" = /etc/apache2/conf-available/jwtsign.conf

# The system's apache2.conf without ports.conf (Listen 80) and the sites,
# listening on 127.0.0.1:PORT only; runtime files in $T.
A=$T/apache
mkdir -p "$A/run" "$A/lock" "$A/log" "$A/fcgid"
chown www-data:www-data "$A/fcgid"
fcgid_load=""
if ! a2query -q -m fcgid; then
	# Installed but disabled by the administrator: load it for this
	# instance only.
	fcgid_load="LoadModule fcgid_module /usr/lib/apache2/modules/mod_fcgid.so"
fi
start_apache() {
	local attempt i
	for ((attempt = 0; attempt < 3; attempt++)); do
		APACHE_PORT=$(free_port)
		URL=http://127.0.0.1:$APACHE_PORT
		{
			echo "# generated by tests/package/$NAME.sh from /etc/apache2/apache2.conf"
			grep -v -E '^[[:space:]]*(Include(Optional)?[[:space:]]+(ports\.conf|sites-enabled/))' \
				/etc/apache2/apache2.conf |
				awk -v load="$fcgid_load" '{ print } /^IncludeOptional mods-enabled\/\*\.conf/ && load != "" {
					print load; print "Include mods-available/fcgid.conf" }'
			echo "Listen 127.0.0.1:$APACHE_PORT"
			echo "ServerName 127.0.0.1"
			echo "<IfModule mod_fcgid.c>"
			echo "	FcgidIPCDir $A/fcgid"
			echo "	FcgidProcessTableFile $A/fcgid/shm"
			echo "</IfModule>"
		} >"$A/apache2.conf"
		if ! env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C APACHE_RUN_USER=www-data \
			APACHE_RUN_GROUP=www-data APACHE_PID_FILE="$A/run/apache2.pid" APACHE_RUN_DIR="$A/run" \
			APACHE_LOCK_DIR="$A/lock" APACHE_LOG_DIR="$A/log" \
			"$APACHE2" -d /etc/apache2 -f "$A/apache2.conf" -t >"$A/configtest.log" 2>&1; then
			fail "apache2 -t rejects the configuration" "$A/configtest.log" "$A/apache2.conf"
			return 1
		fi
		# In a session of its own (Apache signals its process group).
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C APACHE_RUN_USER=www-data \
			APACHE_RUN_GROUP=www-data APACHE_PID_FILE="$A/run/apache2.pid" APACHE_RUN_DIR="$A/run" \
			APACHE_LOCK_DIR="$A/lock" APACHE_LOG_DIR="$A/log" \
			setsid "$APACHE2" -d /etc/apache2 -f "$A/apache2.conf" -DFOREGROUND \
			</dev/null >>"$A/stderr.log" 2>&1 &
		APACHE_PID=$!
		for ((i = 0; i < 100; i++)); do
			kill -0 "$APACHE_PID" 2>/dev/null || break
			if [ "$(readlink "/proc/$APACHE_PID/exe")" = "$APACHE2" ] &&
				curl -s -o /dev/null --max-time 2 "$URL/"; then
				pass "Apache (system modules and conf-enabled/) on $URL, pid $APACHE_PID"
				return 0
			fi
			sleep 0.1
		done
		stop_pid "$APACHE_PID"
		APACHE_PID=""
		log "Apache did not come up on port $APACHE_PORT (attempt $((attempt + 1)))"
	done
	fail "Apache did not start" "$A/stderr.log" "$A/log/error.log"
	return 1
}
start_apache || exit 1

# ---------------------------------------------------------------- tokens
printf '{"user":"john","pass":"doe"}' >"$T/login.json"
REFERENCE='{"access_token":{"aud":"https://your.krakend.io","iss":"https://your-backend","sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomnbvcx98ertyuiop","roles":["role_a","role_b"],"exp":1735689600},"refresh_token":{"aud":"https://your.krakend.io","iss":"https://your-backend","sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomn12876bvcx98ertyuiop","exp":1735689600},"exp":1735689600}'
printf '%s' "$REFERENCE" >"$T/reference.json"

# post NAME PATH: POST the login to $URL/PATH; $T/NAME.{code,body}.
post() {
	curl -sS --max-time 30 -o "$T/$1.body" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' --data-binary @"$T/login.json" \
		"$URL$2" >"$T/$1.code" 2>"$T/$1.err" || true
}
expect_signed() {
	if [ "$(cat "$T/$1.code")" = 200 ]; then
		pass "$1: POST $2 answered 200"
	else
		fail "$1: POST $2 answered $(cat "$T/$1.code"), expected 200" "$T/$1.body" "$T/$1.err" \
			"$A/log/error.log"
	fi
	check "$1: access_token and refresh_token signed HS256 kid sim2 with the generated key" \
		"$PY" "$IT/jwtcheck.py" signed "$T/$1.body" /etc/jwtsign/symmetric.json \
		--expect "$T/reference.json" --alg HS256 --kid sim2
}

post token /token
expect_signed token /token
post url /token/url
expect_signed url /token/url

workers=$(our_jwtsign_pids)
check "mod_fcgid runs jwtsign ($workers)" test -n "$workers"
for p in $workers; do
	check "jwtsign process $p runs as www-data" test "$(ps -o user= -p "$p" | tr -d ' ')" = www-data
done
check "the www-data processes keep the JWK Set cache in $CACHE_DIR" \
	test "$(stat -c %U "$CACHE_DIR" 2>&1)" = www-data
check "jwtsign's log lines reach Apache's error log" grep -q 'jwtsign\[[0-9]*\]: ' "$A/log/error.log"

stop_apache
check "jwtsign processes exit with Apache" test -z "$(our_jwtsign_pids)"
stop_pid "$STUB_PID"
STUB_PID=""

# ---------------------------------------------------------------- purge
log "apt-get purge jwtsign"
if DEBIAN_FRONTEND=noninteractive apt-get purge -y jwtsign >"$T/purge.log" 2>&1; then
	pass "apt-get purge jwtsign"
else
	fail "apt-get purge jwtsign failed" "$T/purge.log"
fi
case $(pkg_status) in
"" | un | pn) pass "package gone from dpkg's database" ;;
*) fail "package status after purge: $(pkg_status)" "$T/purge.log" ;;
esac
INSTALLED_BY_US=no
check "Apache configuration disabled (conf-enabled/jwtsign.conf gone)" \
	test ! -e /etc/apache2/conf-enabled/jwtsign.conf -a ! -L /etc/apache2/conf-enabled/jwtsign.conf
ENABLED_CONF=no
check "a2query knows nothing of jwtsign" sh -c '! ls /var/lib/apache2/conf/*/jwtsign 2>/dev/null | grep -q .'
check "/etc/jwtsign removed (configuration and generated key)" test ! -e /etc/jwtsign
check "JWK Set cache $CACHE_DIR removed" test ! -e "$CACHE_DIR"
for c in /dev/shm/jwtsign-0 "/dev/shm/jwtsign-$WWW_UID" /run/jwtsign/cache-0 "/run/jwtsign/cache-$WWW_UID"; do
	if grep -qx "$c" "$T/before"; then continue; fi # there before: not ours
	check "no key cache of root or www-data left: $c" test ! -e "$c"
done

left=""
while read -r p; do
	if [ -e "$p" ] || [ -L "$p" ]; then left="$left $p"; fi
done <"$T/new-paths"
check "every path the package created is gone" test -z "$left"
[ -n "$left" ] && log "left:$left"

snapshot >"$T/after"
comm -13 "$T/before" "$T/after" >"$T/leftovers"
if [ -s "$T/leftovers" ]; then
	fail "something of jwtsign's is left outside /var/log" "$T/leftovers"
else
	pass "nothing of jwtsign's is left outside /var/log (names in ${SCAN_ROOTS[*]}, /etc contents, statoverrides, accounts)"
fi
check "Apache's configuration still parses after the purge" apache2ctl configtest

if [ "$failures" -ne 0 ]; then
	log "$failures of $checks checks FAILED (state in $T)"
	KEEP_TMP=${KEEP_TMP:-1}
	exit 1
fi
log "all $checks checks passed"
exit 0
