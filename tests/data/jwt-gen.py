#!/usr/bin/python3
# jwt-gen.py - the jwcrypto-made tokens of tests/unit/test_jwt.c: fresh
# RSA-2048, P-384 and 64-byte oct keys, one token each for PS256, RS384,
# ES384, HS512, written to jwt-jwcrypto.json (the public set, the oct
# key, the tokens).  Run once; the output is committed so the unit test
# needs no python.  Needs python3-jwcrypto (Debian).
import json
from jwcrypto import jwk, jwt

claims = {"sub": "alice", "iss": "https://issuer.example", "aud": ["api", "other"],
          "iat": 1700000000, "nbf": 1700000000, "exp": 2000000000,
          "roles": ["admin", "dev"], "scope": "read write"}
rsa = jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")
ec = jwk.JWK.generate(kty="EC", crv="P-384", kid="ec-1")
oct_ = jwk.JWK.generate(kty="oct", size=512, kid="oct-1")
tokens = []
for alg, key in (("PS256", rsa), ("RS384", rsa), ("ES384", ec), ("HS512", oct_)):
    t = jwt.JWT(header={"alg": alg, "kid": key["kid"]}, claims=claims)
    t.make_signed_token(key)
    tokens.append({"alg": alg, "kid": key["kid"], "token": t.serialize()})
keys = [json.loads(rsa.export_public()), json.loads(ec.export_public()),
        json.loads(oct_.export())]
out = {"source": "python3-jwcrypto, tests/data/jwt-gen.py", "claims": claims,
       "jwks": {"keys": keys}, "tokens": tokens}
with open("jwt-jwcrypto.json", "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
