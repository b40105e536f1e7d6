#!/usr/bin/env python3
"""fuzz/make_seeds.py - (re)write the seed corpora fuzz/corpus/<target>/
from tests/data (RFC 7515/7517/7520/8037 vectors, sample configs and
backend answers) plus a few hand-written edge cases.  Deterministic: run
it again after changing tests/data and commit the result.  Inputs found by
fuzzing that are worth keeping are added by hand (fuzz/README.md).

Usage: python3 fuzz/make_seeds.py [TOP_SRCDIR]
"""
import glob
import json
import os
import sys

TOP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
DATA = os.path.join(TOP, "tests", "data")
OUT = os.path.join(TOP, "fuzz", "corpus")

# The kids fuzz_jwk.c knows (index = low 3 bits of byte 1).
KIDS = ["1", "2011-04-29", "HMAC key used in JWS spec Appendix A.1 example",
        "bilbo.baggins@hobbiton.example", "e9bc097a-ce51-4036-9562-d2ade882db0d",
        "018c0ae5-4d9b-471b-bfd6-eef314bc7037", "sim2", "k"]
ALGS = ["", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
        "PS512", "ES256", "ES384", "ES512", "EdDSA"]


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 65536, name
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def load(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return json.loads(f.read())


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


# ------------------------------------------------------------------ config
def seeds_config():
    for p in sorted(glob.glob(os.path.join(DATA, "config-*.json"))):
        with open(p, "rb") as f:
            write("config", os.path.basename(p), f.read())
    base = {
        "version": 3,
        "extra_config": {"jwtsign": {"max_request_body": 65536, "max_backend_response": 1048576,
                                     "max_json_depth": 64, "max_json_members": 1000,
                                     "max_jwk_set_size": 65536, "max_jwk_keys": 10,
                                     "connect_timeout": "750ms", "jwk_fetch_timeout": "5s"}},
        "endpoints": [{
            "endpoint": "/token", "method": "POST", "timeout": "1.5s",
            "backend": [{"host": ["http://127.0.0.1:8080"], "url_pattern": "/login"}],
            "extra_config": {"auth/signer": {
                "alg": "HS256", "kid": "sim2", "keys_to_sign": ["access_token"],
                "jwk_local_path": "/etc/jwtsign/keys.json", "full": True, "typ": "JWT",
                "cache_duration": 900, "failed_jwk_key_cooldown": 60, "max_stale": 86400}}}],
    }
    write("config", "limits-all.json", json.dumps(base, indent=1))
    # one wrong type or value per setting
    wrong = [
        ("ep-timeout-neg", ["endpoints", 0, "timeout"], "-1s"),
        ("ep-timeout-num", ["endpoints", 0, "timeout"], 5),
        ("top-timeout-unit", ["timeout"], "5parsecs"),
        ("limit-body-str", ["extra_config", "jwtsign", "max_request_body"], "1MiB"),
        ("limit-depth-zero", ["extra_config", "jwtsign", "max_json_depth"], 0),
        ("limit-depth-big", ["extra_config", "jwtsign", "max_json_depth"], 100000),
        ("limit-keys-neg", ["extra_config", "jwtsign", "max_jwk_keys"], -1),
        ("limit-unknown", ["extra_config", "jwtsign", "max_headers"], 10),
        ("limit-connect-bad", ["extra_config", "jwtsign", "connect_timeout"], "1h1h1h1h1h"),
        ("metrics-endpoint", ["extra_config", "jwtsign", "metrics_endpoint"], "metrics"),
        ("metrics-endpoint-param", ["extra_config", "jwtsign", "metrics_endpoint"], "/m/{x}"),
        ("alg-none", ["endpoints", 0, "extra_config", "auth/signer", "alg"], "none"),
        ("kid-num", ["endpoints", 0, "extra_config", "auth/signer", "kid"], 7),
        ("kid-list", ["endpoints", 0, "extra_config", "auth/signer", "kid"], ["a", "b"]),
        ("kts-str", ["endpoints", 0, "extra_config", "auth/signer", "keys_to_sign"], "access_token"),
        ("full-str", ["endpoints", 0, "extra_config", "auth/signer", "full"], "true"),
        ("url-http", ["endpoints", 0, "extra_config", "auth/signer", "jwk_url"], "http://x/jwk"),
        ("cipher-bad", ["endpoints", 0, "extra_config", "auth/signer", "cipher_suites"], [1, 2]),
        ("fp-bad", ["endpoints", 0, "extra_config", "auth/signer", "jwk_fingerprints"], ["zz"]),
        ("cache-neg", ["endpoints", 0, "extra_config", "auth/signer", "cache_duration"], -5),
        ("host-ftp", ["endpoints", 0, "backend", 0, "host"], ["ftp://x"]),
        ("pattern-num", ["endpoints", 0, "backend", 0, "url_pattern"], 1),
        ("version-1", ["version"], 1),
    ]
    for name, path, val in wrong:
        doc = json.loads(json.dumps(base))
        o = doc
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = val
        write("config", "wrong-%s.json" % name, compact(doc))
    two = json.loads(json.dumps(base))
    ep2 = json.loads(json.dumps(base["endpoints"][0]))
    ep2["endpoint"] = "tenants/{tenant}/token"
    ep2["backend"][0]["url_pattern"] = "/t/{tenant}"
    ep2["extra_config"] = {"github.com/devopsfaith/krakend-jose/signer": {
        "alg": "ES256", "kid": ["a", "b"], "keys-to-sign": ["t"],
        "jwk-url": "https://127.0.0.1/jwk", "jwk_fingerprints": ["jlUjD2zWlWFrmhpqr7pcwJzXvQWBJnTNzi3oZU5Lxtk"],
        "cipher_suites": [49199], "jwk_local_ca": "/etc/ca.pem"}}
    two["endpoints"].append(ep2)
    write("config", "two-endpoints.json", compact(two))
    # a signer key on a PKCS#11 token (key_uri), and its refusals
    p11 = json.loads(json.dumps(base))
    sig = p11["endpoints"][0]["extra_config"]["auth/signer"]
    del sig["jwk_local_path"]
    sig.update({"alg": "ES256", "key_uri": "pkcs11:token=jwtsign;object=es256;type=private",
                "pin_file": "/etc/jwtsign/token.pin", "public_jwk_path": "/etc/jwtsign/pub.json",
                "jwks_endpoint": "/.well-known/jwks.json"})
    write("config", "pkcs11.json", compact(p11))
    for name, key, val in [("pin-value", "key_uri", "pkcs11:object=k?pin-value=1%32"),
                           ("pin-relative", "key_uri", "pkcs11:object=k?pin-source=pin"),
                           ("hs256", "alg", "HS256"),
                           ("both", "jwk_url", "https://127.0.0.1/jwk")]:
        doc = json.loads(json.dumps(p11))
        doc["endpoints"][0]["extra_config"]["auth/signer"][key] = val
        write("config", "pkcs11-%s.json" % name, compact(doc))
    # qos/ratelimit/router and the failed-login throttle on both endpoints
    rl = json.loads(json.dumps(two))
    rl["endpoints"][0]["extra_config"]["qos/ratelimit/router"] = {
        "max_rate": 50, "capacity": 50, "client_max_rate": 5, "client_capacity": 5,
        "every": "10m", "strategy": "ip", "key": "X-Forwarded-For"}
    rl["endpoints"][0]["extra_config"]["jwtsign"] = {"failed_login": {
        "max_failures": 3, "window": "15m", "username": "/user",
        "failure_statuses": [401, 403], "client_max_failures": 30}}
    rl["endpoints"][1]["extra_config"]["qos/ratelimit/router"] = {
        "client_max_rate": 0.5, "strategy": "param", "key": "tenant"}
    write("config", "ratelimit.json", compact(rl))
    for i, d in enumerate(["2s", "500ms", "1m30s", "1.5s", "100us", "0", "1ns", "+3h",
                           "1\u00b5s", "24h0m1s", ".5s", "1e3s"]):
        write("config", "duration-%02d" % i, d)
    write("config", "empty", "")
    write("config", "not-object", "[]")
    write("config", "no-signer.json", '{"version":3,"endpoints":[{"endpoint":"/x"}]}')
    seeds_config_validator(base)


def seeds_config_validator(base):
    """auth/validator blocks: a protected endpoint with every setting, the
    refresh pattern (signer + validator), and one wrong value per setting."""
    val = {
        "alg": ["RS256", "ES256"], "jwk_url": "https://idp.example/jwks.json", "cache": True,
        "cache_duration": 300, "failed_jwk_key_cooldown": "1m", "max_stale": 3600,
        "jwk_fingerprints": ["jlUjD2zWlWFrmhpqr7pcwJzXvQWBJnTNzi3oZU5Lxtk"],
        "cipher_suites": [49199], "jwk_local_ca": "/etc/ca.pem",
        "issuer": "https://idp.example", "audience": ["api"],
        "roles": ["admin"], "roles_key": "realm_access.roles", "roles_key_is_nested": True,
        "scopes": ["read"], "scopes_key": "scope", "scopes_matcher": "all", "leeway": "30s",
        "auth_header_name": "X-Token", "cookie_key": "TOKEN",
        "propagate_claims": [["sub", "X-User"], ["realm_access.roles", "X-Roles"]],
        "key_identify_strategy": "kid_x5t", "operation_debug": True, "require_exp": False,
    }
    prot = {"version": 3, "endpoints": [
        {"endpoint": "/api/{id}", "method": "GET",
         "extra_config": {"auth/validator": val}},
        {"endpoint": "/api/{id}", "method": "DELETE",
         "extra_config": {"github.com/devopsfaith/krakend-jose/validator": {
             "alg": "HS256", "jwk_local_path": "/etc/jwtsign/keys.json"}}}]}
    write("config", "validator-all.json", json.dumps(prot, indent=1))
    refresh = json.loads(json.dumps(base))
    refresh["endpoints"][0]["endpoint"] = "/refresh"
    refresh["endpoints"][0]["extra_config"]["auth/validator"] = {
        "alg": "HS256", "jwk_local_path": "/etc/jwtsign/keys.json",
        "propagate_claims": [["sub", "X-User"]]}
    write("config", "validator-refresh.json", compact(refresh))
    wrong = [
        ("alg-none", "alg", "none"),
        ("alg-list-empty", "alg", []),
        ("alg-list-dup", "alg", ["RS256", "RS256"]),
        ("aud-str", "audience", "api"),
        ("scopes-no-key", "scopes_key", None),
        ("matcher", "scopes_matcher", "some"),
        ("leeway-num", "leeway", 30),
        ("leeway-neg", "leeway", "-1s"),
        ("header", "auth_header_name", "X Token"),
        ("cookie", "cookie_key", "a;b"),
        ("propagate-one", "propagate_claims", [["sub"]]),
        ("propagate-num", "propagate_claims", [["sub", 1]]),
        ("propagate-dup", "propagate_claims", [["sub", "X-U"], ["a", "x-u"]]),
        ("kid-strategy", "key_identify_strategy", "jku"),
        ("cooldown", "failed_jwk_key_cooldown", "1parsec"),
        ("cypher-key", "cypher_key", "AAAA"),
    ]
    for name, key, v in wrong:
        doc = json.loads(json.dumps(prot))
        blk = doc["endpoints"][0]["extra_config"]["auth/validator"]
        if v is None:
            del blk[key]
        else:
            blk[key] = v
        write("config", "wrong-validator-%s.json" % name, compact(doc))


# --------------------------------------------------------------------- jwk
def jwk_input(alg, kid, doc, two=False, tight=False):
    b1 = KIDS.index(kid) | (8 if two else 0) | (16 if tight else 0)
    return bytes([ALGS.index(alg), b1]) + doc.encode()


def seeds_jwk():
    vecs = sorted(glob.glob(os.path.join(DATA, "rfc*.json")) +
                  glob.glob(os.path.join(DATA, "negative-*.json")))
    for p in vecs:
        v = load(os.path.basename(p))
        stem = os.path.basename(p)[:-5]
        if isinstance(v.get("jwk"), dict):
            jwk = dict(v["jwk"])
            jwk.setdefault("kid", "k")
            kid = jwk["kid"] if jwk["kid"] in KIDS else "k"
            jwk["kid"] = kid
            alg = v.get("alg", "HS256")
            if alg not in ALGS:
                alg = "HS256"
            write("jwk", stem, jwk_input(alg, kid, compact({"keys": [jwk]})))
            # the bare JWK (not a set) must be refused
            write("jwk", stem + "-bare", jwk_input(alg, kid, compact(jwk)))
    keys = load("rfc7517-appendix-a-keys.json")
    for part in ("a1_public_keys", "a2_private_keys", "a3_symmetric_keys"):
        if part in keys:
            s = compact(keys[part])
            write("jwk", "rfc7517-" + part, jwk_input("RS256", "2011-04-29", s, two=True))
            write("jwk", "rfc7517-" + part + "-es", jwk_input("ES256", "1", s))
            write("jwk", "rfc7517-" + part + "-hs",
                  jwk_input("HS256", "HMAC key used in JWS spec Appendix A.1 example", s))
    for name in ("signer-jwks-sim2.json", "handler-sim2.json", "jwk-rsa1024.json"):
        with open(os.path.join(DATA, name)) as f:
            s = f.read()
        write("jwk", name[:-5], jwk_input("HS256", "sim2", s))
        write("jwk", name[:-5] + "-tight", jwk_input("RS256", "sim2", s, tight=True))
    ed = load("rfc8037-a4-eddsa-ed25519.json")["jwk"]
    ed["kid"] = "k"
    dup = {"keys": [ed, ed]}
    write("jwk", "dup-kid", jwk_input("EdDSA", "k", compact(dup)))
    hs = {"kty": "oct", "kid": "k", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"}
    many = {"keys": [dict(hs, kid="k%d" % i) for i in range(20)] + [hs]}
    write("jwk", "many-keys", jwk_input("HS256", "k", compact(many), tight=True))
    write("jwk", "many-keys-loose", jwk_input("HS256", "k", compact(many)))
    for name, doc in [
        ("empty-set", '{"keys":[]}'), ("keys-null", '{"keys":null}'),
        ("keys-obj", '{"keys":{}}'), ("no-kty", '{"keys":[{"kid":"k"}]}'),
        ("kty-num", '{"keys":[{"kty":1,"kid":"k"}]}'), ("entry-str", '{"keys":["k"]}'),
        ("alg-mismatch", compact({"keys": [dict(hs, alg="HS512")]})),
        ("use-enc", compact({"keys": [dict(hs, use="enc")]})),
        ("key-ops-verify", compact({"keys": [dict(hs, key_ops=["verify"])]})),
        ("kid-num", '{"keys":[{"kty":"oct","kid":5,"k":"AAAA"}]}'),
        ("k-empty", '{"keys":[{"kty":"oct","kid":"k","k":""}]}'),
        ("deep", '{"keys":[' + '[' * 20 + ']' * 20 + ']}'),
        ("trailing", '{"keys":[]} x'), ("not-json", '{"keys":['),
    ]:
        write("jwk", "hand-" + name, jwk_input("HS256", "k", doc))
    rsa = load("rfc7520-4.1-rs256.json")["jwk"]
    rsa = dict(rsa, kid="k")
    write("jwk", "rsa-no-crt", jwk_input("RS256", "k", compact(
        {"keys": [{m: rsa[m] for m in ("kty", "kid", "n", "e", "d", "p", "q")}]})))
    write("jwk", "rsa-public", jwk_input("RS256", "k", compact(
        {"keys": [{m: rsa[m] for m in ("kty", "kid", "n", "e")}]})))
    write("jwk", "rsa-huge-n", jwk_input("RS256", "k", compact(
        {"keys": [dict(rsa, n="A" * 12000)]})))
    write("jwk", "rsa-oth", jwk_input("PS256", "k", compact(
        {"keys": [dict(rsa, oth=[{"r": "AQAB", "d": "AQAB", "t": "AQAB"}])]})))


# ------------------------------------------------------------------ signer
def seeds_signer():
    with open(os.path.join(DATA, "signer-backend-reference.json"), "rb") as f:
        ref = f.read()
    for opt in range(8):
        write("signer", "reference-%d" % opt, bytes([opt]) + ref)
    cases = [
        ("minimal", b'{"access_token":{}}'),
        ("not-object-member", b'{"access_token":"x","refresh_token":[1,2]}'),
        ("absent", b'{"other":{"a":1}}'),
        ("dup-keys", b'{"access_token":{"a":1},"access_token":{"b":2}}'),
        ("dup-inner", b'{"access_token":{"a":1,"a":2}}'),
        ("nul-in-string", b'{"access_token":{"s":"a\\u0000b"}}'),
        ("nul-in-key", b'{"access_token":{"a\\u0000b":1}}'),
        ("lone-surrogate", b'{"access_token":{"s":"\\ud800"}}'),
        ("bad-utf8", b'{"access_token":{"s":"\xff\xfe\xc3"}}'),
        ("bad-utf8-key", b'{"access_token":{"\xc0\xaf":1}}'),
        ("html", b'{"access_token":{"s":"<a&b>\\u2028"}}'),
        ("numbers", b'{"access_token":{"a":1.0,"b":1E+5,"c":1e400,"d":-0.0,'
                    b'"e":18446744073709551615,"f":-9223372036854775808}}'),
        ("minus-zero", b'{"access_token":{"a":-0}}'),
        ("huge-int", b'{"access_token":{"a":18446744073709551616}}'),
        ("trailing", b'{"access_token":{}} x'),
        ("trailing-ws", b'{"access_token":{}} \r\n\t'),
        ("empty", b''),
        ("array", b'[{"access_token":{}}]'),
        ("null", b'null'),
        ("nested-64", b'{"access_token":' + b'{"a":' * 63 + b'{}' + b'}' * 63 + b'}'),
        ("nested-129", b'{"access_token":' + b'[' * 129 + b']' * 129 + b'}'),
        ("bom", b'\xef\xbb\xbf{"access_token":{}}'),
        ("comment", b'{"access_token":{}/**/}'),
        ("escapes", b'{"access_token":{"s":"\\b\\f\\n\\r\\t\\/\\"\\\\\\u00e9\\ud83d\\ude00"}}'),
        ("both", b'{"refresh_token":{"x":[true,false,null]},"access_token":{"y":{}}}'),
    ]
    for name, body in cases:
        for opt in (0, 3):
            write("signer", "%s-%d" % (name, opt), bytes([opt]) + body)
    # JSON Pointer entries (bit 3) and time claims (bit 4)
    ptr_cases = [
        ("ptr-nested", b'{"data":{"access_token":{"sub":"x"}},"list":[{"a":1},{"b":2}],'
                       b'"refresh_token":{"x":{"y":1}}}'),
        ("ptr-list-not-object", b'{"list":[1,{"a":1}],"data":[]}'),
        ("ptr-data-array", b'{"data":[{"access_token":{}}],"list":{"0":{"a":1}}}'),
        ("ptr-missing", b'{"other":1}'),
        ("times-present", b'{"access_token":{"iat":1,"exp":null,"nbf":"x"}}'),
        ("times-absent", b'{"access_token":{"sub":"x"},"refresh_token":{}}'),
    ]
    for name, body in ptr_cases:
        for opt in (8, 16 + 8 + 3, 16):
            write("signer", "%s-%d" % (name, opt), bytes([opt]) + body)


# ----------------------------------------------------------------- request
def req(opts, env, body=b""):
    e = "\n".join("%s=%s" % kv for kv in env).encode()
    return bytes([opts]) + e + b"\n\n" + body


def seeds_request():
    base = [("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/token?x=1"),
            ("CONTENT_TYPE", "application/json"), ("REMOTE_ADDR", "127.0.0.1")]
    body = b'{"user":"a","password":"b"}'
    cases = [
        ("exact", 0, base + [("CONTENT_LENGTH", str(len(body)))], body),
        ("chunked-reads", 3, base + [("CONTENT_LENGTH", str(len(body)))], body),
        ("cl-larger", 0, base + [("CONTENT_LENGTH", "100")], body),
        ("cl-larger-fail", 16, base + [("CONTENT_LENGTH", "100")], body),
        ("cl-smaller", 0, base + [("CONTENT_LENGTH", "5")], body),
        ("cl-missing", 0, base, body),
        ("cl-empty", 0, base + [("CONTENT_LENGTH", "")], body),
        ("cl-negative", 0, base + [("CONTENT_LENGTH", "-1")], body),
        ("cl-plus", 0, base + [("CONTENT_LENGTH", "+5")], body),
        ("cl-space", 0, base + [("CONTENT_LENGTH", " 5")], body),
        ("cl-hex", 0, base + [("CONTENT_LENGTH", "0x10")], body),
        ("cl-huge", 0, base + [("CONTENT_LENGTH", "99999999999999999999999")], body),
        ("cl-over-max", 32, base + [("CONTENT_LENGTH", "65")], body * 3),
        ("cl-at-max", 32, base + [("CONTENT_LENGTH", "64")], body * 3),
        ("cl-zeros", 0, base + [("CONTENT_LENGTH", "0005")], body),
        ("nul-body", 1, base + [("CONTENT_LENGTH", "7")], b"a\0b\0c\0d"),
        ("non-utf8", 0, base + [("CONTENT_LENGTH", "4")], b"\xff\xfe\xc0\xaf"),
        ("script-path", 0, [("SCRIPT_NAME", "/cgi-bin/jwtsign"), ("PATH_INFO", "/token"),
                            ("CONTENT_LENGTH", "2")], b"{}"),
        ("no-env", 0, [], b""),
        ("xff", 0, base + [("HTTP_X_FORWARDED_FOR", "10.0.0.1, 10.0.0.2")], b""),
        ("chunked", 2, base + [("HTTP_TRANSFER_ENCODING", "chunked")], body),
        ("chunked-over-max", 32, base + [("HTTP_TRANSFER_ENCODING", "Chunked")], body * 3),
        ("chunked-fail", 16, base + [("HTTP_TRANSFER_ENCODING", "gzip, chunked")], body),
        ("chunked-with-cl", 0, base + [("HTTP_TRANSFER_ENCODING", "chunked"),
                                       ("CONTENT_LENGTH", "4")], body),
    ]
    for name, opts, env, b in cases:
        write("request", name, req(opts, env, b))


def b64(b):
    import base64
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def hs256(header, payload, key_b64):
    """A compact HS256 JWS of the header and payload texts."""
    import base64
    import hashlib
    import hmac
    key = base64.urlsafe_b64decode(key_b64 + "=" * (-len(key_b64) % 4))
    si = b64(header) + "." + b64(payload)
    return si + "." + b64(hmac.new(key, si.encode(), hashlib.sha256).digest())


def seeds_verify():
    """fuzz_verify.c: byte 0 the policy flags, then a token."""
    a1 = load("rfc7515-a1-hs256.json")
    a3 = load("rfc7515-a3-es256.json")
    k_a1 = a1["jwk"]["k"]
    k_h1 = "c2Vjb25kLWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy0hIQ"
    claims = '{"iss":"joe","aud":["api"],"exp":1300819380,"nbf":1300819375,' \
             '"iat":1300819000,"realm":{"roles":["admin"]},"scope":"read write"}'
    toks = {
        "a1": (0x04, a1["compact"]),
        "a3": (0x04, a3["compact"]),
        "a1-expired-leeway": (0x0c, a1["compact"]),
        "h1-full": (0x7c, hs256('{"alg":"HS256","kid":"h1"}', claims, k_h1)),
        "h1-x5t": (0x05, hs256('{"alg":"HS256","x5t":"dGh1bWI"}', claims, k_h1)),
        "h1-kid-x5t": (0x07, hs256('{"alg":"HS256","kid":"h1","x5t":"dGh1bWI"}', claims, k_h1)),
        "nokid-float-exp": (0x04, hs256('{"alg":"HS256"}', '{"exp":1300819380.5}', k_a1)),
        "none": (0x00, b64('{"alg":"none"}') + "." + b64("{}") + "."),
        "crit": (0x00, hs256('{"alg":"HS256","crit":["exp"]}', "{}", k_a1)),
        "dup-alg": (0x00, hs256('{"alg":"HS256","alg":"HS256"}', "{}", k_a1)),
        "dup-claim": (0x00, hs256('{"alg":"HS256"}', '{"exp":1,"exp":2}', k_a1)),
        "padded": (0x00, a1["compact"] + "="),
        "aud-string": (0x14, hs256('{"alg":"HS256","kid":"h1"}',
                                   '{"iss":"joe","aud":"api","exp":1300819380}', k_h1)),
        "wrong-kid": (0x00, hs256('{"alg":"HS256","kid":"zz"}', "{}", k_h1)),
        "es-der": (0x00, a3["signing_input"] + "." + b64(bytes(70))),
        "empty": (0x00, ""),
    }
    for name, (flags, tok) in toks.items():
        write("verify", name, bytes([flags]) + tok.encode())


def main():
    seeds_verify()
    seeds_config()
    seeds_jwk()
    seeds_signer()
    seeds_request()
    for t in ("config", "jwk", "signer", "request", "verify"):
        n = len(os.listdir(os.path.join(OUT, t)))
        assert n < 256, t
        print("%s: %d seeds" % (t, n))


if __name__ == "__main__":
    main()
