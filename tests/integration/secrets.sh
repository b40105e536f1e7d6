#!/bin/bash
# secrets.sh - security properties of the real program (CGI mode and CLI):
#  1. whatever fails (keys of the wrong type, public-only or inconsistent
#     keys, a missing or broken key file, alg none, broken backends), a
#     member named in keys_to_sign is never returned unsigned inside a 200:
#     in every 200 each such member that the backend sent as an object is a
#     compact JWS with the configured alg (never "none"), a non-empty
#     signature that an independent verifier (python3-jwcrypto) accepts
#     with the public key, and the backend's claims as payload; every
#     non-200 carries no claims;
#  2. error responses and logs never contain key material: every private
#     member value (k, d, p, q, dp, dq, qi) of the test keys, and its first
#     12 characters, are looked for in every body, header block and stderr
#     captured, and in the output of `jwtsign pubkeys`.
# Keys: RFC 7515 A.1 (oct), RFC 7520 4.1 (RSA with CRT members), RFC 7515
# A.3 (P-256) and A.4 (P-521), RFC 8037 A.1 (Ed25519).
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool timeout
"$PYTHON3" -c 'import jwcrypto' 2>/dev/null || skip "python3-jwcrypto not installed"

D=$TOP_SRCDIR/tests/data
HS=$LIB_DIR/hostile_server.py
start_stub

"$PYTHON3" "$HS" serve --port-file "$T/hostile.port" --log "$T/hostile.log" \
	--max-seconds 600 --stream-seconds 20 </dev/null >>"$T/hostile.log" 2>&1 &
track_pid $!
wait_for_file "$T/hostile.port" || hard_error "hostile server did not start"
HOSTILE_URL=http://127.0.0.1:$(cat "$T/hostile.port")

# --- key files -------------------------------------------------------------------
"$PYTHON3" - "$D" "$T" <<'EOF'
import copy, json, os, sys
d, t = sys.argv[1:3]
def jwk(name, kid):
    with open(os.path.join(d, name)) as f:
        k = json.load(f)["jwk"]
    k = dict(k)
    k["kid"] = kid
    k.pop("use", None)
    return k
with open(os.path.join(d, "..", "..", "fcgi-conf", "demo", "symmetric.json")) as f:
    hs = json.load(f)["keys"][0]
hs = dict(hs, kid="hs")
rs = jwk("rfc7520-4.1-rs256.json", "rs")
es = jwk("rfc7515-a3-es256.json", "es")
es512 = jwk("rfc7515-a4-es512.json", "es512")
ed = jwk("rfc8037-a4-eddsa-ed25519.json", "ed")
good = [hs, rs, es, es512, ed]
def write(name, keys):
    with open(os.path.join(t, name), "w") as f:
        json.dump({"keys": keys}, f)
write("keys.json", good)
# public-only and broken variants, each under the kid of the good key
pub_rs = {m: rs[m] for m in ("kty", "kid", "n", "e")}
pub_es = {m: es[m] for m in ("kty", "kid", "crv", "x", "y")}
pub_ed = {m: ed[m] for m in ("kty", "kid", "crv", "x")}
# d of RFC 7517 A.2's P-256 key: valid, but not x,y's private key
bad_es = dict(es, d="870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE")
bad_ed = dict(ed, x=es["x"])                        # x not d's public key
bad_rs = dict(rs, p=rs["q"], q=rs["p"], dp=rs["dq"])  # CRT values not matching
no_crt = {m: rs[m] for m in ("kty", "kid", "n", "e", "d", "p", "q", "dp")}  # dp without dq, qi
wrong_alg = dict(hs, alg="HS512")
enc = dict(rs, use="enc")
write("public.json", [pub_rs, pub_es, pub_ed])
write("inconsistent.json", [bad_es, bad_ed, bad_rs])
write("partial-crt.json", [no_crt])
write("wrong-alg.json", [wrong_alg])
write("use-enc.json", [enc])
# every private member value, for the leak search
secrets = set()
for k in good:
    for m in ("k", "d", "p", "q", "dp", "dq", "qi"):
        if m in k:
            secrets.add(k[m])
with open(os.path.join(t, "secrets.txt"), "w") as f:
    for s in sorted(secrets):
        f.write(s + "\n")
        f.write(s[:12] + "\n")
EOF
printf '{"keys":[{"kty":"oct","kid":"hs",' >"$T/truncated.json"
head -c 40 "$T/keys.json" >"$T/truncated2.json"
chmod 000 "$T/truncated2.json" 2>/dev/null || true

# --- endpoints -------------------------------------------------------------------
# sep NAME ALG KID KEYFILE BACKEND_HOST BACKEND_PATH [full]
sep() {
	local full=false
	[ "${7:-}" = full ] && full=true
	printf '{"endpoint":"/%s","method":"POST","timeout":"2s",' "$1"
	printf '"backend":[{"host":["%s"],"url_pattern":"%s"}],' "$5" "$6"
	printf '"extra_config":{"auth/signer":{"alg":"%s","kid":"%s","full":%s,' "$2" "$3" "$full"
	printf '"keys_to_sign":["access_token","refresh_token"],"jwk_local_path":"%s"}}}' "$4"
}
: >"$T/cases.txt"
eps=()
add() { # add NAME ALG KID KEYFILE HOST PATH [full]
	eps+=("$(sep "$@")")
	echo "$1 $2 $3" >>"$T/cases.txt"
}
K=$T/keys.json
BACKENDS="$STUB_URL /token-issuer ok
$STUB_URL /status/500 s500
$STUB_URL /status/401 s401
$STUB_URL /status/204 s204
$STUB_URL /empty empty
$STUB_URL /nan nan
$STUB_URL /array array
$HOSTILE_URL /invalid-utf8 utf8
$HOSTILE_URL /dup-unsigned dupunsigned
$HOSTILE_URL /dup-keys dupkeys
$HOSTILE_URL /minus-zero mzero
$HOSTILE_URL /close-mid-body cut
$HOSTILE_URL /huge huge
$HOSTILE_URL /deep-million deep
http://127.0.0.1:1 /token-issuer down"
while read -r host path tag; do
	for a in "HS256 hs" "RS256 rs" "PS256 rs" "ES256 es" "ES512 es512" "EdDSA ed"; do
		set -- $a
		add "ok-$1-$tag" "$1" "$2" "$K" "$host" "$path"
	done
	add "full-ES256-$tag" ES256 es "$K" "$host" "$path" full
	# keys that must never sign
	add "wrongtype-RS256-hs-$tag" RS256 hs "$K" "$host" "$path"
	add "wrongtype-HS256-rs-$tag" HS256 rs "$K" "$host" "$path"
	add "wrongtype-ES256-es512-$tag" ES256 es512 "$K" "$host" "$path"
	add "wrongtype-ES256-ed-$tag" ES256 ed "$K" "$host" "$path"
	add "wrongtype-EdDSA-es-$tag" EdDSA es "$K" "$host" "$path"
	add "public-RS256-$tag" RS256 rs "$T/public.json" "$host" "$path"
	add "public-ES256-$tag" ES256 es "$T/public.json" "$host" "$path"
	add "public-EdDSA-$tag" EdDSA ed "$T/public.json" "$host" "$path"
	add "inconsistent-ES256-$tag" ES256 es "$T/inconsistent.json" "$host" "$path"
	add "inconsistent-EdDSA-$tag" EdDSA ed "$T/inconsistent.json" "$host" "$path"
	add "inconsistent-RS256-$tag" RS256 rs "$T/inconsistent.json" "$host" "$path"
	add "partialcrt-RS256-$tag" RS256 rs "$T/partial-crt.json" "$host" "$path"
	add "wrongalg-HS256-$tag" HS256 hs "$T/wrong-alg.json" "$host" "$path"
	add "useenc-RS256-$tag" RS256 rs "$T/use-enc.json" "$host" "$path"
	add "nokid-HS256-$tag" HS256 nope "$K" "$host" "$path"
	add "missing-HS256-$tag" HS256 hs "$T/no-such-file.json" "$host" "$path"
	add "truncated-HS256-$tag" HS256 hs "$T/truncated.json" "$host" "$path"
	add "unreadable-HS256-$tag" HS256 hs "$T/truncated2.json" "$host" "$path"
done <<<"$BACKENDS"
write_config "$T/main.json" "" "${eps[@]}"

# alg none (and other non-algs) in the configuration: never served.
for alg in none None "" HS256X; do
	write_config "$T/alg-$alg.json" "" "$(sep x "$alg" hs "$K" "$STUB_URL" /token-issuer)"
done

# --- run every case ----------------------------------------------------------------
printf '{"user":"john","pass":"doe"}' >"$T/login.json"
mkdir -p "$T/runs"
# post_login NAME CONFIG PATH: one CGI POST of the login (lib.sh cgi_run), output
# in $T/runs/NAME.{out,err,rc}; the checker below judges it.
post_login() {
	CGI_TIMEOUT=30 CGI_CHECK=none CGI_SPLIT=no cgi_run "runs/$1" POST "$3" "$T/login.json" \
		-SERVER_PROTOCOL -QUERY_STRING JWTSIGN_CONFIG="$2" JWTSIGN_CACHE_DIR="$T/cache"
}
mkdir -p -m 700 "$T/cache"
while read -r name alg kid; do
	post_login "$name" "$T/main.json" "/$name"
done <"$T/cases.txt"
for alg in none None "" HS256X; do
	post_login "algcfg-$alg" "$T/alg-$alg.json" /x
	echo "algcfg-$alg $alg hs" >>"$T/cases.txt"
	rc=0
	"$JWTSIGN" check-config -c "$T/alg-$alg.json" >"$T/runs/checkcfg-$alg.err" 2>&1 || rc=$?
	if [ "$rc" = 1 ]; then pass "check-config refuses alg \"$alg\""; else fail "check-config: alg \"$alg\" exit $rc" "$T/runs/checkcfg-$alg.err"; fi
done

# The CLI signs with the same code: broken keys and alg none fail there too.
echo '{"sub":"x"}' >"$T/claims.txt"
for c in "RS256 hs $K" "HS256 rs $K" "ES256 ed $K" "RS256 rs $T/public.json" \
	"ES256 es $T/inconsistent.json" "HS256 hs $T/wrong-alg.json" "none hs $K" \
	"HS256 hs $T/truncated.json"; do
	set -- $c
	n=cli-$1-$2-$(basename "$3" .json)
	rc=0
	"$JWTSIGN" sign --jwks "$3" --kid "$2" --alg "$1" <"$T/claims.txt" \
		>"$T/runs/$n.stdout" 2>"$T/runs/$n.err" || rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '\.' "$T/runs/$n.stdout"; then
		pass "$n: refused (exit $rc), no token"
	else
		fail "$n: exit $rc" "$T/runs/$n.stdout" "$T/runs/$n.err"
	fi
done
"$JWTSIGN" pubkeys <"$K" >"$T/runs/pubkeys.stdout" 2>"$T/runs/pubkeys.err" ||
	fail "pubkeys failed" "$T/runs/pubkeys.err"

# --- property 1: never unsigned in a 200 -------------------------------------------
cat >"$T/check.py" <<'EOF'
import base64, json, os, re, sys
from jwcrypto import jwk, jws

t = sys.argv[1]
keys = {k["kid"]: k for k in json.load(open(os.path.join(t, "keys.json")))["keys"]}
REF = json.loads(open(sys.argv[2]).read())
KTY = {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
GOOD = {("HS256", "hs"), ("RS256", "rs"), ("PS256", "rs"), ("ES256", "es"),
        ("ES512", "es512"), ("EdDSA", "ed")}
bad = 0
stats = {}

def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def split_cgi(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    m = re.match(rb"Status: (\d+)", head)
    return (int(m.group(1)) if m else 200), head, body

def complain(name, msg):
    global bad
    bad += 1
    print("not ok - %s: %s" % (name, msg))

def verify(name, alg, kid, member, value, sent, full):
    if not isinstance(value, str):
        return complain(name, "%s is %s inside a 200, not a token" % (member, type(value).__name__))
    if full:
        o = json.loads(value)
        if sorted(o) != ["payload", "protected", "signature"]:
            return complain(name, "flattened JWS members %s" % sorted(o))
        value = "%s.%s.%s" % (o["protected"], o["payload"], o["signature"])
    parts = value.split(".")
    if len(parts) != 3:
        return complain(name, "%s is not a compact JWS" % member)
    hdr = json.loads(b64d(parts[0]))
    if hdr.get("alg") in (None, "none", "None", "NONE") or hdr.get("alg") != alg:
        return complain(name, "%s header alg %r, configured %s" % (member, hdr.get("alg"), alg))
    if not parts[2]:
        return complain(name, "%s has an empty signature" % member)
    if (alg, kid) not in GOOD:
        return complain(name, "signed with a key that must not sign %s: kid %s" % (alg, kid))
    k = jwk.JWK(**keys[kid])
    if k.get("kty") != KTY[alg[:2]]:
        return complain(name, "key type %s for %s" % (k.get("kty"), alg))
    tok = jws.JWS()
    tok.deserialize(value)
    try:
        tok.verify(k.public() if k.get("kty") != "oct" else k, alg=alg)
    except Exception as e:
        return complain(name, "%s signature does not verify: %s" % (member, e))
    if sent is not None and json.loads(tok.payload) != sent:
        return complain(name, "%s payload is not the backend's claims" % member)

for line in open(os.path.join(t, "cases.txt")):
    name, alg, kid = (line.split() + ["", ""])[:3]
    raw = open(os.path.join(t, "runs", name + ".out"), "rb").read()
    rc = open(os.path.join(t, "runs", name + ".rc")).read().strip()
    if rc != "0":
        complain(name, "exit status %s" % rc)
        continue
    status, head, body = split_cgi(raw)
    tag = name.rsplit("-", 1)[1]
    kind = name.split("-", 1)[0]
    stats.setdefault(kind, {}).setdefault(status, 0)
    stats[kind][status] += 1
    if status == 200:
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            complain(name, "200 without a JSON object")
            continue
        for m in ("access_token", "refresh_token"):
            if m in doc:
                sent = REF[m] if tag == "ok" else None
                # a backend string (dup-unsigned: last value "plain") is
                # carried as is: only what the backend sent as an object
                # must come back signed
                if tag == "dupunsigned" and doc[m] == "plain":
                    continue
                verify(name, alg, kid, m, doc[m], sent, name.startswith("full-"))
        if tag == "ok" and "access_token" not in doc:
            complain(name, "200 without access_token")
    else:
        if b'"sub"' in body or b'"iss"' in body or b'"aud"' in body:
            complain(name, "status %d carries claims: %r" % (status, body[:200]))
    # statuses by kind
    must_fail = kind in ("wrongtype", "public", "inconsistent", "partialcrt", "wrongalg",
                         "useenc", "nokid", "missing", "truncated", "unreadable", "algcfg")
    if must_fail and status == 200:
        complain(name, "a key that cannot sign gave 200")
    if must_fail and status not in (500, 503) and not (tag == "s401" and status == 401):
        complain(name, "status %d, expected 500 or 503" % status)
    if kind in ("ok", "full") and tag == "ok" and status != 200:
        complain(name, "good key and backend: status %d" % status)
for kind in sorted(stats):
    print("# %s: %s" % (kind, ", ".join("%d x%d" % kv for kv in sorted(stats[kind].items()))))
sys.exit(1 if bad else 0)
EOF
printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
if "$PYTHON3" "$T/check.py" "$T" "$T/reference.json" >"$T/check.out" 2>&1; then
	pass "$(wc -l <"$T/cases.txt") runs: no member unsigned in a 200, every token verified, every broken key refused"
	grep '^#' "$T/check.out"
else
	fail "signing properties" "$T/check.out"
fi

# --- property 2: no key material anywhere ------------------------------------------------
leaks=$(grep -l -F -f "$T/secrets.txt" "$T"/runs/* 2>/dev/null || true)
if [ -z "$leaks" ]; then
	pass "no private key value (or 12-char prefix) in $(ls "$T"/runs | wc -l) bodies, logs and outputs"
else
	fail "key material in: $(echo $leaks | sed "s|$T/||g")"
	grep -o -F -f "$T/secrets.txt" $leaks | head -5
fi
check "pubkeys output has no private member" "$PYTHON3" -c '
import json, sys
for k in json.load(open(sys.argv[1]))["keys"]:
    bad = set(k) & {"k", "d", "p", "q", "dp", "dq", "qi", "oth"}
    if bad or k.get("kty") == "oct":
        sys.exit("private members %s in %s" % (sorted(bad), k.get("kid")))
' "$T/runs/pubkeys.stdout"

finish
