# authz_lib.sh - shared part of the authorizer tests (authz_lighttpd.sh,
# authz_apache.sh, authz_nginx.sh): jwtsign checks the tokens of requests
# to a protected location for a real web server, which then runs the
# protected handler.  Source it after lib.sh and apache_lib.sh.
#
# authz_setup writes, below $T:
#   keys/private.json  ES256 key "k1" (tests/data/pem-ec-p256-pkcs8.jwk.json)
#   keys/public.json   its public JWK Set (jwtsign pubkeys): the validator's
#   keys/other.json    another P-256 key, also with kid "k1"
#   keys/hs.json       an HS256 key, also with kid "k1" (the demo key)
#   jwtsign.json       a KrakenD file whose endpoints carry only
#                      "auth/validator" (ES256, propagate_claims
#                      [["sub","X-User"]]): GET /api/hello, POST /api/echo,
#                      GET /api/admin (roles ["admin"]), GET /api/doc/{page},
#                      GET /api/doc/secret (roles ["admin"])
#   tokens.tsv         NAME<TAB>TOKEN for every token below
#   www/api/...        the protected handler (a CGI program) for each path
# and sets TOK_user, TOK_admin, TOK_expired, TOK_forged, TOK_otherkey,
# TOK_hs256, TOK_none, TOK_malformed.
#
# The handler answers JSON {"script","method","user","client_user","body"}
# and appends its script name to $T/handler.log: "user" is the claim the
# server handed on (lighttpd X_USER, Apache X_User), "client_user" the
# client's own X-User header (HTTP_X_USER).

# sign_token KEYFILE ALG CLAIMS_JSON: print one compact token.
sign_token() {
	printf '%s\n' "$3" | "$JWTSIGN" sign --jwks "$1" --kid k1 --alg "$2" ||
		hard_error "jwtsign sign failed for $3"
}

# jwk_set SRC KID ALG: a one-key JWK Set from a tests/data fixture.
jwk_set() {
	"$PYTHON3" -c 'import json, sys
jwk = json.load(open(sys.argv[1]))["jwk"]
jwk["kid"] = sys.argv[2]
jwk["alg"] = sys.argv[3]
print(json.dumps({"keys": [jwk]}))' "$@"
}

authz_setup() {
	local now exp v ep
	mkdir -p "$T/keys" "$T/www/api/doc"
	jwk_set "$TOP_SRCDIR/tests/data/pem-ec-p256-pkcs8.jwk.json" k1 ES256 >"$T/keys/private.json"
	jwk_set "$TOP_SRCDIR/tests/data/pem-ec-p256-sec1.jwk.json" k1 ES256 >"$T/keys/other.json"
	"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keys"]:
    k["kid"] = "k1"
print(json.dumps(d))' "$DEMO_JWKS" >"$T/keys/hs.json"
	"$JWTSIGN" pubkeys <"$T/keys/private.json" >"$T/keys/public.json" ||
		hard_error "jwtsign pubkeys failed"
	chmod 644 "$T"/keys/*.json

	# Only validator endpoints: their backend is the web server's business.
	v="\"auth/validator\":{\"alg\":\"ES256\",\"jwk_local_path\":\"$T/keys/public.json\",\"propagate_claims\":[[\"sub\",\"X-User\"]]"
	ep() { # METHOD PATH [VALIDATOR_EXTRA]
		printf '{"endpoint":"%s","method":"%s","backend":[{"host":["http://127.0.0.1:1"],"url_pattern":"/unused"}],"extra_config":{%s%s}}}' \
			"$2" "$1" "$v" "${3:-}"
	}
	local admin=',"roles":["admin"],"roles_key":"roles"'
	write_config "$T/jwtsign.json" "" \
		"$(ep GET /api/hello)" "$(ep POST /api/echo)" "$(ep GET /api/admin "$admin")" \
		"$(ep GET '/api/doc/{page}')" "$(ep GET /api/doc/secret "$admin")"
	unset -f ep
	chmod 644 "$T/jwtsign.json"

	now=$(date +%s)
	exp=$((now + 3600))
	TOK_user=$(sign_token "$T/keys/private.json" ES256 \
		"{\"sub\":\"alice\",\"roles\":[\"user\"],\"iat\":$now,\"exp\":$exp}")
	TOK_admin=$(sign_token "$T/keys/private.json" ES256 \
		"{\"sub\":\"root\",\"roles\":[\"admin\"],\"iat\":$now,\"exp\":$exp}")
	TOK_expired=$(sign_token "$T/keys/private.json" ES256 \
		"{\"sub\":\"alice\",\"roles\":[\"admin\"],\"iat\":$((now - 7200)),\"exp\":$((now - 3600))}")
	# alice's signature on a payload that says root/admin.
	TOK_forged=${TOK_user%%.*}.$(printf '{"sub":"root","roles":["admin"],"iat":%d,"exp":%d}' "$now" "$exp" |
		base64 -w0 | tr '+/' '-_' | tr -d '=').${TOK_user##*.}
	TOK_otherkey=$(sign_token "$T/keys/other.json" ES256 \
		"{\"sub\":\"alice\",\"roles\":[\"admin\"],\"iat\":$now,\"exp\":$exp}")
	TOK_hs256=$(sign_token "$T/keys/hs.json" HS256 \
		"{\"sub\":\"alice\",\"roles\":[\"admin\"],\"iat\":$now,\"exp\":$exp}")
	TOK_none=$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').${TOK_admin#*.}
	TOK_none=${TOK_none%.*}.
	TOK_malformed=not-a.jwt
	local n
	: >"$T/tokens.tsv"
	for n in user admin expired forged otherkey hs256 none malformed; do
		v=TOK_$n
		printf '%s\t%s\n' "$n" "${!v}" >>"$T/tokens.tsv"
	done
	chmod 644 "$T/tokens.tsv"

	# The protected handler: one CGI program, one copy per protected path.
	local h p
	h="$T/handler.cgi"
	cat >"$h" <<EOF
#!$PYTHON3
import json, os, sys
n = int(os.environ.get("CONTENT_LENGTH") or 0)
body = sys.stdin.buffer.read(n).decode("latin-1") if n else ""
env = os.environ
with open("$T/handler.log", "a") as f:
    f.write(env.get("SCRIPT_NAME", "?") + "\n")
sys.stdout.write("Content-Type: application/json\r\n\r\n")
json.dump({"script": env.get("SCRIPT_NAME"), "method": env.get("REQUEST_METHOD"),
           "user": env.get("X_USER", env.get("X_User")),
           "client_user": env.get("HTTP_X_USER"), "body": body}, sys.stdout)
EOF
	for p in hello echo admin doc/intro doc/secret; do
		cp "$h" "$T/www/api/$p"
		chmod 755 "$T/www/api/$p"
	done
	: >"$T/handler.log"
	chmod 666 "$T/handler.log"
	chmod 755 "$T/www" "$T/www/api" "$T/www/api/doc"
}

# areq NAME METHOD PATH TOKEN [curl args...]: one request to $URL (the
# path as is, no dot-segment folding by curl), with "Authorization:
# Bearer TOKEN" unless TOKEN is "-".  Leaves $T/NAME.{code,headers,body}.
areq() {
	local name=$1 method=$2 path=$3 tok=$4 auth=()
	shift 4
	[ "$tok" != - ] && auth=(-H "Authorization: Bearer $tok")
	: >"$T/$name.body"
	: >"$T/$name.headers"
	curl -sS --max-time 20 --path-as-is -X "$method" -o "$T/$name.body" -D "$T/$name.headers" \
		-w '%{http_code}' "${auth[@]}" "$@" "$URL$path" >"$T/$name.code" 2>"$T/$name.curl-err" || true
}

# seen NAME FIELD: a field of what the protected handler reported in
# $T/NAME.body (the CGI handler's JSON, or stub_backend.py's /echo JSON:
# user = its X-User request header).
seen() {
	"$PYTHON3" -c 'import base64, json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(1)
f = sys.argv[2]
if "echo" in d:
    e = d["echo"]
    d = {"method": e["method"], "user": e["headers"].get("x-user"),
         "body": base64.b64decode(e["body_b64"]).decode("latin-1")}
v = d.get(f)
print("" if v is None else v)' "$T/$1.body" "$2"
}

# has_header NAME 'Header: value': an exact header line of the answer.
has_header() { tr -d '\r' <"$T/$1.headers" | grep -qixF -- "$2"; }

# handler_runs: how many requests reached the protected handler so far.
# (authz_nginx.sh replaces it: its handler is the stub backend.)
handler_runs() { wc -l <"$T/handler.log" | tr -d ' '; }

# expect_allow NAME USER METHOD: 200, and the handler saw USER and METHOD.
expect_allow() {
	expect_code "$1" 200
	check "$1: the handler got the claim sub=$2 (propagate_claims)" test "$(seen "$1" user)" = "$2"
	check "$1: the handler ran for method $3" test "$(seen "$1" method)" = "$3"
}

# expect_deny NAME STATUS ERROR: the deny as the client gets it.  DENY_BODY
# (yes/no, per server) says whether jwtsign's JSON body reaches the client;
# DENY_403 is the status a 403 becomes (Apache: 401).
expect_deny() {
	local name=$1 status=$2 err=$3
	[ "$status" = 403 ] && status=$DENY_403
	expect_code "$name" "$status"
	if [ "$name" = missing ]; then # no token: no error code (RFC 6750 section 3.1)
		check "$name: WWW-Authenticate: Bearer" has_header "$name" "WWW-Authenticate: Bearer"
	elif [ "$err" != no_protected_route ]; then
		check "$name: WWW-Authenticate: Bearer error=\"$err\"" \
			has_header "$name" "WWW-Authenticate: Bearer error=\"$err\""
	fi
	if [ "$DENY_BODY" = yes ]; then
		check "$name: body {\"error\":\"$err\"}" jwtcheck error "$T/$name.body" "$err"
	fi
}

# authz_cases: every case, against $URL.
authz_cases() {
	local runs0 runs1
	printf 'payload=of-the-post\n\001\377' >"$T/post.bin"

	areq user GET /api/hello "$TOK_user" -H 'X-User: mallory'
	expect_allow user alice GET
	check "user: the client's own X-User header did not replace the claim" \
		test "$(seen user user)" = alice

	areq post POST /api/echo "$TOK_user" --data-binary @"$T/post.bin" \
		-H 'Content-Type: application/octet-stream'
	expect_allow post alice POST
	check "post: the POST body reached the handler after the allow, byte for byte" \
		body_is post "$T/post.bin"

	areq admin GET /api/admin "$TOK_admin"
	expect_allow admin root GET

	areq doc-public GET /api/doc/intro "$TOK_user"
	expect_allow doc-public alice GET

	runs0=$(handler_runs)
	areq missing GET /api/hello -
	expect_deny missing 401 invalid_token
	areq malformed GET /api/hello "$TOK_malformed"
	expect_deny malformed 401 invalid_token
	areq expired GET /api/hello "$TOK_expired"
	expect_deny expired 401 invalid_token
	areq forged GET /api/hello "$TOK_forged"
	expect_deny forged 401 invalid_token
	areq otherkey GET /api/hello "$TOK_otherkey"
	expect_deny otherkey 401 invalid_token
	areq hs256 GET /api/hello "$TOK_hs256"
	expect_deny hs256 401 invalid_token
	areq alg-none GET /api/hello "$TOK_none"
	expect_deny alg-none 401 invalid_token
	areq post-expired POST /api/echo "$TOK_expired" --data-binary @"$T/post.bin"
	expect_deny post-expired 401 invalid_token

	areq no-role GET /api/admin "$TOK_user"
	expect_deny no-role 403 insufficient_scope
	areq no-role-doc GET /api/doc/secret "$TOK_user"
	expect_deny no-role-doc 403 insufficient_scope

	# Paths and methods with no validator endpoint: denied, never allowed.
	areq unmatched GET /api/nothing "$TOK_admin"
	expect_deny unmatched 403 no_protected_route
	areq wrong-method POST /api/hello "$TOK_admin" --data-binary @"$T/post.bin"
	expect_deny wrong-method 403 no_protected_route

	# The server serves the normalized path (dots folded, %XX decoded);
	# jwtsign must judge that path too, not a looser endpoint that the raw
	# REQUEST_URI happens to match (/api/doc/{page} for /api/doc/%73ecret).
	areq dotdot GET /api/hello/../admin "$TOK_user"
	check "dotdot: /api/hello/../admin is not allowed for a user (got $(cat "$T/dotdot.code"))" \
		test "$(cat "$T/dotdot.code")" = "$DENY_403" -o "$(cat "$T/dotdot.code")" = 401
	areq encoded GET /api/doc/%73ecret "$TOK_user"
	check "encoded: /api/doc/%73ecret (= /api/doc/secret) is not allowed for a user (got $(cat "$T/encoded.code"))" \
		test "$(cat "$T/encoded.code")" = "$DENY_403" -o "$(cat "$T/encoded.code")" = 401

	runs1=$(handler_runs)
	check "no denied request reached the protected handler ($runs0 -> $runs1)" test "$runs0" = "$runs1"
}

# body_is NAME FILE: the handler got FILE's bytes as the body.
body_is() {
	"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
if "echo" in d:
    import base64
    got = base64.b64decode(d["echo"]["body_b64"])
else:
    got = d["body"].encode("latin-1")
sys.exit(0 if got == open(sys.argv[2], "rb").read() else 1)' "$T/$1.body" "$2"
}
