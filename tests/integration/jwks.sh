#!/bin/bash
# jwks.sh - jwks_endpoint: the public JWK Set a signer publishes, served as
# plain CGI, is accepted by an independent implementation (python3-jwcrypto)
# and verifies tokens signed with the configured key; a rotation list
# publishes every listed key and never an oct key.
. "$(dirname "$0")/lib.sh"
require_jwtsign
require_python
"$PYTHON3" -c 'import jwcrypto' 2>/dev/null || skip "python3-jwcrypto not installed"

KEYS=$TOP_SRCDIR/tests/data/handler-ec-rotation.json
cat >"$T/jwtsign.json" <<JSON
{"version":3,"endpoints":[{"endpoint":"/token","method":"POST",
 "backend":[{"host":["http://127.0.0.1:1"],"url_pattern":"/t"}],
 "extra_config":{"auth/signer":{"alg":"ES256","kid":["new","old","hmac"],
  "keys_to_sign":["access_token"],"jwks_endpoint":"/.well-known/jwks.json",
  "jwk_local_path":"$KEYS"}}}]}
JSON

GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET REQUEST_URI=/.well-known/jwks.json \
	"$JWTSIGN" -c "$T/jwtsign.json" </dev/null >"$T/cgi.out" 2>"$T/stderr"
head -n 20 "$T/cgi.out" | sed -n '1,/^\r*$/p' >"$T/headers"
sed '1,/^\r*$/d' "$T/cgi.out" >"$T/jwks.json"

check "status 200" grep -q '^Status: 200' "$T/headers"
check "Content-Type application/jwk-set+json" grep -q '^Content-Type: application/jwk-set+json' "$T/headers"
check "Cache-Control public, max-age=900" grep -q '^Cache-Control: public, max-age=900' "$T/headers"
check "ETag present" grep -q '^ETag: "[0-9a-f]\{32\}"' "$T/headers"

printf '{"sub":"u-42","exp":1735689600}\n' |
	"$JWTSIGN" sign --jwks "$KEYS" --kid new --alg ES256 >"$T/token" 2>>"$T/stderr"

check "jwcrypto accepts the set: kids new, old; no private or oct member; the token verifies" \
	"$PYTHON3" - "$T/jwks.json" "$T/token" <<'PY'
import json, sys
from jwcrypto import jwk, jws
doc = open(sys.argv[1]).read()
keyset = jwk.JWKSet.from_json(doc)
kids = [k["kid"] for k in json.loads(doc)["keys"]]
assert kids == ["new", "old"], kids
for k in keyset["keys"]:
    assert not k.has_private, k.key_id
    assert k.key_type != "oct"
token = open(sys.argv[2]).read().strip()
obj = jws.JWS()
obj.deserialize(token)
obj.verify(keyset.get_key("new"), alg="ES256")
assert json.loads(obj.payload) == {"sub": "u-42", "exp": 1735689600}
PY

# Every private member value ("d", "k") of the key file must stay secret.
secrets=$("$PYTHON3" -c 'import json,sys
for k in json.load(open(sys.argv[1]))["keys"]:
    for m in ("d", "k"):
        if m in k: print(k[m])' "$KEYS")
leaked=no
for v in $secrets; do
	grep -q -F -e "$v" "$T/cgi.out" "$T/stderr" && leaked=yes
done
check "no private key value in the answer or the log" test "$leaked" = no
# A PEM private key as jwk_local_path (and as --jwks): jwtsign builds the
# JWK itself with the configured kid.
PEM=$TOP_SRCDIR/tests/data/pem-rsa2048-pkcs8.pem
cat >"$T/pem.json" <<JSON
{"version":3,"endpoints":[{"endpoint":"/token","method":"POST",
 "backend":[{"host":["http://127.0.0.1:1"],"url_pattern":"/t"}],
 "extra_config":{"auth/signer":{"alg":"RS256","kid":"pem-1",
  "keys_to_sign":["access_token"],"jwks_endpoint":"/jwks",
  "jwk_local_path":"$PEM"}}}]}
JSON
check "check-config accepts a PEM key" "$JWTSIGN" check-config -c "$T/pem.json"
GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET REQUEST_URI=/jwks \
	"$JWTSIGN" -c "$T/pem.json" </dev/null 2>>"$T/stderr" | sed '1,/^\r*$/d' >"$T/pem-jwks.json"
printf '{"sub":"pem"}\n' | "$JWTSIGN" sign --jwks "$PEM" --kid pem-1 --alg RS256 >"$T/pem-token" 2>>"$T/stderr"
check "PEM: published key equals the PEM's public key (jwcrypto) and verifies the token" \
	"$PYTHON3" - "$T/pem-jwks.json" "$T/pem-token" "$PEM" <<'PY'
import json, sys
from jwcrypto import jwk, jws
keyset = jwk.JWKSet.from_json(open(sys.argv[1]).read())
k = keyset.get_key("pem-1")
ref = jwk.JWK.from_pem(open(sys.argv[3], "rb").read())
assert k.export_public(as_dict=True)["n"] == ref.export_public(as_dict=True)["n"]
obj = jws.JWS()
obj.deserialize(open(sys.argv[2]).read().strip())
obj.verify(k, alg="RS256")
assert json.loads(obj.payload) == {"sub": "pem"}
PY
finish
