#!/bin/bash
# authz_apache.sh - jwtsign as Apache httpd's access checker (mod_fcgid
# FcgidAccessChecker), with the shipped fcgi-conf/apache-authorizer.conf
# included verbatim in front of a CGI handler (mod_cgid) on 127.0.0.1: a
# valid token is allowed and its sub claim reaches the handler as X_User,
# a POST body reaches the handler after the allow; missing, malformed,
# expired, forged, other-key, other-alg and alg "none" tokens, a token
# without the role and a path or method without a validator endpoint are
# all denied with 401 (mod_fcgid's only deny status) and jwtsign's
# WWW-Authenticate header; no denied request reaches the handler, and no
# Variable-* header of jwtsign reaches the client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"
. "$(dirname "$0")/authz_lib.sh"

require_jwtsign
require_python
require_tool curl
find_apache
require_apache_module fcgid
require_apache_module cgid
require_apache_module headers
require_apache_module mpm_event

prepare_runtime
authz_setup

# The protected handler: the CGI programs of $T/www/api, behind the
# shipped authorizer block for /api/.
cat >"$T/site.conf" <<EOF
ScriptAlias /api/ "$T/www/api/"
<Directory "$T/www/api">
	Options +ExecCGI
	Require all granted
</Directory>
Include "$TOP_SRCDIR/fcgi-conf/apache-authorizer.conf"
EOF
start_apache event "$T/site.conf" fcgid cgid headers
URL=$APACHE_URL
SERVER_LOGS=("$T/apache/error.log")

DENY_403=401
DENY_BODY=no
authz_cases

check "user: Apache gave the claim as X_User, the client's header as HTTP_X_USER" \
	test "$(seen user client_user)" = mallory

# mod_fcgid copies the authorizer's headers into the answer: the shipped
# "Header always unset" lines must keep every Variable-* header out.
leaks=$(grep -il '^variable-' "$T"/*.headers || true)
if [ -z "$leaks" ]; then
	pass "no Variable-* header in any of the $(ls "$T"/*.headers | wc -l) answers"
else
	fail "Variable-* headers reached the client in: $(echo $leaks)" $leaks
fi

# ... and neither jwtsign's own Cache-Control nor Pragma: an allowed
# answer is the application's to cache.
check "user: the allowed answer carries no Pragma or Cache-Control of jwtsign's" \
	not grep -qiE '^(pragma: no-cache|cache-control: no-store)' "$T/user.headers"

stop_pid "$APACHE_PID"
no_secret_in "$T"/*.body "$T/apache/error.log" "$T/apache/stderr.log"

finish
