#!/bin/sh
# tls-gen.sh - make the TLS test certificates with GnuTLS's certtool.
#   sh tls-gen.sh OUTDIR [DAYS]
# Writes into OUTDIR (created if needed):
#   tls-root.pem / tls-root.key    root CA "jwtsign test root CA" (EC P-256)
#   tls-int.pem / tls-int.key      intermediate CA, signed by the root
#   tls-leaf.pem / tls-leaf.key    server certificate for 127.0.0.1 and
#                                  localhost (RSA 2048), signed by the
#                                  intermediate
#   tls-chain.pem                  leaf + intermediate (what a server sends)
#   tls-other.pem / tls-other.key  an unrelated root CA ("wrong CA")
#   tls-pins.txt                   "NAME PIN" lines: certtool's pin-sha256
#                                  (base64 SHA-256 of the SubjectPublicKeyInfo)
#                                  of root, int, leaf and other
# DAYS: validity (default -1: no expiry, as the copies in tests/data use so
# that the unit tests never go stale).  Used by tests/integration/tls_lib.sh
# at test time and, once, to make tests/data/tls-* for the unit tests.
set -eu
out=$1
days=${2:--1}
mkdir -p "$out"
cd "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tls-gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

ct() { certtool "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; }

printf 'cn = "jwtsign test root CA"\nca\ncert_signing_key\nexpiration_days = %s\n' "$days" >"$tmp/root"
printf 'cn = "jwtsign test intermediate CA"\nca\ncert_signing_key\npath_len = 0\nexpiration_days = %s\n' \
	"$days" >"$tmp/int"
printf 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ndns_name = "localhost"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = %s\n' \
	"$days" >"$tmp/leaf"
printf 'cn = "jwtsign unrelated CA"\nca\ncert_signing_key\nexpiration_days = %s\n' "$days" >"$tmp/other"

ct --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile tls-root.key
ct --generate-self-signed --load-privkey tls-root.key --template "$tmp/root" --outfile tls-root.pem
ct --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile tls-int.key
ct --generate-certificate --load-privkey tls-int.key --load-ca-certificate tls-root.pem \
	--load-ca-privkey tls-root.key --template "$tmp/int" --outfile tls-int.pem
ct --generate-privkey --key-type=rsa --bits=2048 --outfile tls-leaf.key
ct --generate-certificate --load-privkey tls-leaf.key --load-ca-certificate tls-int.pem \
	--load-ca-privkey tls-int.key --template "$tmp/leaf" --outfile tls-leaf.pem
ct --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile tls-other.key
ct --generate-self-signed --load-privkey tls-other.key --template "$tmp/other" --outfile tls-other.pem
cat tls-leaf.pem tls-int.pem >tls-chain.pem
chmod 600 tls-*.key

: >tls-pins.txt
for n in root int leaf other; do
	pin=$(certtool --certificate-info --infile "tls-$n.pem" 2>/dev/null |
		sed -n 's/^[[:space:]]*pin-sha256:\(.*\)$/\1/p' | head -1)
	[ -n "$pin" ] || { echo "tls-gen.sh: no pin-sha256 for $n" >&2; exit 1; }
	echo "$n $pin" >>tls-pins.txt
done
