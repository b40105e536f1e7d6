#!/usr/bin/python3
"""verify_algs.py - check every JWS alg of the jwtsign CLI with an
independent verifier (Debian's python3-jwcrypto).

For each alg: `jwtsign genkey` makes a private JWK Set, `jwtsign pubkeys`
derives the public set, `jwtsign sign` signs two payload lines (compact
and, with --full, flattened JSON), and jwcrypto verifies every token with
the public key (HS*: with the private set's oct key, which pubkeys leaves
out).  Also checks: the protected header (alg, kid), the payload (as JSON),
the ES* signature size (R || S, RFC 7518 section 3.4), the flattened
member order, and that a key refuses an alg of another family.

Environment: JWTSIGN = path of the built jwtsign binary.
Exit status: 0 all checks passed, 1 a check failed (or JWTSIGN is not an
executable), 77 jwcrypto is missing (the automake "skip" status).
Run it with /usr/bin/python3: python3-jwcrypto is a Debian package.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile

try:
    from jwcrypto import jwk, jws
except ImportError:
    print("SKIP: python3-jwcrypto is not installed (apt-get install python3-jwcrypto)")
    sys.exit(77)

# alg -> (kty, expected raw signature size or None)
ALGS = [
    ("HS256", "oct", 32),
    ("HS384", "oct", 48),
    ("HS512", "oct", 64),
    ("RS256", "RSA", 256),
    ("RS384", "RSA", 256),
    ("RS512", "RSA", 256),
    ("PS256", "RSA", 256),
    ("PS384", "RSA", 256),
    ("PS512", "RSA", 256),
    ("ES256", "EC", 64),
    ("ES384", "EC", 96),
    ("ES512", "EC", 132),
    ("EdDSA", "OKP", 64),
]

# An alg of another key family, which the key must refuse.
WRONG = {"oct": "RS256", "RSA": "HS256", "EC": "EdDSA", "OKP": "ES256"}

PAYLOADS = ['{"sub":"x","n":1}', '{"aud":"https://api.example/v1","sub":"u-<42>"}']

failures = 0


def check(ok, what, detail=""):
    global failures
    if ok:
        print("ok   %s" % what)
    else:
        failures += 1
        print("FAIL %s%s" % (what, ": " + detail if detail else ""))
    return ok


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def run(args, stdin=b""):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    return p.returncode, p.stdout, p.stderr


def check_token(alg, key, mode, token, payload, sigsize):
    """Verify one token (compact or flattened text) with jwcrypto."""
    what = "%s %s %s" % (alg, mode, payload)
    obj = jws.JWS()
    try:
        obj.deserialize(token)
        obj.verify(key, alg=alg)
    except Exception as e:  # jwcrypto raises several types
        return check(False, what + " verifies", repr(e))
    check(True, what + " verifies")
    # Compared as JSON: the CLI may re-serialize the object (sorted keys,
    # Go escaping) before signing.
    try:
        same = json.loads(obj.payload) == json.loads(payload)
    except ValueError:
        same = False
    check(same, what + " payload", repr(obj.payload))
    if mode == "compact":
        protected_b64, _, sig_b64 = token.split(".")
    else:
        check(token.startswith('{"payload":'), what + " member order", token[:40])
        flat = json.loads(token)
        check(list(flat) == ["payload", "protected", "signature"], what + " members",
              repr(list(flat)))
        protected_b64, sig_b64 = flat["protected"], flat["signature"]
    if mode == "compact":
        # The verifier must not be vacuous: a changed signature fails.
        sig = bytearray(b64d(sig_b64))
        sig[len(sig) // 2] ^= 1
        bad = protected_b64 + "." + token.split(".")[1] + "." + \
            base64.urlsafe_b64encode(bytes(sig)).rstrip(b"=").decode()
        try:
            forged = jws.JWS()
            forged.deserialize(bad)
            forged.verify(key, alg=alg)
            check(False, what + " altered signature is rejected")
        except Exception:
            check(True, what + " altered signature is rejected")
    header = json.loads(b64d(protected_b64))
    check(header.get("alg") == alg and header.get("kid") == "k1", what + " header",
          repr(header))
    check(len(b64d(sig_b64)) == sigsize, what + " signature size",
          "%d bytes, want %d" % (len(b64d(sig_b64)), sigsize))
    return True


def one_alg(binary, tmp, alg, kty, sigsize):
    rc, priv, err = run([binary, "genkey", "--kty", kty, "--kid", "k1", "--alg", alg])
    if not check(rc == 0 and priv.strip(), "%s genkey" % alg, err.decode(errors="replace")):
        return
    path = os.path.join(tmp, alg + ".json")
    with open(path, "wb") as f:
        f.write(priv)
    os.chmod(path, 0o600)

    rc, pub, err = run([binary, "pubkeys"], stdin=priv)
    if not check(rc == 0, "%s pubkeys" % alg, err.decode(errors="replace")):
        return
    try:
        pubset = json.loads(pub)
    except ValueError as e:
        check(False, "%s pubkeys output is JSON" % alg, str(e))
        return
    if kty == "oct":
        check(pubset.get("keys") == [], "%s pubkeys leaves oct keys out" % alg, pub.decode())
        key = jwk.JWKSet.from_json(priv).get_key("k1")
    else:
        leaked = [m for m in ("d", "p", "q", "dp", "dq", "qi", "k")
                  if any(m in k for k in pubset.get("keys", []))]
        check(not leaked, "%s pubkeys has no private member" % alg, repr(leaked))
        key = jwk.JWKSet.from_json(pub).get_key("k1")
    if not check(key is not None, "%s key k1 in the set" % alg):
        return

    lines = "".join(p + "\n" for p in PAYLOADS).encode()
    for mode, extra in (("compact", []), ("flattened", ["--full"])):
        rc, out, err = run([binary, "sign", "--jwks", path, "--kid", "k1", "--alg", alg] + extra,
                           stdin=lines)
        if not check(rc == 0, "%s sign %s" % (alg, mode), err.decode(errors="replace")):
            continue
        tokens = out.decode().splitlines()
        if not check(len(tokens) == len(PAYLOADS), "%s %s one token per line" % (alg, mode),
                     "%d tokens" % len(tokens)):
            continue
        for token, payload in zip(tokens, PAYLOADS):
            check_token(alg, key, mode, token, payload, sigsize)

    wrong = WRONG[kty]
    rc, out, err = run([binary, "sign", "--jwks", path, "--kid", "k1", "--alg", wrong],
                       stdin=lines)
    check(rc != 0 and out == b"", "%s key refuses %s" % (alg, wrong),
          "exit %d, %d bytes out" % (rc, len(out)))


def main():
    binary = os.environ.get("JWTSIGN")
    if not binary or not os.access(binary, os.X_OK):
        print("FAIL: set JWTSIGN to the built jwtsign binary")
        return 1
    with tempfile.TemporaryDirectory(prefix="jwtsign-algs-") as tmp:
        for alg, kty, sigsize in ALGS:
            one_alg(binary, tmp, alg, kty, sigsize)
    print("%d check(s) failed" % failures if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
