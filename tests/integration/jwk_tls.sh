#!/bin/bash
# jwk_tls.sh - jwk_url over TLS, through jwtsign as a CGI program, against
# local JWK Set servers (jwk_server.py) whose certificate chain (root CA ->
# intermediate -> 127.0.0.1) is made at test time with certtool: trust
# through jwk_local_ca, pins on the leaf and on the intermediate, a pin
# mismatch and a wrong CA refused before any request, http:// without and
# with disable_jwk_security, a cipher-suite restriction the server cannot
# meet, unknown suites, redirects, and check-config's report of where the
# keys came from.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool timeout
tls_make_certs

start_stub
mkdir -p "$T/jwks"
cp "$DEMO_JWKS" "$T/jwks/keys.json"
printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
start_jwk_server SRV "$T/jwks"
start_jwk_server PLAIN "$T/jwks" --plain
start_jwk_server T12 "$T/jwks" --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
CA=$CERTS/tls-root.pem
K=$SRV_URL/keys.json
log "JWK servers: $SRV_URL (TLS 1.2/1.3), $PLAIN_URL (plain), $T12_URL (TLS 1.2, AES-256-GCM only)"

# tcase NAME STATUS KEYS_JSON: a config whose /token takes its keys as
# KEYS_JSON says, one CGI request with a fresh cache, expect STATUS; a 200
# must carry the reference answer signed with the demo key.
tcase() {
	local name=$1 status=$2 keys=$3
	write_config "$T/$name.json" "" "$(signer_ep /token sim2 "$keys")"
	CACHE_DIR=$T/cache-$name
	cgi_post "$name" "$T/$name.json" /token
	expect_status "$name" "$status"
	if [ "$status" = 200 ]; then
		check "$name: signed with the key from the server" \
			jwtcheck signed "$T/$name.body" "$DEMO_JWKS" --expect "$T/reference.json" \
			--keys access_token,refresh_token --kid sim2
	fi
}

# ---------------------------------------------------------------- trust
tcase local_ca 200 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\""
expect_log local_ca "JWK Set downloaded from $K"
tcase no_ca 503 "\"jwk_url\":\"$K\""
expect_log no_ca "the server's certificate is not trusted"
expect_log no_ca "$K"
tcase wrong_ca 503 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CERTS/tls-other.pem\""
expect_log wrong_ca "the server's certificate is not trusted"
tcase missing_ca 503 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$T/no-such-ca.pem\""
expect_log missing_ca "no-such-ca.pem"

# ---------------------------------------------------------------- pins
tcase pin_leaf 200 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin leaf url)\"]"
tcase pin_int 200 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin int)\"]"
tcase pin_any 200 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin other)\",\"$(pin int url)\"]"
before=$(jwk_hits "$SRV_URL" keys.json)
tcase pin_mismatch 503 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin other)\"]"
expect_log pin_mismatch "no certificate of the chain presented by 127.0.0.1 port $SRV_PORT matches jwk_fingerprints"
expect_log pin_mismatch "$(pin leaf)"
tcase pin_root 503 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin root)\"]"
expect_hits "$SRV_URL" keys.json "$before" "refused pins: no request was sent"
tcase pin_insecure 503 "\"jwk_url\":\"$K\",\"disable_jwk_security\":true,\"jwk_fingerprints\":[\"$(pin other)\"]"
expect_log pin_insecure "jwk_fingerprints"
# An attacker's leaf from a trusted CA with the genuine pinned leaf
# appended to its chain: the pin is compared with the path (the attacker's
# leaf and its issuer) only, so the appended certificate matches nothing.
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' \
	>"$T/evil.tmpl"
certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$T/evil.key" >/dev/null 2>&1
certtool --generate-certificate --load-privkey "$T/evil.key" --load-ca-certificate "$CERTS/tls-int.pem" \
	--load-ca-privkey "$CERTS/tls-int.key" --template "$T/evil.tmpl" --outfile "$T/evil.pem" >/dev/null 2>&1 ||
	hard_error "certtool could not make the attacker's leaf"
cat "$T/evil.pem" "$CERTS/tls-int.pem" "$CERTS/tls-leaf.pem" >"$T/evil-chain.pem"
start_jwk_server EVIL "$T/jwks" --cert "$T/evil-chain.pem" --key "$T/evil.key"
EK=$EVIL_URL/keys.json
tcase evil_trusted 200 "\"jwk_url\":\"$EK\",\"jwk_local_ca\":\"$CA\""
before=$(jwk_hits "$EVIL_URL" keys.json)
tcase evil_pin_appended 503 "\"jwk_url\":\"$EK\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin leaf)\"]"
expect_log evil_pin_appended "matches jwk_fingerprints"
expect_hits "$EVIL_URL" keys.json "$before" "appended pinned certificate: no request was sent"
tcase evil_pin_int 200 "\"jwk_url\":\"$EK\",\"jwk_local_ca\":\"$CA\",\"jwk_fingerprints\":[\"$(pin int)\"]"
tcase pin_bad 503 "\"jwk_url\":\"$K\",\"jwk_fingerprints\":[\"not-a-pin\"]"

# ---------------------------------------------------------------- http
tcase http_refused 503 "\"jwk_url\":\"$PLAIN_URL/keys.json\""
expect_log http_refused "disable_jwk_security"
tcase http_insecure 200 "\"jwk_url\":\"$PLAIN_URL/keys.json\",\"disable_jwk_security\":true"
expect_log http_insecure "disable_jwk_security"
tcase https_insecure 200 "\"jwk_url\":\"$K\",\"disable_jwk_security\":true"
tcase redirect 200 "\"jwk_url\":\"$SRV_URL/redirect/keys.json\",\"jwk_local_ca\":\"$CA\""

# ---------------------------------------------------------------- cipher suites
before=$(jwk_hits "$T12_URL" keys.json)
tcase cipher_unmet 503 "\"jwk_url\":\"$T12_URL/keys.json\",\"jwk_local_ca\":\"$CA\",\"cipher_suites\":[49199]"
expect_log cipher_unmet "$T12_URL/keys.json"
expect_hits "$T12_URL" keys.json "$before" "unmet cipher suites: no request was sent"
tcase cipher_tls13_only 503 "\"jwk_url\":\"$T12_URL/keys.json\",\"jwk_local_ca\":\"$CA\",\"cipher_suites\":[4865,4866,4867]"
tcase cipher_met 200 "\"jwk_url\":\"$T12_URL/keys.json\",\"jwk_local_ca\":\"$CA\",\"cipher_suites\":[49199,49200]"
expect_log cipher_met "TLS1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
tcase cipher_default 200 "\"jwk_url\":\"$T12_URL/keys.json\",\"jwk_local_ca\":\"$CA\""
tcase cipher_unknown 503 "\"jwk_url\":\"$K\",\"jwk_local_ca\":\"$CA\",\"cipher_suites\":[1234]"
expect_log cipher_unknown "1234"

# ---------------------------------------------------------------- check-config
CACHE_DIR=$T/cache-local_ca
JWTSIGN_CACHE_DIR=$CACHE_DIR "$JWTSIGN" check-config -c "$T/local_ca.json" \
	>"$T/check.out" 2>"$T/check.err" || true
if grep -qE "^POST /token: ok: .*keys from url $K, cache $CACHE_DIR/jwks-[0-9a-f]{32}\.cache, fetched [0-9]+ s ago" \
	"$T/check.out"; then
	pass "check-config: keys from the URL, through the cache, with their age"
else
	fail "check-config does not say where the keys came from" "$T/check.out" "$T/check.err"
fi
JWTSIGN_CACHE_DIR=$CACHE_DIR "$JWTSIGN" check-config -c "$T/pin_mismatch.json" \
	>"$T/check2.out" 2>"$T/check2.err" || true
if grep -qE "^POST /token: error: .*jwk_fingerprints.*\(keys from url $K" "$T/check2.err"; then
	pass "check-config: a pin mismatch is reported with the URL"
else
	fail "check-config does not report the pin mismatch" "$T/check2.out" "$T/check2.err"
fi

no_secret_in "$T"/*.err "$T"/*.out "$T/check.out"
finish
