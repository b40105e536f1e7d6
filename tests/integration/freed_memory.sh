#!/bin/bash
# freed_memory.sh - key material in memory that jwtsign gives back: every
# block freed (or moved by realloc) while jwtsign downloads a JWK Set of
# about 40 KiB from a jwk_url, signs with it, and reads it again from the
# shared cache, is searched for the secret (its base64url text and its
# raw bytes) and for the login's password by an LD_PRELOAD shim (freed_scan.c, built here with cc),
# which counts hits per object that freed the block.  Blocks freed by
# jwtsign itself, libcurl (wiping allocators, curl_global_init_mem) and
# json-c (its string buffer is sized to the set before parsing, so it
# never grows) must hold no copy, not even a 24-character prefix of the
# key; what other libraries leave is reported, as HACKING says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

require_jwtsign
require_python
require_tool curl
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler ($CC) to build the scanner"
if ldd "$JWTSIGN" 2>/dev/null | grep -q 'libasan'; then
	skip "an AddressSanitizer build cannot take an LD_PRELOAD allocator (the plain build runs this)"
fi
"$CC" -shared -fPIC -O1 -o "$T/freed_scan.so" "$LIB_DIR/freed_scan.c" -ldl 2>"$T/cc.log" ||
	hard_error "cannot build freed_scan.so: $(cat "$T/cc.log")"

start_stub
mkdir -p "$T/jwks" -m 700 "$T/cache"
# A 64-byte HMAC key with RSA-shaped public entries: first in a set of
# about 10 KiB (one read of libcurl's buffer), last in one of about 40 KiB
# (in libcurl's last read), and written with escapes.
"$PYTHON3" - "$T" <<'PY'
import base64, json, os, sys
t = sys.argv[1]
raw = os.urandom(64)
k = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
def pad(n):
    return [{"kty": "RSA", "kid": "pub%d" % i, "e": "AQAB",
             "n": base64.urlsafe_b64encode(os.urandom(256)).rstrip(b"=").decode()}
            for i in range(n)]
oct_key = {"kty": "oct", "kid": "sim2", "k": k}
for name, keys in (("first", [oct_key] + pad(25)), ("last", pad(100) + [oct_key])):
    open(os.path.join(t, "jwks", name + ".json"), "w").write(json.dumps({"keys": keys}))
# Every character of k written as a \\u escape: json-c then appends it to
# its string buffer one character at a time, growing it mid-key.
esc = "".join("\\u%04x" % ord(ch) for ch in k)
doc = json.dumps({"keys": [{"kty": "oct", "kid": "sim2", "k": "@K@"}] + pad(5)})
open(os.path.join(t, "jwks", "escaped.json"), "w").write(doc.replace("@K@", esc))
with open(os.path.join(t, "needles"), "w") as f:
    f.write("k-text %s\n" % k.encode().hex())
    # json-c's string buffer grows 32 -> 64 -> 128 while it reads k: the
    # blocks it gives back would hold k's first 31 or 63 characters.
    f.write("k-prefix %s\n" % k[:24].encode().hex())
    f.write("k-raw %s\n" % raw.hex())
PY
start_jwk_server KEYS "$T/jwks" --plain
printf '{"user":"john","password":"hunter2-Secret"}' >"$T/login.json"
printf 'password %s\n' "$(printf 'hunter2-Secret' | od -An -tx1 | tr -d ' \n')" >>"$T/needles"

for set in first last escaped; do
	write_config "$T/$set.json" "" \
		"$(EP_KEYS="\"jwk_url\":\"$KEYS_URL/$set.json\",\"disable_jwk_security\":true" ep /token /token-issuer)"
	mkdir -p -m 700 "$T/cache-$set"
	for run in download cached; do
		name=$set-$run
		: >"$T/$name.scan"
		cgi_run "$name" POST /token "$T/login.json" JWTSIGN_CONFIG="$T/$set.json" \
			JWTSIGN_CACHE_DIR="$T/cache-$set" LD_PRELOAD="$T/freed_scan.so" \
			FREED_SCAN_NEEDLES="$T/needles" FREED_SCAN_OUT="$T/$name.scan"
		expect_status "$name" 200
		check "$name: the scanner ran (it wrote its report)" test -s "$T/$name.scan"
		log "$name: secrets in freed blocks, per object: $(grep -v '^none$' "$T/$name.scan" | tr '\n' ';')"
		for obj in "$(basename "$JWTSIGN")" libcurl-gnutls.so.4 libcurl.so.4 libjson-c.so.5; do
			check "$name: no block freed by $obj held the key or the password" \
				not grep -q "^$obj " "$T/$name.scan"
		done
	done
	check "$set: the second run took the keys from the shared cache (one download)" \
		test "$(jwk_hits "$KEYS_URL" "$set.json")" = 1
done
finish
