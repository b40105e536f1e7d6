#!/bin/bash
# pkcs11.sh - signing keys that stay on a PKCS#11 token (key_uri), with a
# private SoftHSM2 token (SOFTHSM2_CONF in $T) standing in for an HSM:
# ES256, RS256, PS256 and EdDSA keys made on the token non-interactively,
# /token served through lighttpd (mod_fastcgi, 2 workers) with each, every
# token verified by python3-jwcrypto with the public keys p11tool exports
# from the token, the jwks_endpoint keys equal to those, the CLI, and a
# wrong PIN or a missing object refused at start with one line (check-config
# and the worker's log) that names the URI with its pin-value redacted; a
# pin_file fixed while the server runs is used within seconds; a token
# that disappears gives 503 keys_unavailable and signs again when it is
# back, without a restart.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool softhsm2-util
require_tool pkcs11-tool
require_tool p11tool
find_lighttpd
"$PYTHON3" -c 'import jwcrypto' 2>/dev/null || skip "python3-jwcrypto not installed"

MODULE=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so \
	/usr/local/lib/softhsm/libsofthsm2.so; do
	[ -r "$m" ] && MODULE=$m && break
done
[ -n "$MODULE" ] || skip "libsofthsm2.so not found"

# Under --enable-sanitizers: SoftHSM leaks a few OpenSSL objects per
# Ed25519 signature (inside libsofthsm2, in libcrypto, which jwtsign
# itself never uses), so LeakSanitizer is told to ignore libcrypto.
printf 'leak:libcrypto.so\nleak:libsofthsm2.so\n' >"$T/lsan.supp"
export LSAN_OPTIONS="suppressions=$T/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# A private token directory: nothing of the system's SoftHSM is touched.
PIN=31415926
# A second token for the wrong PINs, in its own token directory
# (BAD_CONF): SoftHSM records a failed login in the token's file, and a
# process that scans the directory at that moment may find it
# half-written ("PKCS #11 error").  Not named jwtsign-*: pkcs11-tool
# --token-label matches a prefix.
mkdir -p "$T/tokens" "$T/tokens-bad" "$T/www"
for d in tokens tokens-bad; do
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T/$d" >"$T/softhsm2-$d.conf"
done
BAD_CONF=$T/softhsm2-tokens-bad.conf
export SOFTHSM2_CONF=$T/softhsm2-tokens.conf
softhsm2-util --init-token --free --label jwtsign --pin "$PIN" --so-pin 56781234 \
	>"$T/init.log" 2>&1 || hard_error "softhsm2-util --init-token failed: $(cat "$T/init.log")"
SOFTHSM2_CONF=$BAD_CONF softhsm2-util --init-token --free --label badpin --pin "$PIN" \
	--so-pin 56781234 >>"$T/init.log" 2>&1 ||
	hard_error "softhsm2-util --init-token failed: $(cat "$T/init.log")"
# jwtsign (GnuTLS) finds the module through p11-kit's registry.
p11tool --list-tokens 2>/dev/null | grep -qE 'token=jwtsign(;|$)' ||
	skip "p11-kit does not load SoftHSM (no softhsm2.module in p11-kit's registry)"

keygen() { # LABEL ID KEY-TYPE [TOKEN]
	pkcs11-tool --module "$MODULE" --token-label "${4:-jwtsign}" --login --pin "$PIN" --keypairgen \
		--key-type "$3" --label "$1" --id "$2" >>"$T/keygen.log" 2>&1 ||
		hard_error "pkcs11-tool --keypairgen $3 failed: $(tail -5 "$T/keygen.log")"
}
keygen es256 01 EC:prime256v1
keygen rsa 02 rsa:2048
keygen ed 03 EC:edwards25519
SOFTHSM2_CONF=$BAD_CONF keygen es256 01 EC:prime256v1 badpin
for o in es256 rsa ed; do
	GNUTLS_PIN=$PIN p11tool --login --export-pubkey --outfile "$T/$o.pem" \
		"pkcs11:token=jwtsign;object=$o" >>"$T/export.log" 2>&1 </dev/null ||
		hard_error "p11tool --export-pubkey $o failed: $(tail -5 "$T/export.log")"
done
SOFTHSM2_CONF=$BAD_CONF GNUTLS_PIN=$PIN p11tool --login --export-pubkey --outfile "$T/bad-es256.pem" \
	"pkcs11:token=badpin;object=es256" >>"$T/export.log" 2>&1 </dev/null ||
	hard_error "p11tool --export-pubkey failed: $(tail -5 "$T/export.log")"
printf "%s\n" "$PIN" >"$T/pin"
# public_jwk_path: the Ed25519 key's public JWK as a file, for a token
# that would not export it.
"$PYTHON3" - "$T/ed.pem" >"$T/ed-pub.json" <<'EOF' || hard_error "cannot write ed-pub.json"
import json, sys
from jwcrypto import jwk
k = json.loads(jwk.JWK.from_pem(open(sys.argv[1], "rb").read()).export_public())
k.update({"kid": "k-edpub", "alg": "EdDSA", "use": "sig", "key_ops": ["verify"]})
print(json.dumps({"keys": [k]}))
EOF
chmod 600 "$T/pin"
start_stub
printf '{"user":"john","pass":"doe"}' >"$T/login.json"

# p11ep PATH ALG KID OBJECT KEYS: one endpoint signing with a token key.
p11ep() {
	printf '{"endpoint":"%s","method":"POST","backend":[{"host":["%s"],"url_pattern":"/token-issuer"}],' \
		"$1" "$STUB_URL"
	printf '"extra_config":{"auth/signer":{"alg":"%s","kid":"%s","keys_to_sign":["access_token","refresh_token"],' \
		"$2" "$3"
	printf '"jwks_endpoint":"/jwks%s",%s}}}' "$1" "$5"
}
good_eps=(
	"$(p11ep /token ES256 k-es256 es256 "\"key_uri\":\"pkcs11:token=jwtsign;object=es256?pin-source=$T/pin\"")"
	"$(p11ep /token-rs RS256 k-rs256 rsa "\"key_uri\":\"pkcs11:token=jwtsign;object=rsa;type=private\",\"pin_file\":\"$T/pin\"")"
	"$(p11ep /token-ps PS256 k-ps256 rsa "\"key_uri\":\"pkcs11:token=jwtsign;object=rsa\",\"pin_file\":\"$T/pin\"")"
	"$(p11ep /token-ed EdDSA k-ed ed "\"key_uri\":\"pkcs11:token=jwtsign;object=ed\",\"pin_file\":\"$T/pin\"")"
	"$(p11ep /token-edpub EdDSA k-edpub ed "\"key_uri\":\"pkcs11:token=jwtsign;object=ed\",\"pin_file\":\"$T/pin\",\"public_jwk_path\":\"$T/ed-pub.json\"")"
)
BADPIN_EP=$(p11ep /token-badpin ES256 k-bad es256 '"key_uri":"pkcs11:token=badpin;object=es256?pin-value=9876"')
NOOBJ_EP=$(p11ep /token-noobj ES256 k-none none "\"key_uri\":\"pkcs11:token=jwtsign;object=nosuchkey\",\"pin_file\":\"$T/pin\"")
write_config "$T/good.json" "" "${good_eps[@]}"
write_config "$T/badpin.json" "" "$BADPIN_EP"
# A wrong PIN in a pin_file, fixed while the server runs.
printf '9876\n' >"$T/wrong.pin"
chmod 600 "$T/wrong.pin"
BADFILE_EP=$(p11ep /token-badfile ES256 k-badfile es256 "\"key_uri\":\"pkcs11:token=badpin;object=es256\",\"pin_file\":\"$T/wrong.pin\"")
write_config "$T/badpin-serve.json" "" "$BADFILE_EP"
write_config "$T/noobj.json" "" "$NOOBJ_EP"
# PKCS#11 logs in once per token and process: a wrong PIN shows only
# where no other key of the token logged in first, so it gets its own
# token and server below.
write_config "$T/jwtsign.json" "" "${good_eps[@]}" "$NOOBJ_EP"

# --- check-config: the good keys sign; a wrong PIN and a missing object are one line each
"$JWTSIGN" check-config -c "$T/good.json" >"$T/cc-good.out" 2>"$T/cc-good.err"
check "check-config: the five token keys open and sign (exit 0)" test $? -eq 0
check "check-config: five ok lines naming pkcs11 URIs" \
	test "$(grep -c ': ok: .*keys from pkcs11 pkcs11:token=jwtsign' "$T/cc-good.out")" -eq 5
rc=0
SOFTHSM2_CONF=$BAD_CONF "$JWTSIGN" check-config -c "$T/badpin.json" >"$T/cc-badpin.out" \
	2>"$T/cc-badpin.err" || rc=$?
check "check-config: a wrong PIN fails (exit $rc)" test "$rc" -ne 0
check "check-config: the wrong PIN is one line" test "$(grep -c 'error:' "$T/cc-badpin.err")" -eq 1
check "check-config: the pin-value in key_uri is named (a notice, as the server logs it)" \
	grep -q 'ignored: .*"key_uri" holds the PIN (pin-value)' "$T/cc-badpin.err"
check "check-config: it says wrong PIN and names the URI, pin-value redacted" \
	grep -q 'error: pkcs11:token=badpin;object=es256?pin-value=REDACTED: the token refused the PIN (wrong PIN)' "$T/cc-badpin.err"
check "check-config: the PIN itself is not shown" not grep -q 9876 "$T/cc-badpin.err" "$T/cc-badpin.out"
rc=0
"$JWTSIGN" check-config -c "$T/noobj.json" >"$T/cc-noobj.out" 2>"$T/cc-noobj.err" || rc=$?
check "check-config: a missing object fails (exit $rc)" test "$rc" -ne 0
check "check-config: the missing object is one line" test "$(grep -c . "$T/cc-noobj.err")" -eq 1
check "check-config: it names the URI and says no such key" \
	grep -q 'error: pkcs11:token=jwtsign;object=nosuchkey: no such private key' "$T/cc-noobj.err"

# The shipped example, with the test's key and PIN file.
sed -e 's|object=jwtsign-es256|object=es256|' -e "s|/etc/jwtsign/token.pin|$T/pin|" \
	"$TOP_SRCDIR/fcgi-conf/pkcs11-signer.json" >"$T/example.json"
"$JWTSIGN" check-config -c "$T/example.json" >"$T/cc-example.out" 2>"$T/cc-example.err"
check "check-config: fcgi-conf/pkcs11-signer.json is usable (exit 0)" test $? -eq 0

# A PIN file every user can read, or an empty one, is refused before the
# token is asked (an empty PIN would use up one of its tries).
for kind in open empty; do
	if [ "$kind" = open ]; then printf '%s\n' "$PIN"; else printf '\n'; fi >"$T/$kind.pin"
	chmod 600 "$T/$kind.pin"
	[ "$kind" = open ] && chmod 644 "$T/$kind.pin"
	rc=0
	echo '{"sub":"cli"}' | "$JWTSIGN" sign --key-uri "pkcs11:token=jwtsign;object=ed" \
		--pin-file "$T/$kind.pin" --kid k-ed --alg EdDSA >/dev/null 2>"$T/pin-$kind.err" || rc=$?
	check "a PIN file that is $kind is refused by name ($(head -c 200 "$T/pin-$kind.err"))" \
		test "$rc" -ne 0 -a -n "$(grep -E "PIN file .*$kind.pin (is readable or writable by every user|is empty)" "$T/pin-$kind.err")"
done
# A PIN-VALUE in capitals is a PIN too: never shown.
rc=0
echo '{"sub":"cli"}' | "$JWTSIGN" sign --key-uri "pkcs11:token=nosuch;object=ed?PIN-VALUE=S3cretPin" \
	--kid k-ed --alg EdDSA >/dev/null 2>"$T/pin-caps.err" || rc=$?
check "a PIN-VALUE in capitals is redacted ($(head -c 200 "$T/pin-caps.err"))" \
	test "$rc" -ne 0 -a -z "$(grep S3cretPin "$T/pin-caps.err")"

# --- the CLI: sign --key-uri
echo '{"sub":"cli"}' | "$JWTSIGN" sign --key-uri "pkcs11:token=jwtsign;object=ed" \
	--pin-file "$T/pin" --kid k-ed --alg EdDSA >"$T/cli.jwt" 2>"$T/cli.err"
check "sign --key-uri: exit 0" test $? -eq 0
printf '{"access_token":"%s","refresh_token":"%s"}' "$(cat "$T/cli.jwt")" "$(cat "$T/cli.jwt")" \
	>"$T/cli.json"
check "sign --key-uri: the EdDSA token verifies with the token's public key" \
	"$PYTHON3" "$LIB_DIR/pkcs11_check.py" verify "$T/cli.json" "$T/ed.pem" EdDSA k-ed

# --- lighttpd: two FastCGI workers, each opening the keys itself
# lighttpd_conf CONFIG NAME PROCS SOFTHSM2_CONF: a lighttpd configuration
# template serving jwtsign with CONFIG in PROCS workers; NAME tells the
# socket and logs apart.
lighttpd_conf() {
	cat <<EOF
server.modules = ("mod_fastcgi")
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/$2-error.log"
fastcgi.server = ("/" => ((
	"socket" => "$T/$2.sock",
	"bin-path" => "$JWTSIGN",
	"max-procs" => $3,
	"bin-environment" => (
		"JWTSIGN_CONFIG" => "$1",
		"JWTSIGN_LOG_LEVEL" => "info",
		"SOFTHSM2_CONF" => "$4",
	),
	"check-local" => "disable",
)))
EOF
}
lighttpd_conf "$T/badpin-serve.json" badpin 1 "$BAD_CONF" >"$T/lighttpd-badpin.conf.in"
start_lighttpd "$T/lighttpd-badpin.conf.in"
BADPIN_URL=$LIGHTTPD_URL
lighttpd_conf "$T/jwtsign.json" main 2 "$SOFTHSM2_CONF" >"$T/lighttpd.conf.in"
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL
log "lighttpd on $URL (pid $LIGHTTPD_PID), stub backend on $STUB_URL"

# req NAME PATH [curl args...]: leaves $T/NAME.{code,body}.
req() {
	local name=$1 path=$2 url=$URL
	shift 2
	curl -sS --max-time 20 -o "$T/$name.body" -w '%{http_code}' "$@" "$url$path" \
		>"$T/$name.code" 2>"$T/$name.curl-err" || true
}
post() { req "$1" "$2" -H 'Content-Type: application/json' --data-binary @"$T/login.json"; }
expect_code() {
	if [ "$(cat "$T/$1.code")" = "$2" ]; then
		pass "$1: status $2"
	else
		fail "$1: status $(cat "$T/$1.code"), expected $2" "$T/$1.body" "$T/lighttpd.log"
	fi
}

for spec in "/token ES256 k-es256 es256" "/token-rs RS256 k-rs256 rsa" \
	"/token-ps PS256 k-ps256 rsa" "/token-ed EdDSA k-ed ed" "/token-edpub EdDSA k-edpub ed"; do
	read -r path alg kid obj <<<"$spec"
	name=$alg-$kid
	# Two requests: both workers sign (the balancer alternates).
	for n in 1 2; do
		post "$name-$n" "$path"
		expect_code "$name-$n" 200
		check "$name-$n: both tokens verify with the public key exported from the token" \
			"$PYTHON3" "$LIB_DIR/pkcs11_check.py" verify "$T/$name-$n.body" "$T/$obj.pem" "$alg" "$kid"
	done
	req "jwks-$name" "/jwks$path"
	expect_code "jwks-$name" 200
	check "jwks-$name: the published key equals the token's exported public key" \
		"$PYTHON3" "$LIB_DIR/pkcs11_check.py" jwks "$T/jwks-$name.body" "$T/$obj.pem" "$alg" "$kid"
done

check "jwks-EdDSA-k-edpub: published from public_jwk_path (its key_ops)" \
	grep -q '"key_ops":\["verify"\]' "$T/jwks-EdDSA-k-edpub.body"

URL=$BADPIN_URL post badpin /token-badfile
expect_code badpin 503
check "badpin: keys_unavailable" jwtcheck error "$T/badpin.body" keys_unavailable
post noobj /token-noobj
expect_code noobj 503
check "noobj: keys_unavailable" jwtcheck error "$T/noobj.body" keys_unavailable
# At start each worker logged one line per bad key (app_load_keys).
check "worker's log: the wrong PIN at start, in one line" \
	grep -q '/token-badfile: keys unavailable: pkcs11:token=badpin;object=es256: the token refused the PIN (wrong PIN)' "$T/lighttpd.log"
check "workers' log: the missing object at start" \
	grep -q '/token-noobj: keys unavailable: pkcs11:token=jwtsign;object=nosuchkey: no such private key' "$T/lighttpd.log"
# The PIN file fixed: the worker sees the change within a second and
# tries the token at once (not after the minute a wrong PIN waits).
printf '%s\n' "$PIN" >"$T/right.pin"
chmod 600 "$T/right.pin"
mv "$T/right.pin" "$T/wrong.pin"
fixed=0
for ((i = 0; i < 40 && fixed < 4; i++)); do
	URL=$BADPIN_URL post fixed /token-badfile
	if [ "$(cat "$T/fixed.code")" = 200 ]; then
		fixed=$((fixed + 1))
	else
		fixed=0
		sleep 0.25
	fi
done
check "pin_file fixed: the worker signs again after the reload" test "$fixed" -ge 4
check "pin_file fixed: the token verifies" \
	"$PYTHON3" "$LIB_DIR/pkcs11_check.py" verify "$T/fixed.body" "$T/bad-es256.pem" ES256 k-badfile
check "workers' log: no PIN" not grep -q -e 9876 -e "$PIN" "$T/lighttpd.log"
check "workers' log: each worker opened its keys" \
	test "$(grep -c 'key "k-es256" opened on the PKCS#11 token' "$T/lighttpd.log")" -ge 2

# --- the token disappears (its directory moved away), then comes back
# Away for 7 s, asked twice a second: the modules are initialised again
# while it is away (every 5 s at most), and again after it came back.
mv "$T/tokens" "$T/tokens.away"
gone=0
for ((i = 0; i < 14; i++)); do
	post "gone-$i" /token-ed
	[ "$(cat "$T/gone-$i.code")" = 503 ] && gone=$((gone + 1))
	sleep 0.5
done
if [ "$gone" -gt 0 ]; then
	pass "token gone: $gone of 14 requests answered 503"
	check "token gone: keys_unavailable" jwtcheck error "$T/gone-0.body" keys_unavailable
	check "token gone: the reason is logged" \
		grep -q '/token-ed: keys unavailable: .*PKCS#11' "$T/lighttpd.log"
else
	log "SoftHSM kept signing with its token directory moved away: no 503 to see"
fi
mv "$T/tokens.away" "$T/tokens"
back=0
for ((i = 0; i < 30 && back < 2; i++)); do
	post back /token-ed
	if [ "$(cat "$T/back.code")" = 200 ]; then
		back=$((back + 1))
	else
		sleep 0.5
	fi
done
check "token back: /token-ed signs again without a restart" test "$back" -ge 2
check "token back: the token verifies" \
	"$PYTHON3" "$LIB_DIR/pkcs11_check.py" verify "$T/back.body" "$T/ed.pem" EdDSA k-ed

finish
