#!/bin/bash
# authz_lighttpd.sh - jwtsign as lighttpd's FastCGI authorizer, with the
# shipped fcgi-conf/lighttpd-authorizer.conf (only its install paths
# replaced) in front of a CGI handler on 127.0.0.1: a valid token is
# allowed and its sub claim reaches the handler as X_USER, a POST body
# reaches the handler after the allow; missing, malformed, expired,
# forged, other-key, other-alg and alg "none" tokens get jwtsign's 401,
# a token without the role its 403, a path or method without a validator
# endpoint 403 - each with jwtsign's whole answer (status,
# WWW-Authenticate, JSON body) - and no denied request reaches the handler.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"
. "$(dirname "$0")/authz_lib.sh"

require_jwtsign
require_python
require_tool curl
find_lighttpd

authz_setup
sed -e "s|/usr/bin/jwtsign|$JWTSIGN|g" \
	-e "s|/etc/jwtsign/jwtsign.json|$T/jwtsign.json|g" \
	-e "s|/run/lighttpd/jwtsign-authorizer.sock|$T/authz.sock|g" \
	-e "s|/var/www/api|$T/www|g" \
	"$TOP_SRCDIR/fcgi-conf/lighttpd-authorizer.conf" >"$T/authorizer.conf"
check "the example's paths were replaced" not grep -q -e /usr/bin/ -e /var/www -e /run/lighttpd "$T/authorizer.conf"
mkdir -p "$T/htdocs"

# The protected handler: CGI for the files of the authorizer's docroot.
cat >"$T/lighttpd.conf.in" <<EOF
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/htdocs"
server.errorlog = "$T/lighttpd-error.log"
server.breakagelog = "$T/cgi-stderr.log"
include "$T/authorizer.conf"
server.modules += ("mod_cgi")
\$HTTP["url"] =~ "^/api/" {
	cgi.assign = ("" => "")
}
EOF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL
SERVER_LOGS=("$T/lighttpd-error.log" "$T/cgi-stderr.log")
log "lighttpd on $URL (pid $LIGHTTPD_PID)"

DENY_403=403
DENY_BODY=yes
authz_cases

check "user: lighttpd gave the claim as X_USER, the client's header as HTTP_X_USER" \
	test "$(seen user client_user)" = mallory

stop_pid "$LIGHTTPD_PID"
no_secret_in "$T"/*.body "$T/lighttpd-error.log" "$T/lighttpd.log"

finish
