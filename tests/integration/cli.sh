#!/bin/bash
# cli.sh - the command-line side of jwtsign: `sign` against a fixed
# reference token, --full, --typ, several lines; `check-config`; usage and
# --version/--help exit statuses.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool timeout
require_tool curl

JWKS=$T/symmetric.json
cp "$DEMO_JWKS" "$JWKS"
CLAIMS='{"sub":"u-42","aud":"https://api.example/v1","exp":1735689600}'
# HS256 over the Go encoding of CLAIMS with the header
# {"alg":"HS256","kid":"sim2","typ":"JWT"} and the demo key; computed
# independently (python3 hmac) - do not regenerate with jwtsign.
REF_TOKEN=eyJhbGciOiJIUzI1NiIsImtpZCI6InNpbTIiLCJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlL3YxIiwiZXhwIjoxNzM1Njg5NjAwLCJzdWIiOiJ1LTQyIn0.mZSK32sQOXnlHrOAVXwnGZYtjMu415MUtqMBkoS5xm0

# run NAME CMD...: run jwtsign (bounded), stdin from $T/NAME.in when it
# exists, else /dev/null; leaves $T/NAME.{out,err,rc}.
run() {
	local name=$1 in=/dev/null rc=0
	shift
	[ -e "$T/$name.in" ] && in=$T/$name.in
	env -u GATEWAY_INTERFACE -u JWTSIGN_CONFIG timeout 20 "$JWTSIGN" "$@" \
		<"$in" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	echo "$rc" >"$T/$name.rc"
}
rc_of() { cat "$T/$1.rc"; }

expect_rc() {
	if [ "$(rc_of "$1")" = "$2" ]; then
		pass "$1: exit status $2"
	else
		fail "$1: exit status $(rc_of "$1"), expected $2" "$T/$1.out" "$T/$1.err"
	fi
}

# --- sign ---------------------------------------------------------------------
printf '%s\n' "$CLAIMS" >"$T/sign.in"
run sign sign --jwks "$JWKS" --kid sim2 --alg HS256
expect_rc sign 0
if [ "$(cat "$T/sign.out")" = "$REF_TOKEN" ]; then
	pass "sign: reference token reproduced byte for byte"
else
	fail "sign: token differs from the reference" "$T/sign.out" "$T/sign.err"
fi

printf '%s' "$CLAIMS" >"$T/sign-noeol.in"
run sign-noeol sign --jwks "$JWKS" --kid sim2 --alg HS256
expect_rc sign-noeol 0
check "sign-noeol: last line without newline is signed" test "$(cat "$T/sign-noeol.out")" = "$REF_TOKEN"

{
	printf '%s\n' "$CLAIMS"
	printf '%s\n' '{"sub":"second","n":2,"nested":{"b":1,"a":[true,null]}}'
	printf '%s\n' '{"sub":"<third>&"}'
} >"$T/multi.in"
run multi sign --jwks "$JWKS" --kid sim2 --alg HS256
expect_rc multi 0
if [ "$(wc -l <"$T/multi.out")" -eq 3 ]; then
	pass "multi: three lines in, three tokens out"
else
	fail "multi: expected 3 tokens" "$T/multi.out" "$T/multi.err"
fi
check "multi: first token is the reference" test "$(sed -n 1p "$T/multi.out")" = "$REF_TOKEN"
check "multi: second token verified (Go encoding, sorted nested keys)" \
	jwtcheck token "$(sed -n 2p "$T/multi.out")" "$JWKS" \
	--claims '{"sub":"second","n":2,"nested":{"b":1,"a":[true,null]}}'
check "multi: third token verified (<>& escaped as Go does)" \
	jwtcheck token "$(sed -n 3p "$T/multi.out")" "$JWKS" --claims '{"sub":"<third>&"}'

printf '%s\n' "$CLAIMS" >"$T/full.in"
run full sign --jwks "$JWKS" --kid sim2 --alg HS256 --full
expect_rc full 0
check "full: flattened JWS {payload,protected,signature} matching the reference" \
	jwtcheck full "$T/full.out" "$JWKS" --compact "$REF_TOKEN"

printf '%s\n' "$CLAIMS" >"$T/typ.in"
run typ sign --jwks "$JWKS" --kid sim2 --alg HS256 --typ at+jwt
expect_rc typ 0
check "typ: header typ at+jwt, token verified" \
	jwtcheck token "$(cat "$T/typ.out")" "$JWKS" --typ at+jwt --claims "$CLAIMS"

printf '%s\n' "$CLAIMS" >"$T/badkid.in"
run badkid sign --jwks "$JWKS" --kid nope --alg HS256
check "badkid: unknown kid fails" test "$(rc_of badkid)" -ne 0
check "badkid: no token printed" test ! -s "$T/badkid.out"

printf '%s\n' "$CLAIMS" >"$T/badalg.in"
run badalg sign --jwks "$JWKS" --kid sim2 --alg RS256
check "badalg: RS256 with an oct key fails" test "$(rc_of badalg)" -ne 0
check "badalg: no token printed" test ! -s "$T/badalg.out"

printf 'not json\n' >"$T/badclaims.in"
run badclaims sign --jwks "$JWKS" --kid sim2 --alg HS256
check "badclaims: invalid claims line fails" test "$(rc_of badclaims)" -ne 0

# --- check-config -------------------------------------------------------------
start_stub # in case check-config probes the backend
write_config "$T/good.json" "" "$(ep /token /token-issuer)" "$(ep /refresh /token-issuer)"
write_config "$T/bad.json" "" "$(ep /token /token-issuer | sed 's/"kid":"sim2"/"kid":"not-in-set"/')"
printf '{"version":3,"endpoints":[' >"$T/broken.json"

run cc-good check-config -c "$T/good.json"
expect_rc cc-good 0
# one line per endpoint (a summary line may follow)
for e in /token /refresh; do
	if [ "$(grep -c -E "(^| )$e(:| |\$)" "$T/cc-good.out")" -eq 1 ]; then
		pass "cc-good: one line for $e"
	else
		fail "cc-good: expected one line naming $e" "$T/cc-good.out" "$T/cc-good.err"
	fi
done

run cc-bad check-config -c "$T/bad.json"
expect_rc cc-bad 1
check "cc-bad: names the endpoint" grep -q /token "$T/cc-bad.out" "$T/cc-bad.err"

# One unusable endpoint among usable ones: the summary counts the others.
write_config "$T/mixed.json" "" "$(ep /token /token-issuer)" \
	"$(EP_KEYS="\"jwk_local_path\":\"$T/no-such-key.json\"" ep /token2 /token-issuer)" \
	"$(ep /token3 /token-issuer)"
run cc-mixed check-config -c "$T/mixed.json"
expect_rc cc-mixed 1
check "cc-mixed: 3 endpoints, 2 usable, some not" \
	grep -q ': 3 endpoint(s), 2 usable, some not$' "$T/cc-mixed.out"

run cc-broken check-config -c "$T/broken.json"
expect_rc cc-broken 1
check "cc-broken: the configuration error, once, on stderr" \
	test "$(grep -c 'configuration error' "$T/cc-broken.err")" = 1 \
	-a "$(wc -l <"$T/cc-broken.err")" = 1 -a ! -s "$T/cc-broken.out"

# KrakenD's refresh pattern (validator and signer on one endpoint): served,
# its validator's keys loaded and checked like the signer's.
write_config "$T/refresh.json" "" "$(ep /token /token-issuer)" \
	"$(ep /refresh /token-issuer | sed "s|\"extra_config\":{|\"extra_config\":{\"auth/validator\":{\"alg\":\"HS256\",\"jwk_local_path\":\"$T/symmetric.json\"},|")"
run cc-refresh check-config -c "$T/refresh.json"
expect_rc cc-refresh 0
check "cc-refresh: /refresh is ok" grep -q '^POST /refresh: ok' "$T/cc-refresh.out"
check "cc-refresh: /token is ok" grep -q '^POST /token: ok' "$T/cc-refresh.out"

# A protected endpoint (validator, no signer): loaded, its backend (none
# here) is the web server's; check-config names it and still exits 0.
write_config "$T/protected.json" "" "$(ep /token /token-issuer)" \
	"{\"endpoint\":\"/api/{id}\",\"extra_config\":{\"auth/validator\":{\"alg\":\"HS256\",\"jwk_local_path\":\"$T/symmetric.json\"}}}"
run cc-protected check-config -c "$T/protected.json"
expect_rc cc-protected 0
check "cc-protected: the protected line" grep -q '^GET /api/{id}: ok: protected (validated by the authorizer; its backend is served by the web server), alg HS256, 1 key(s) to verify with from file ' "$T/cc-protected.out"

# A validator whose alg no key can verify denies every token: an error.
write_config "$T/protected-rs.json" "" "$(ep /token /token-issuer)" \
	"{\"endpoint\":\"/api/{id}\",\"extra_config\":{\"auth/validator\":{\"alg\":\"RS256\",\"jwk_local_path\":\"$T/symmetric.json\"}}}"
run cc-protected-rs check-config -c "$T/protected-rs.json"
expect_rc cc-protected-rs 1
check "cc-protected-rs: says no key verifies RS256" \
	grep -q '^GET /api/{id}: error: auth/validator: alg RS256, but no key of file .* can verify it' "$T/cc-protected-rs.err"
check "cc-protected: the summary counts it apart" grep -q ': 1 endpoint(s), 1 usable, 1 protected$' "$T/cc-protected.out"

# Settings jwtsign does not honour are named (stderr), with "did you mean"
# for typos; exit 2 when everything else is usable; -q prints only problems.
write_config "$T/ignored.json" ',"port":8080,"cache_tl":"1m","extra_config":{"security/http":{}}' \
	"$(ep /token /token-issuer | sed 's/"extra_config":{/"concurrent_calls":2,"extra_config":{"qos\/ratelimit\/router":{"max_rate":10},"validation\/json-schema":{},/; s/"kid":"sim2"/"kid":"sim2","my_comment":"x"/')"
run cc-ignored check-config -c "$T/ignored.json"
expect_rc cc-ignored 2
for want in \
	'endpoint "/token": extra_config: namespace "validation/json-schema" is ignored: request bodies are not checked' \
	'endpoint "/token": setting "concurrent_calls" is ignored' \
	'extra_config "auth/signer": unknown setting "my_comment" ignored' \
	'unknown setting "cache_tl" ignored (did you mean "cache_ttl"?)' \
	'extra_config: namespace "security/http" is ignored'; do
	check "cc-ignored: stderr names: $want" grep -qF "$want" "$T/cc-ignored.err"
done
check "cc-ignored: KrakenD's own listener settings (port) are not noise" not grep -q '"port"' "$T/cc-ignored.err"
check "cc-ignored: the summary says some settings are ignored" grep -q 'some settings ignored' "$T/cc-ignored.out"
# A likely typo of a setting jwtsign honours is an error: the pins of
# "jwk_fingerprints" would be dropped in silence.
write_config "$T/typo.json" "" \
	"$(ep /token /token-issuer | sed 's/"kid":"sim2"/"kid":"sim2","jwk_fingerprint":["x"]/')"
run cc-typo check-config -c "$T/typo.json"
expect_rc cc-typo 1
check "cc-typo: refused, with the setting it is likely a typo of" \
	grep -qF 'unknown setting "jwk_fingerprint" (did you mean "jwk_fingerprints"?): refused' "$T/cc-typo.err"
run cc-quiet check-config -q -c "$T/good.json"
expect_rc cc-quiet 0
check "cc-quiet: nothing printed when all is well" test ! -s "$T/cc-quiet.out" -a ! -s "$T/cc-quiet.err"
run cc-quiet-ignored check-config -q -c "$T/ignored.json"
expect_rc cc-quiet-ignored 2
check "cc-quiet-ignored: only the problems, on stderr" test ! -s "$T/cc-quiet-ignored.out" -a -s "$T/cc-quiet-ignored.err"

# check-config never reports a failure recorded in the shared cache
# without trying again: 3 failed downloads (the next attempt 4 s away for
# the server), then the JWK Set is there: check-config loads it at once.
KPORT=$(free_port)
mkdir -p "$T/kdir" -m 700 "$T/kcache"
cp "$DEMO_JWKS" "$T/kdir/keys.json"
write_config "$T/kurl.json" "" \
	"$(EP_KEYS="\"jwk_url\":\"http://127.0.0.1:$KPORT/keys.json\",\"disable_jwk_security\":true" ep /token /token-issuer)"
for i in 1 2 3; do
	JWTSIGN_CACHE_DIR=$T/kcache "$JWTSIGN" check-config -c "$T/kurl.json" >/dev/null 2>&1 || true
done
"$PYTHON3" "$LIB_DIR/jwk_server.py" --port "$KPORT" --dir "$T/kdir" --log "$T/kserver.log" \
	</dev/null >>"$T/kserver.log" 2>&1 &
track_pid $!
wait_http "http://127.0.0.1:$KPORT/hits" || hard_error "jwk_server did not start"
JWTSIGN_CACHE_DIR=$T/kcache run cc-retry check-config -c "$T/kurl.json"
check "cc-retry: the keys load although 3 failures are recorded (exit $(rc_of cc-retry))" \
	grep -q '^POST /token: ok' "$T/cc-retry.out"
# As root without JWTSIGN_CACHE_DIR, check-config keeps a private cache and
# removes it: nothing of its own is left for the server's users.
if [ "$(id -u)" -eq 0 ]; then
	before=$(ls -d /tmp/jwtsign-check-config.* 2>/dev/null | wc -l)
	(
		unset JWTSIGN_CACHE_DIR
		run cc-root check-config -c "$T/kurl.json"
	)
	check "cc-root: the keys came through a private cache" \
		grep -q 'cache /tmp/jwtsign-check-config\.' "$T/cc-root.out"
	check "cc-root: the private cache is removed" \
		test "$(ls -d /tmp/jwtsign-check-config.* 2>/dev/null | wc -l)" = "$before"
fi

# --user NAME: every file the configuration names is readable by the
# worker's user (root only: the test needs another user).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/ukeys"
	chmod 755 "$T" "$T/ukeys"
	cp "$DEMO_JWKS" "$T/ukeys/keys.json"
	chmod 600 "$T/ukeys/keys.json"
	UKEYS="\"jwk_local_path\":\"$T/ukeys/keys.json\""
	write_config "$T/ucfg.json" "" "$(EP_KEYS=$UKEYS ep /token /token-issuer)" \
		"$(EP_KEYS=$UKEYS ep /token2 /token-issuer)"
	chmod 644 "$T/ucfg.json"
	run cc-user check-config -c "$T/ucfg.json" --user nobody
	expect_rc cc-user 1
	check "cc-user: the key file is named as not readable by nobody, once for 2 endpoints" \
		test "$(grep -c "keys.json: error: not readable by user nobody: .*keys.json (mode 0600" "$T/cc-user.err")" = 1
	check "cc-user: the summary counts the endpoints and names the user" \
		grep -q ': 2 endpoint(s), 2 usable, files unreadable by nobody$' "$T/cc-user.out"
	chmod 644 "$T/ukeys/keys.json"
	run cc-user-ok check-config -c "$T/ucfg.json" --user nobody
	expect_rc cc-user-ok 0
	run cc-user-none check-config -c "$T/ucfg.json" --user no-such-user-jwtsign
	expect_rc cc-user-none 1
fi

JWTSIGN_CONFIG=$T/good.json
export JWTSIGN_CONFIG
rc=0
env -u GATEWAY_INTERFACE timeout 20 "$JWTSIGN" check-config </dev/null >"$T/cc-env.out" 2>"$T/cc-env.err" || rc=$?
unset JWTSIGN_CONFIG
check "cc-env: \$JWTSIGN_CONFIG used when -c is absent" test "$rc" -eq 0

# --- genkey -o ---------------------------------------------------------------
# A new file (mode 0600); an existing one is never replaced without --force,
# and with --force only a regular file of the caller's; never through a
# symbolic link; no temporary file is left.
mkdir -p "$T/keys"
run gk-new genkey --kty oct --kid k1 -o "$T/keys/a.json"
check "genkey -o: a new file, exit 0 ($(cat "$T/gk-new.err"))" test "$(rc_of gk-new)" = 0
check "genkey -o: mode 0600" test "$(stat -c %a "$T/keys/a.json")" = 600
check "genkey -o: a JWK Set" grep -q '"kty":"oct"' "$T/keys/a.json"
cp "$T/keys/a.json" "$T/keys/a.before"
run gk-exists genkey --kty oct --kid k2 -o "$T/keys/a.json"
check "genkey -o an existing file: exit 1" test "$(rc_of gk-exists)" = 1
check "genkey -o an existing file: says --force" grep -q 'exists (use --force to replace it)' "$T/gk-exists.err"
check "genkey -o an existing file: unchanged" cmp -s "$T/keys/a.json" "$T/keys/a.before"
run gk-force genkey --kty oct --kid k3 -o "$T/keys/a.json" --force
check "genkey -o --force: replaced (exit $(rc_of gk-force))" grep -q '"kid":"k3"' "$T/keys/a.json"
check "genkey -o --force: mode 0600" test "$(stat -c %a "$T/keys/a.json")" = 600
echo precious >"$T/keys/target"
ln -s "$T/keys/target" "$T/keys/link.json"
run gk-link genkey --kty oct --kid k4 -o "$T/keys/link.json" --force
check "genkey -o a symbolic link, even with --force: exit 1" test "$(rc_of gk-link)" = 1
check "genkey -o a symbolic link: its target unchanged" test "$(cat "$T/keys/target")" = precious
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	echo theirs >"$T/keys/theirs.json"
	chown nobody "$T/keys/theirs.json"
	run gk-theirs genkey --kty oct --kid k5 -o "$T/keys/theirs.json" --force
	check "genkey -o --force a file of another user: refused" test "$(rc_of gk-theirs)" = 1
	check "genkey -o --force a file of another user: unchanged" test "$(cat "$T/keys/theirs.json")" = theirs
fi
run gk-noout genkey --kty oct --kid k6 --force
check "genkey --force without -o: usage error (64)" test "$(rc_of gk-noout)" = 64
check "genkey: no temporary file left" test -z "$(find "$T/keys" -name '*.json.*')"

# --- usage ------------------------------------------------------------------------
run usage
expect_rc usage 64
check "usage: explains itself" grep -qi usage "$T/usage.out" "$T/usage.err"

run badopt --no-such-option
expect_rc badopt 64

run version --version
expect_rc version 0
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$TOP_BUILDDIR/autoconfig.h" 2>/dev/null || true)
if [ -n "$version" ]; then
	check "version: prints $version" grep -qF "$version" "$T/version.out"
else
	check "version: prints a version number" grep -Eq '[0-9]+\.[0-9]+' "$T/version.out"
fi

run help --help
expect_rc help 0
check "help: mentions sign and check-config" \
	bash -c 'grep -q check-config "$1" && grep -qw sign "$1"' _ "$T/help.out"

no_secret_in "$T"/*.out "$T"/*.err

finish
