#!/usr/bin/python3
"""pkcs11_check.py - independent checks for pkcs11.sh (python3-jwcrypto).

  pkcs11_check.py verify BODY PEM ALG KID
      BODY is a signed answer of jwtsign: its access_token and
      refresh_token are compact JWS; each must verify with the public key
      PEM (exported from the token by p11tool) for ALG, carry alg ALG and
      kid KID in the protected header, and a JSON payload with "sub".
  pkcs11_check.py jwks BODY PEM ALG KID
      BODY is a JWK Set from a jwks_endpoint: exactly one key, kid KID,
      alg ALG, use "sig", no private member, and its public members equal
      those of PEM.

Exit status: 0 ok, 1 a check failed (the reason on stderr), 77 jwcrypto
is missing.
"""

import base64
import json
import sys

try:
    from jwcrypto import jwk, jws
except ImportError:
    print("SKIP: python3-jwcrypto is not installed", file=sys.stderr)
    sys.exit(77)

PUBLIC = {"RSA": ("n", "e"), "EC": ("crv", "x", "y"), "OKP": ("crv", "x")}


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def load_pem(path):
    with open(path, "rb") as f:
        return jwk.JWK.from_pem(f.read())


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def verify(body_path, pem, alg, kid):
    key = load_pem(pem)
    with open(body_path) as f:
        body = json.load(f)
    for member in ("access_token", "refresh_token"):
        token = body.get(member)
        if not isinstance(token, str):
            fail("%s is not a string: %r" % (member, token))
        head = json.loads(b64d(token.split(".")[0]))
        if head.get("alg") != alg or head.get("kid") != kid:
            fail("%s: header %r, expected alg %s kid %s" % (member, head, alg, kid))
        obj = jws.JWS()
        obj.deserialize(token)
        try:
            obj.verify(key, alg=alg)
        except Exception as e:  # jwcrypto raises InvalidJWSSignature
            fail("%s: does not verify with %s: %s" % (member, pem, e))
        if "sub" not in json.loads(obj.payload):
            fail("%s: no sub in the payload" % member)


def jwks(body_path, pem, alg, kid):
    want = json.loads(load_pem(pem).export_public())
    with open(body_path) as f:
        keys = json.load(f).get("keys")
    if not isinstance(keys, list) or len(keys) != 1:
        fail("expected one key, got %r" % keys)
    got = keys[0]
    if got.get("kid") != kid or got.get("alg") != alg or got.get("use") != "sig":
        fail("kid/alg/use: %r" % got)
    if "d" in got:
        fail("a private member is published")
    for m in ("kty",) + PUBLIC[want["kty"]]:
        if got.get(m) != want.get(m):
            fail("member %s: %r, the token's public key has %r" % (m, got.get(m), want.get(m)))


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("verify", "jwks"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    (verify if sys.argv[1] == "verify" else jwks)(*sys.argv[2:])


main()
