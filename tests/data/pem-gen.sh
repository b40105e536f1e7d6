#!/bin/sh
# pem-gen.sh - make the PEM key fixtures of tests/unit/test_jwk.c (pem_to_jwk_set)
# and their expected JWKs.  Run ONCE by hand (not by make); the outputs are
# committed:
#
#   cd tests/data && sh pem-gen.sh
#
# Keys come from the OpenSSL and GnuTLS command-line tools (openssl, certtool),
# never from jwtsign.  Each usable key gets pem-NAME.jwk.json, written by
# python3-jwcrypto (an independent PEM -> JWK converter built on
# python3-cryptography):
#   {"alg": ALG, "jwk": JWK.from_pem(PEM).export_private(),
#    "jws": a compact JWS made by jwcrypto with that JWK over PAYLOAD}
# The unit test converts pem-NAME.pem with pem_to_jwk_set, compares every
# member with "jwk", and compares its own signature of the JWS signing input
# with jwcrypto's (RS256 and EdDSA are deterministic; ES* signatures are
# checked by verification in both directions).
set -eu

PASS=jwtsign-test
PAYLOAD='{"sub":"pem-test"}'
export PAYLOAD

ossl() { openssl "$@" 2>/dev/null; }

# Has one of the P-256 members x, y, d a leading zero byte?  (The JWK must
# then be left-padded to 32 bytes: RFC 7518 section 6.2.1.2.)
leading_zero() {
	/usr/bin/python3 -c '
import base64, json, sys
from jwcrypto import jwk
k = json.loads(jwk.JWK.from_pem(open(sys.argv[1], "rb").read()).export_private())
b = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
sys.exit(0 if any(b(k[m])[0] == 0 for m in ("x", "y", "d")) else 1)' "$1"
}

# RSA: PKCS#1 (openssl, "traditional") and PKCS#8 (certtool).
ossl genrsa -traditional -out pem-rsa2048-pkcs1.pem 2048
certtool --generate-privkey --key-type rsa --bits 2048 --pkcs8 --password '' \
	--no-text --outfile pem-rsa2048-pkcs8.pem 2>/dev/null
ossl genrsa -traditional -out pem-rsa1024-pkcs1.pem 1024

# EC, SEC1: P-256 with its "EC PARAMETERS" block first (openssl ecparam's
# default output), P-384 and P-521 alone.
ossl ecparam -name prime256v1 -genkey -out pem-ec-p256-sec1.pem
ossl ecparam -name secp384r1 -genkey -noout -out pem-ec-p384-sec1.pem
ossl ecparam -name secp521r1 -genkey -noout -out pem-ec-p521-sec1.pem

# EC, PKCS#8.  The P-256 key is drawn until one of x, y, d starts with a
# zero byte, so that the left padding is exercised.
while :; do
	ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out pem-ec-p256-pkcs8.pem
	leading_zero pem-ec-p256-pkcs8.pem && break
done
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out pem-ec-p384-pkcs8.pem
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out pem-ec-p521-pkcs8.pem

# Ed25519, PKCS#8 (RFC 8410).
ossl genpkey -algorithm ed25519 -out pem-ed25519-pkcs8.pem

# Refused: encrypted PKCS#8, legacy encrypted PKCS#1 (Proc-Type header),
# unsupported curves (secp256k1: unknown to GnuTLS; P-192: known to it) and
# algorithms, a certificate (of the P-256 PKCS#8 key), a public key, an
# OpenSSH key.
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc -pass "pass:$PASS" \
	-out pem-encrypted-pkcs8.pem
ossl rsa -in pem-rsa2048-pkcs1.pem -traditional -aes128 -passout "pass:$PASS" \
	-out pem-encrypted-pkcs1.pem
ossl ecparam -name secp256k1 -genkey -noout -out pem-ec-secp256k1-sec1.pem
ossl ecparam -name prime192v1 -genkey -noout -out pem-ec-p192-sec1.pem
ossl genpkey -algorithm ed448 -out pem-ed448-pkcs8.pem
ossl genpkey -algorithm x25519 -out pem-x25519-pkcs8.pem
ossl req -x509 -new -key pem-ec-p256-pkcs8.pem -subj /CN=jwtsign-test -days 36500 \
	-out pem-cert.pem
ossl pkey -in pem-rsa2048-pkcs8.pem -pubout -out pem-public.pem
rm -f pem-openssh pem-openssh.pub
ssh-keygen -q -t ed25519 -N '' -C jwtsign-test -f pem-openssh
mv pem-openssh pem-openssh.pem
rm -f pem-openssh.pub
chmod 644 pem-*.pem

# Inconsistent: the PKCS#1 RSA key with the last byte of its exponent1
# (JWK "dp") or of its privateExponent ("d") changed in the DER.
for m in dmp1:dp d:d; do
	/usr/bin/python3 -c '
import base64, sys
from cryptography.hazmat.primitives import serialization
text = open(sys.argv[1], "rb").read()
key = serialization.load_pem_private_key(text, None)
n = getattr(key.private_numbers(), sys.argv[2])
v = n.to_bytes((n.bit_length() + 7) // 8, "big")
lines = text.decode().strip().split("\n")
der = bytearray(base64.b64decode("".join(lines[1:-1])))
i = der.find(v)
assert i > 0 and der.find(v, i + 1) < 0
der[i + len(v) - 1] ^= 1
b64 = base64.b64encode(bytes(der)).decode()
body = "\n".join(b64[j:j + 64] for j in range(0, len(b64), 64))
open(sys.argv[3], "w").write(lines[0] + "\n" + body + "\n" + lines[-1] + "\n")
' pem-rsa2048-pkcs1.pem "${m%%:*}" "pem-rsa2048-bad-${m#*:}.pem"
done

# Expected JWKs and signatures, by jwcrypto.
for f in rsa2048-pkcs1:RS256 rsa2048-pkcs8:RS256 rsa1024-pkcs1:RS256 \
	ec-p256-sec1:ES256 ec-p384-sec1:ES384 ec-p521-sec1:ES512 \
	ec-p256-pkcs8:ES256 ec-p384-pkcs8:ES384 ec-p521-pkcs8:ES512 ed25519-pkcs8:EdDSA; do
	/usr/bin/python3 -c '
import json, os, sys
from jwcrypto import jwk, jws
key = jwk.JWK.from_pem(open(sys.argv[1], "rb").read())
s = jws.JWS(os.environ["PAYLOAD"].encode())
s.add_signature(key, None, json.dumps({"alg": sys.argv[2]}))
out = {"alg": sys.argv[2], "jwk": json.loads(key.export_private()), "jws": s.serialize(compact=True)}
json.dump(out, open(sys.argv[3], "w"), indent=1, sort_keys=True)
' "pem-${f%%:*}.pem" "${f#*:}" "pem-${f%%:*}.jwk.json"
done
