#!/usr/bin/env python3
"""Independent checks for the jwtsign integration tests (stdlib only).

Nothing here uses jwtsign's code: tokens are verified by recomputing the
HMAC with hmac/hashlib/base64, and the expected JSON text is produced the
way Go's encoding/json writes a map (sorted keys, compact, <>& and
U+2028/U+2029 escaped).  Each subcommand exits 0 when the check holds,
else prints why on stderr and exits 1.

  split-cgi OUT PREFIX        split CGI output into PREFIX.status (the
                              numeric status), PREFIX.headers ("name: value"
                              lines, name lower-cased) and PREFIX.body
  error BODY CODE             BODY is exactly the JSON object {"error":CODE}
  signed BODY JWKS [--expect FILE] [--keys a,b] [--alg HS256] [--kid K]
                              every listed key is a compact JWS over the
                              member of FILE (a JSON object) of that name,
                              byte-exact Go encoding of the claims, valid
                              HMAC; the other members equal FILE's; the
                              whole body is Go-encoded with sorted keys
  signed-many JWKS EXPECT FILE...   `signed` for each FILE
  token TOKEN JWKS [--claims JSON] [--typ T] [--kid K] [--alg A]
                              one compact JWS token
  full DOC JWKS --compact TOKEN     flattened JWS JSON equal to TOKEN's parts
  echo BODY --sent FILE [--ct CT] [--xff XFF] [--jwks JWKS]
                              the stub's /echo answer, passed through jwtsign
  hits URL PATH               print the stub's hit count for PATH
  pretty FILE                 print FILE's JSON indented
  go-json FILE                print FILE's JSON Go-encoded
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys

HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


class CheckError(Exception):
    pass


def fail(msg):
    raise CheckError(msg)


def b64url_decode(s):
    if not isinstance(s, str) or any(c in s for c in "+/= \n"):
        fail("not unpadded base64url: %r" % (s,))
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def go_json(obj):
    """Go encoding/json text of a decoded JSON value (map keys sorted)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    # These characters only occur inside JSON strings, so replacing them in
    # the whole text is the same as Go's per-string escaping.
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text.encode()


def strict_loads(data, what):
    def no_const(c):
        fail("%s: non-standard JSON constant %s" % (what, c))

    def no_dup(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            fail("%s: duplicate member names %r" % (what, keys))
        return dict(pairs)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s: not UTF-8: %s" % (what, e))
    try:
        return json.loads(text, parse_constant=no_const, object_pairs_hook=no_dup)
    except ValueError as e:
        fail("%s: not valid JSON (%s): %r" % (what, e, data[:200]))


def load_keys(path):
    with open(path, "rb") as f:
        jwks = json.load(f)
    keys = {}
    for k in jwks.get("keys", []):
        if k.get("kty") == "oct":
            keys[k.get("kid")] = b64url_decode(k["k"])
    return keys


def check_token(token, keys, claims=None, alg="HS256", kid="sim2", typ="JWT"):
    """Verify one compact JWS; returns the decoded payload."""
    if not isinstance(token, str):
        fail("token is not a string: %r" % (token,))
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        fail("token does not have 3 non-empty dot-separated parts: %r" % token[:80])
    hdr_raw, pay_raw, sig = (b64url_decode(p) for p in parts)
    hdr = strict_loads(hdr_raw, "protected header")
    want_hdr = {"alg": alg, "kid": kid}
    if typ:
        want_hdr["typ"] = typ
    if hdr != want_hdr:
        fail("protected header %r, expected %r" % (hdr, want_hdr))
    if hdr_raw != go_json(want_hdr):
        fail("protected header text %r, expected %r" % (hdr_raw, go_json(want_hdr)))
    if kid not in keys:
        fail("kid %r not in the JWK Set" % kid)
    mac = hmac.new(keys[kid], (parts[0] + "." + parts[1]).encode(), HASHES[alg]).digest()
    if not hmac.compare_digest(mac, sig):
        fail("bad %s signature on token %s..." % (alg, token[:40]))
    payload = strict_loads(pay_raw, "payload")
    if claims is not None:
        if payload != claims:
            fail("payload %r, expected %r" % (payload, claims))
        if pay_raw != go_json(claims):
            fail("payload text %r, expected Go encoding %r" % (pay_raw, go_json(claims)))
    return payload


def read(path):
    with open(path, "rb") as f:
        return f.read()


def check_signed(body_path, keys, expect, names, alg, kid):
    raw = read(body_path)
    body = strict_loads(raw, body_path)
    if not isinstance(body, dict):
        fail("body is not a JSON object")
    for name in names:
        if name not in body:
            fail("member %r missing" % name)
        check_token(body[name], keys, expect.get(name) if expect else None, alg, kid)
    if expect is not None:
        for name, val in expect.items():
            if name in names and isinstance(val, dict):
                continue
            if body.get(name) != val:
                fail("member %r is %r, expected %r" % (name, body.get(name), val))
        extra = set(body) - set(expect)
        if extra:
            fail("unexpected members %r" % sorted(extra))
    if raw.rstrip(b"\n") != go_json(body):
        fail("body is not Go-encoded with sorted keys:\n got %r\nwant %r"
             % (raw[:300], go_json(body)[:300]))


def cmd_split_cgi(a):
    out = read(a.out)
    cut = len(out)
    sep = b""
    for s in (b"\r\n\r\n", b"\n\n"):
        i = out.find(s)
        if i >= 0 and i < cut:
            cut, sep = i, s
    if not sep:
        fail("no blank line after the CGI headers in %r" % out[:200])
    head, body = out[:cut], out[cut + len(sep):]
    status = 200
    lines = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            fail("malformed CGI header line %r" % line)
        name, value = name.strip().lower(), value.strip()
        if name == "status":
            status = int(value.split()[0])
        lines.append("%s: %s\n" % (name, value))
    with open(a.prefix + ".status", "w") as f:
        f.write("%d\n" % status)
    with open(a.prefix + ".headers", "w") as f:
        f.writelines(lines)
    with open(a.prefix + ".body", "wb") as f:
        f.write(body)


def cmd_error(a):
    raw = read(a.body)
    doc = strict_loads(raw, "error body")
    if doc != {"error": a.code}:
        fail("error body %r, expected {\"error\":%r}" % (raw[:300], a.code))


def load_expect(path):
    return strict_loads(read(path), path) if path else None


def cmd_signed(a):
    check_signed(a.body, load_keys(a.jwks), load_expect(a.expect),
                 a.keys.split(","), a.alg, a.kid)


def cmd_signed_many(a):
    keys, expect = load_keys(a.jwks), load_expect(a.expect)
    for path in a.files:
        try:
            check_signed(path, keys, expect, ["access_token", "refresh_token"], "HS256", "sim2")
        except CheckError as e:
            fail("%s: %s" % (path, e))
    print("%d answers verified" % len(a.files))


def cmd_token(a):
    claims = strict_loads(a.claims.encode(), "claims") if a.claims is not None else None
    check_token(a.token, load_keys(a.jwks), claims, a.alg, a.kid, a.typ)


def cmd_full(a):
    doc = strict_loads(read(a.doc).strip(), "flattened JWS")
    if not isinstance(doc, dict) or set(doc) != {"payload", "protected", "signature"}:
        fail("flattened JWS members %r, expected payload/protected/signature"
             % (sorted(doc) if isinstance(doc, dict) else doc))
    token = "%s.%s.%s" % (doc["protected"], doc["payload"], doc["signature"])
    check_token(token, load_keys(a.jwks))
    if token != a.compact:
        fail("flattened JWS %s differs from the compact reference %s" % (token, a.compact))


def cmd_echo(a):
    raw = read(a.body)
    body = strict_loads(raw, "echo answer")
    if a.jwks:
        check_token(body.get("access_token"), load_keys(a.jwks), {"sub": "x"})
    echo = body.get("echo")
    if not isinstance(echo, dict):
        fail("no echo member in %r" % raw[:200])
    sent = read(a.sent)
    got = base64.b64decode(echo["body_b64"])
    if got != sent:
        fail("backend got %d bytes, sent %d; first difference at %s" % (
            len(got), len(sent),
            next((i for i, (x, y) in enumerate(zip(got, sent)) if x != y), min(len(got), len(sent)))))
    if echo["method"] != "POST":
        fail("backend saw method %r" % echo["method"])
    if echo["expect_header_present"]:
        fail("backend saw an Expect header")
    if a.ct is not None and echo["content_type"] != a.ct:
        fail("backend saw Content-Type %r, expected %r" % (echo["content_type"], a.ct))
    if a.xff is not None and echo["xff"] != a.xff:
        fail("backend saw X-Forwarded-For %r, expected %r" % (echo["xff"], a.xff))


def cmd_hits(a):
    import urllib.request  # slow import, only needed here

    with urllib.request.urlopen(a.url.rstrip("/") + "/hits", timeout=5) as r:
        print(json.load(r).get(a.path, 0))


def cmd_pretty(a):
    print(json.dumps(json.loads(read(a.file)), indent=2, sort_keys=True))


def cmd_go_json(a):
    sys.stdout.write(go_json(json.loads(read(a.file))).decode())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("split-cgi")
    p.add_argument("out")
    p.add_argument("prefix")
    p.set_defaults(fn=cmd_split_cgi)
    p = sub.add_parser("error")
    p.add_argument("body")
    p.add_argument("code")
    p.set_defaults(fn=cmd_error)
    p = sub.add_parser("signed")
    p.add_argument("body")
    p.add_argument("jwks")
    p.add_argument("--expect")
    p.add_argument("--keys", default="access_token,refresh_token")
    p.add_argument("--alg", default="HS256")
    p.add_argument("--kid", default="sim2")
    p.set_defaults(fn=cmd_signed)
    p = sub.add_parser("signed-many")
    p.add_argument("jwks")
    p.add_argument("expect")
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=cmd_signed_many)
    p = sub.add_parser("token")
    p.add_argument("token")
    p.add_argument("jwks")
    p.add_argument("--claims")
    p.add_argument("--alg", default="HS256")
    p.add_argument("--kid", default="sim2")
    p.add_argument("--typ", default="JWT")
    p.set_defaults(fn=cmd_token)
    p = sub.add_parser("full")
    p.add_argument("doc")
    p.add_argument("jwks")
    p.add_argument("--compact", required=True)
    p.set_defaults(fn=cmd_full)
    p = sub.add_parser("echo")
    p.add_argument("body")
    p.add_argument("--sent", required=True)
    p.add_argument("--ct")
    p.add_argument("--xff")
    p.add_argument("--jwks")
    p.set_defaults(fn=cmd_echo)
    p = sub.add_parser("hits")
    p.add_argument("url")
    p.add_argument("path")
    p.set_defaults(fn=cmd_hits)
    p = sub.add_parser("pretty")
    p.add_argument("file")
    p.set_defaults(fn=cmd_pretty)
    p = sub.add_parser("go-json")
    p.add_argument("file")
    p.set_defaults(fn=cmd_go_json)
    a = ap.parse_args()
    try:
        a.fn(a)
    except CheckError as e:
        print("jwtcheck %s: %s" % (a.cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
