#!/bin/bash
# refresh.sh - KrakenD's refresh pattern end to end under a real lighttpd
# (mod_fastcgi, the shipped fcgi-conf/lighttpd.conf with only its install
# paths and its route replaced) on 127.0.0.1 with the python stub backend,
# which records the headers it receives:
#   - POST /token signs the reference answer (ES256; HS256 once more);
#   - POST /refresh (auth/signer and auth/validator on one endpoint) with
#     that refresh token as "Authorization: Bearer": the backend gets the
#     token's sub as X-User (propagate_claims) and a new pair comes back;
#   - forged, expired, other-key, other-alg (HS256, RS256), wrong issuer
#     or audience, alg "none", malformed and missing tokens get 401
#     invalid_token with RFC 6750's WWW-Authenticate and never reach the
#     backend;
#   - a client's own X-User (and X_User) never replaces the claim;
#   - a validator whose keys file is missing answers 503 keys_unavailable
#     and never calls the backend.
# The reference answer's exp (1735689600) is in the past: the stub's
# /fresh/N answers it with exp = N, here now + 3600 for /token and
# now + 7200 for /refresh, so that the tokens jwtsign signs can be
# refreshed and the new pair is told apart from the old one.
# shellcheck disable=SC2034 # TOK_* are read through ${!v}; SERVER_LOGS by apache_lib.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"
. "$(dirname "$0")/authz_lib.sh"

require_jwtsign
require_python
require_tool curl
find_lighttpd

start_stub
SERVER_LOGS=("$T/lighttpd-error.log")
ISS=https://your-backend
AUD=https://your.krakend.io
SUB=1234567890qwertyuio
NOW=$(date +%s)
EXP1=$((NOW + 3600))
EXP2=$((NOW + 7200))

# ---------------------------------------------------------------- keys
mkdir -p "$T/keys"
jwk_set "$TOP_SRCDIR/tests/data/pem-ec-p256-pkcs8.jwk.json" k1 ES256 >"$T/keys/es.json"
"$JWTSIGN" pubkeys <"$T/keys/es.json" >"$T/keys/es-public.json" || hard_error "jwtsign pubkeys failed"
# Another P-256 key and an RSA key, both with the same kid "k1".
jwk_set "$TOP_SRCDIR/tests/data/pem-ec-p256-sec1.jwk.json" k1 ES256 >"$T/keys/other.json"
jwk_set "$TOP_SRCDIR/tests/data/pem-rsa2048-pkcs8.jwk.json" k1 RS256 >"$T/keys/rsa.json"
# The demo oct key (kid sim2) signs and validates the HS256 run; as "k1"
# it makes the HS256 token offered to the ES256 validator.
cp "$DEMO_JWKS" "$T/keys/hs.json"
"$PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keys"]:
    k["kid"] = "k1"
print(json.dumps(d))' "$DEMO_JWKS" >"$T/keys/hs-k1.json"

# ---------------------------------------------------------------- config
# endpoint PATH URL_PATTERN SIGNER [VALIDATOR]: a POST endpoint that
# forwards only X-User of the client's headers (so that a client's own
# X-User would reach the backend if jwtsign let it through).
endpoint() {
	local ec="\"auth/signer\":{$3}"
	[ -n "${4:-}" ] && ec="$ec,\"auth/validator\":{$4}"
	printf '{"endpoint":"%s","method":"POST","input_headers":["X-User"],"backend":[{"host":["%s"],"url_pattern":"%s"}],"extra_config":{%s}}' \
		"$1" "$STUB_URL" "$2" "$ec"
}
SIGN_ES="\"alg\":\"ES256\",\"kid\":\"k1\",\"keys_to_sign\":[\"access_token\",\"refresh_token\"],\"jwk_local_path\":\"$T/keys/es.json\""
SIGN_HS="\"alg\":\"HS256\",\"kid\":\"sim2\",\"keys_to_sign\":[\"access_token\",\"refresh_token\"],\"jwk_local_path\":\"$T/keys/hs.json\""
POLICY="\"propagate_claims\":[[\"sub\",\"X-User\"]],\"issuer\":\"$ISS\",\"audience\":[\"$AUD\"]"
VAL_ES="\"alg\":\"ES256\",\"jwk_local_path\":\"$T/keys/es-public.json\",$POLICY"
VAL_HS="\"alg\":\"HS256\",\"jwk_local_path\":\"$T/keys/hs.json\",$POLICY"
VAL_NOKEYS="\"alg\":\"ES256\",\"jwk_local_path\":\"$T/keys/missing.json\",$POLICY"
write_config "$T/jwtsign.json" "" \
	"$(endpoint /token "/fresh/$EXP1" "$SIGN_ES")" \
	"$(endpoint /refresh "/fresh/$EXP2" "$SIGN_ES" "$VAL_ES")" \
	"$(endpoint /token-hs "/fresh/$EXP1" "$SIGN_HS")" \
	"$(endpoint /refresh-hs "/fresh/$EXP2" "$SIGN_HS" "$VAL_HS")" \
	"$(endpoint /refresh-nokeys "/fresh/$EXP2" "$SIGN_ES" "$VAL_NOKEYS")"
# check-config loads the validators' keys too: /refresh-nokeys (its
# validator's keys file missing) would deny every token, an error.
rc=0
"$JWTSIGN" check-config -c "$T/jwtsign.json" >"$T/check-config.out" 2>&1 || rc=$?
check "check-config: exit 1 for the validator without keys (got $rc)" test "$rc" = 1
check "check-config: names it" grep -q '^POST /refresh-nokeys: error: auth/validator: ' "$T/check-config.out"
check "check-config: /refresh validates first" \
	grep -q '^POST /refresh: ok: validates the token before the backend is called' "$T/check-config.out"

# ---------------------------------------------------------------- lighttpd
# The shipped example routes /token only ("add one line per endpoint"):
# route every endpoint of this file to the same FastCGI host.
sed -e "s|/usr/bin/jwtsign|$JWTSIGN|g" \
	-e "s|/etc/jwtsign/jwtsign.json|$T/jwtsign.json|g" \
	-e "s|/run/lighttpd/jwtsign.sock|$T/jwtsign.sock|g" \
	-e '/"JWTSIGN_LOG" =>/d' \
	-e 's|"\^/token\$"|"^/(token\|refresh)(-hs\|-nokeys)?$"|' \
	-e 's|fastcgi.server = ("/token" =>|fastcgi.server = ("/" =>|' \
	"$TOP_SRCDIR/fcgi-conf/lighttpd.conf" >"$T/fcgi.conf"
check "the example's paths and route were replaced" \
	not grep -q -e /usr/bin/ -e '"JWTSIGN_LOG"' -e /etc/jwtsign -e /run/lighttpd -e '"/token"' -e '"^/token\$"' "$T/fcgi.conf"
mkdir -p "$T/www"
cat >"$T/lighttpd.conf.in" <<EOF
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
include "$T/fcgi.conf"
EOF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL
log "lighttpd on $URL (pid $LIGHTTPD_PID), stub backend on $STUB_URL"

# ---------------------------------------------------------------- helpers
printf '{"user":"john","pass":"doe"}' >"$T/login.json"
printf '{}' >"$T/empty.json"

# req NAME PATH TOKEN [curl args...]: POST to $URL$PATH with "Authorization:
# Bearer TOKEN" unless TOKEN is "-"; leaves $T/NAME.{code,headers,body}.
req() {
	local name=$1 path=$2 tok=$3 auth=()
	shift 3
	[ "$tok" != - ] && auth=(-H "Authorization: Bearer $tok")
	: >"$T/$name.body"
	: >"$T/$name.headers"
	curl -sS --max-time 20 -o "$T/$name.body" -D "$T/$name.headers" -w '%{http_code}' \
		-H 'Content-Type: application/json' "${auth[@]}" "$@" "$URL$path" \
		>"$T/$name.code" 2>"$T/$name.curl-err" || true
}

# backend_calls: every request the stub backend has served so far.
backend_calls() {
	curl -sS --max-time 5 "$STUB_URL/hits" |
		"$PYTHON3" -c 'import json, sys; print(sum(json.load(sys.stdin).values()))'
}

# backend_header PATH NAME: the values of header NAME (any case) of the
# last request the stub got for PATH, one per line.
backend_header() {
	curl -sS --max-time 5 "$STUB_URL/headers" | "$PYTHON3" -c 'import json, sys
h = json.load(sys.stdin).get(sys.argv[1], [])
for k, v in h:
    if k.lower() == sys.argv[2].lower():
        print(v)' "$1" "$2"
}

# check_pair NAME JWKS ALG KID EXP: the answer is the reference answer
# with exp EXP, access_token and refresh_token signed: `jwtsign verify`
# accepts each (issuer and audience checked) and prints exactly the
# reference claims with exp EXP, in Go's encoding; the protected header
# is {"alg":ALG,"kid":KID,"typ":"JWT"}; no other member.  Writes the
# tokens to $T/NAME.access_token and $T/NAME.refresh_token.
check_pair() {
	"$PYTHON3" - "$T/$1.body" "$2" "$3" "$4" "$5" "$JWTSIGN" "$REFERENCE_ANSWER" "$ISS" "$AUD" \
		"$T/$1" "$LIB_DIR" <<'EOF'
import json, subprocess, sys
body_path, jwks, alg, kid, exp, jwtsign, ref, iss, aud, prefix, libdir = sys.argv[1:]
sys.path.insert(0, libdir)
import jwtcheck
raw = open(body_path, "rb").read()
body = jwtcheck.strict_loads(raw, "answer")
want = json.loads(ref.replace("1735689600", exp))
if sorted(body) != sorted(want):
    sys.exit("members %r, expected %r" % (sorted(body), sorted(want)))
if body["exp"] != int(exp):
    sys.exit("exp %r, expected %s" % (body["exp"], exp))
if raw.rstrip(b"\n") != jwtcheck.go_json(body):
    sys.exit("answer is not Go-encoded with sorted keys: %r" % raw[:200])
for name in ("access_token", "refresh_token"):
    tok = body[name]
    if not isinstance(tok, str) or tok.count(".") != 2:
        sys.exit("%s is not a compact JWS: %r" % (name, tok))
    hdr = jwtcheck.b64url_decode(tok.split(".")[0])
    want_hdr = jwtcheck.go_json({"alg": alg, "kid": kid, "typ": "JWT"})
    if hdr != want_hdr:
        sys.exit("%s: protected header %r, expected %r" % (name, hdr, want_hdr))
    r = subprocess.run([jwtsign, "verify", "--jwks", jwks, "--alg", alg, "--iss", iss,
                        "--aud", aud], input=(tok + "\n").encode(), capture_output=True)
    line = r.stdout.decode()
    expect = "ok " + jwtcheck.go_json(want[name]).decode() + "\n"
    if r.returncode != 0 or line != expect:
        sys.exit("%s: jwtsign verify exit %d, printed %r, expected %r (stderr %r)"
                 % (name, r.returncode, line, expect, r.stderr.decode()))
    with open(prefix + "." + name, "w") as f:
        f.write(tok)
EOF
}

# check_jwcrypto NAME JWKS: python3-jwcrypto, independent of jwtsign,
# verifies both tokens of $T/NAME (skipped without jwcrypto).
check_jwcrypto() {
	"$PYTHON3" - "$T/$1.access_token" "$T/$1.refresh_token" "$2" <<'EOF'
import sys
from jwcrypto import jwk, jws
keys = jwk.JWKSet.from_json(open(sys.argv[3]).read())
for path in sys.argv[1:3]:
    t = jws.JWS()
    t.deserialize(open(path).read())
    t.verify(keys.get_key("k1"), alg="ES256")
EOF
}

# expect_invalid NAME [CHALLENGE]: 401, RFC 6750's WWW-Authenticate
# (default: Bearer error="invalid_token"), the JSON body.
expect_invalid() {
	local want=${2:-Bearer error=\"invalid_token\"}
	expect_code "$1" 401
	check "$1: WWW-Authenticate: $want" has_header "$1" "WWW-Authenticate: $want"
	check "$1: body {\"error\":\"invalid_token\"}" jwtcheck error "$T/$1.body" invalid_token
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# ---------------------------------------------------------------- 1. login
calls0=$(backend_calls)
req login /token - --data-binary @"$T/login.json"
expect_code login 200
check "login: the reference answer (exp $EXP1) with both tokens signed ES256, verified by jwtsign verify" \
	check_pair login "$T/keys/es-public.json" ES256 k1 "$EXP1"
if "$PYTHON3" -c 'import jwcrypto' 2>/dev/null; then
	check "login: python3-jwcrypto verifies both ES256 tokens" check_jwcrypto login "$T/keys/es-public.json"
else
	log "python3-jwcrypto not installed: the independent ES256 check is skipped"
fi
check "login: the backend was called once" test "$(backend_calls)" = $((calls0 + 1))
REFRESH=$(cat "$T/login.refresh_token" 2>/dev/null || true)
ACCESS=$(cat "$T/login.access_token" 2>/dev/null || true)
[ -n "$REFRESH" ] || hard_error "no refresh token from /token: $(cat "$T/login.body")"

# ---------------------------------------------------------------- 2. refresh
calls0=$(backend_calls)
req refresh /refresh "$REFRESH" --data-binary @"$T/empty.json"
expect_code refresh 200
check "refresh: the backend was called once" test "$(backend_calls)" = $((calls0 + 1))
check "refresh: the backend got X-User: $SUB (propagate_claims sub), once" \
	test "$(backend_header "/fresh/$EXP2" X-User)" = "$SUB"
check "refresh: the refresh token itself was not forwarded (Authorization not in input_headers)" \
	test -z "$(backend_header "/fresh/$EXP2" Authorization)"
check "refresh: a new pair (exp $EXP2), both tokens ES256, verified by jwtsign verify" \
	check_pair refresh "$T/keys/es-public.json" ES256 k1 "$EXP2"
check "refresh: the new refresh token is not the old one" \
	test "$(cat "$T/refresh.refresh_token" 2>/dev/null)" != "$REFRESH"
NEW_REFRESH=$(cat "$T/refresh.refresh_token" 2>/dev/null || true)
req refresh2 /refresh "$NEW_REFRESH" --data-binary @"$T/empty.json"
expect_code refresh2 200
check "refresh2: the refreshed refresh token refreshes again" \
	check_pair refresh2 "$T/keys/es-public.json" ES256 k1 "$EXP2"

# ---------------------------------------------------------------- 3. denied
# The refresh token's signature with one character changed (not the last,
# whose low bits base64url does not carry).
sig=${REFRESH##*.}
c=${sig:10:1}
[ "$c" = A ] && r=B || r=A
TOK_forged_sig=${REFRESH%.*}.${sig:0:10}$r${sig:11}
# Its signature on a payload with another sub.
claims() { # SUB EXP [ISS] [AUD]
	printf '{"aud":"%s","exp":%s,"iss":"%s","jti":"mnb23vcsrt756yuiomn12876bvcx98ertyuiop","sub":"%s"}' \
		"${4:-$AUD}" "$2" "${3:-$ISS}" "$1"
}
TOK_forged_payload=${REFRESH%%.*}.$(claims admin "$EXP1" | b64url).$sig
TOK_expired=$(sign_token "$T/keys/es.json" ES256 "$(claims "$SUB" $((NOW - 3600)))")
TOK_otherkey=$(sign_token "$T/keys/other.json" ES256 "$(claims "$SUB" "$EXP1")")
TOK_hs256=$(sign_token "$T/keys/hs-k1.json" HS256 "$(claims "$SUB" "$EXP1")")
TOK_rs256=$(sign_token "$T/keys/rsa.json" RS256 "$(claims "$SUB" "$EXP1")")
TOK_issuer=$(sign_token "$T/keys/es.json" ES256 "$(claims "$SUB" "$EXP1" https://evil.example)")
TOK_audience=$(sign_token "$T/keys/es.json" ES256 "$(claims "$SUB" "$EXP1" "$ISS" https://other.example)")
TOK_none=$(printf '{"alg":"none","typ":"JWT"}' | b64url).${REFRESH#*.}
TOK_none=${TOK_none%.*}.
TOK_malformed=${REFRESH%%.*}.${REFRESH#*.}.x
# The same claims, validly signed, are accepted: the denials are about
# the signature, key, alg and time, not about the claims.
TOK_control=$(sign_token "$T/keys/es.json" ES256 "$(claims "$SUB" "$EXP1")")
req control /refresh "$TOK_control" --data-binary @"$T/empty.json"
expect_code control 200

# denials REASON: how often jwtsign logged a /refresh deny for REASON (its
# stderr is lighttpd's, $T/lighttpd.log).
denials() { grep -c "POST /refresh denied: $1\$" "$T/lighttpd.log" || true; }
# expect_denied NAME REASON: 401 invalid_token, logged for REASON (the
# token failed for the reason it was made for), the backend not called.
expect_denied() {
	expect_invalid "$1" "${3:-}"
	check "$1: denied for $2 (logged)" test "$(denials "$2")" = $((d0 + 1))
	check "$1: never reached the backend" test "$(backend_calls)" = "$c0"
}
calls0=$(backend_calls)
for nr in forged_sig:signature forged_payload:signature expired:expired otherkey:signature \
	hs256:alg rs256:alg issuer:issuer audience:audience none:alg malformed:malformed; do
	n=${nr%%:*}
	v=TOK_$n
	c0=$(backend_calls)
	d0=$(denials "${nr#*:}")
	req "deny-$n" /refresh "${!v}" --data-binary @"$T/empty.json" -H 'X-User: mallory'
	expect_denied "deny-$n" "${nr#*:}"
done
c0=$(backend_calls)
d0=$(denials "no token")
req deny-missing /refresh - --data-binary @"$T/empty.json" -H 'X-User: mallory'
expect_denied deny-missing "no token" Bearer # no error code (RFC 6750 section 3.1)
d0=$(denials malformed)
req deny-basic /refresh - --data-binary @"$T/empty.json" -H 'Authorization: Basic am9objpkb2U='
expect_denied deny-basic malformed
check "no denied refresh reached the backend ($calls0 -> $(backend_calls))" \
	test "$(backend_calls)" = "$calls0"

# ---------------------------------------------------------------- 4. X-User
req spoof /refresh "$REFRESH" --data-binary @"$T/empty.json" -H 'X-User: mallory'
expect_code spoof 200
check "spoof: the backend saw only the claim's X-User, not the client's mallory" \
	test "$(backend_header "/fresh/$EXP2" X-User)" = "$SUB"
req spoof-underscore /refresh "$REFRESH" --data-binary @"$T/empty.json" -H 'X_User: mallory'
expect_code spoof-underscore 200
check "spoof-underscore: X_User: mallory did not reach the backend either" \
	test "$(backend_header "/fresh/$EXP2" X-User)$(backend_header "/fresh/$EXP2" X_User)" = "$SUB"

# ---------------------------------------------------------------- 5. no keys
calls0=$(backend_calls)
req nokeys /refresh-nokeys "$REFRESH" --data-binary @"$T/empty.json"
expect_error nokeys 503 keys_unavailable
check "nokeys: Retry-After" grep -qi '^retry-after: [0-9]' "$T/nokeys.headers"
check "nokeys: never reached the backend" test "$(backend_calls)" = "$calls0"

# ---------------------------------------------------------------- HS256 run
req login-hs /token-hs - --data-binary @"$T/login.json"
expect_code login-hs 200
check "login-hs: both tokens HS256, verified by jwtsign verify" \
	check_pair login-hs "$T/keys/hs.json" HS256 sim2 "$EXP1"
"$PYTHON3" -c 'import sys; print(sys.argv[1].replace("1735689600", sys.argv[2]))' \
	"$REFERENCE_ANSWER" "$EXP1" >"$T/expect1.json"
"$PYTHON3" -c 'import sys; print(sys.argv[1].replace("1735689600", sys.argv[2]))' \
	"$REFERENCE_ANSWER" "$EXP2" >"$T/expect2.json"
check "login-hs: the HMACs recomputed independently (jwtcheck)" \
	jwtcheck signed "$T/login-hs.body" "$T/keys/hs.json" --expect "$T/expect1.json"
HS_REFRESH=$(cat "$T/login-hs.refresh_token" 2>/dev/null || true)
calls0=$(backend_calls)
req refresh-hs /refresh-hs "$HS_REFRESH" --data-binary @"$T/empty.json" -H 'X-User: mallory'
expect_code refresh-hs 200
check "refresh-hs: the backend got X-User: $SUB only" \
	test "$(backend_header "/fresh/$EXP2" X-User)" = "$SUB"
check "refresh-hs: a new HS256 pair (exp $EXP2), HMACs recomputed independently" \
	jwtcheck signed "$T/refresh-hs.body" "$T/keys/hs.json" --expect "$T/expect2.json"
check "refresh-hs: the backend was called once" test "$(backend_calls)" = $((calls0 + 1))
calls0=$(backend_calls)
sig=${HS_REFRESH##*.}
c=${sig:10:1}
[ "$c" = A ] && r=B || r=A
req deny-hs-forged /refresh-hs "${HS_REFRESH%.*}.${sig:0:10}$r${sig:11}" --data-binary @"$T/empty.json"
expect_invalid deny-hs-forged
req deny-hs-es256 /refresh-hs "$REFRESH" --data-binary @"$T/empty.json"
expect_invalid deny-hs-es256
req deny-es-hs256 /refresh "$HS_REFRESH" --data-binary @"$T/empty.json"
expect_invalid deny-es-hs256
check "no denied HS256 refresh reached the backend" test "$(backend_calls)" = "$calls0"

# The access token carries the same iss, aud and keys: KrakenD's pattern
# cannot tell it from a refresh token (reported, not judged).
req access-as-refresh /refresh "$ACCESS" --data-binary @"$T/empty.json"
log "the access token offered to /refresh gets $(cat "$T/access-as-refresh.code")"

stop_pid "$LIGHTTPD_PID"
no_secret_in "$T"/*.body "$T/lighttpd-error.log" "$T/lighttpd.log"

finish
