#!/usr/bin/env python3
"""Hostile login backend for tests/integration/hostile.sh (stdlib only).

A raw-socket HTTP/1.1 server on 127.0.0.1 that answers what a broken or
malicious backend could send: invalid UTF-8, \\u0000, lone surrogates,
duplicate keys, numbers JSON allows but 64-bit integers do not hold,
trailing garbage, empty or truncated bodies, a connection closed mid-body,
an answer that never ends, 1 GiB answers, huge headers, deep nesting.
Each connection serves one request and is closed.  Everything is bounded
in time: a streaming answer stops after --stream-seconds (or when the
client goes away) and the whole server exits after --max-seconds.

Subcommands:
  serve [--port N] [--port-file FILE] [--log FILE] [--max-seconds N]
        [--stream-seconds N] [--jwks FILE]
        GET/POST /PATH answers as in STATIC and Server.answer below (also
        /token-issuer: the reference answer, and /jwk/symmetric.json: the
        --jwks file, both in one write, so it is fast enough for the soak
        test); /hits prints {"PATH": count} of the requests so far, /bytes
        {"PATH": bytes sent}.
  verify BODY --jwks JWKS --member NAME --payload FILE [--rest FILE]
        BODY (a jwtsign answer) holds member NAME as an HS256 compact JWS
        whose signature verifies with the JWKS's first key, whose header
        alg is HS256 and whose payload bytes are exactly FILE's; with
        --rest, BODY with every JWS string replaced by "JWS" equals FILE.
  maxrss OUT -- CMD ARGS...
        run CMD (stdin/stdout/stderr inherited), write its peak resident
        set size in KiB to OUT, exit with CMD's status.
"""

import argparse
import base64
import gzip
import hashlib
import hmac
import json
import os
import re
import resource
import socket
import subprocess
import sys
import threading
import time

GIB = 1024 * 1024 * 1024


def ok_json(body):
    return ("200 OK", [("Content-Type", "application/json")], body)


# Static answers: path -> (status line, headers, body).  Content-Length
# is added.
STATIC = {
    "/ok": ok_json(b'{"access_token":{"sub":"x"},"n":1}'),
    "/invalid-utf8": ok_json(b'{"access_token":{"s":"a\xffb\xc3"},"x":"\xed\xa0\x80"}'),
    "/nul-string": ok_json(b'{"access_token":{"s":"a\\u0000b"}}'),
    "/nul-key": ok_json(b'{"access_token":{"a\\u0000b":1}}'),
    "/nul-top-key": ok_json(b'{"access_token":{},"a\\u0000":1}'),
    "/lone-surrogate": ok_json(b'{"access_token":{"s":"\\ud800x","t":"\\udc00"}}'),
    "/dup-keys": ok_json(b'{"access_token":{"a":1},"access_token":{"b":2}}'),
    "/dup-inner": ok_json(b'{"access_token":{"a":1,"a":2}}'),
    "/dup-unsigned": ok_json(b'{"access_token":{"a":1},"access_token":"plain"}'),
    "/huge-int": ok_json(b'{"access_token":{"n":18446744073709551616}}'),
    "/huge-neg-int": ok_json(b'{"access_token":{"n":-9223372036854775809}}'),
    "/max-ints": ok_json(b'{"access_token":{"a":18446744073709551615,'
                         b'"b":-9223372036854775808}}'),
    "/minus-zero": ok_json(b'{"access_token":{"n":-0}}'),
    "/minus-zero-float": ok_json(b'{"access_token":{"n":-0.0}}'),
    "/exponents": ok_json(b'{"access_token":{"a":1E+5,"b":1e-7,"c":2.50,"d":1e400}}'),
    "/trailing-object": ok_json(b'{"access_token":{}}{}'),
    "/trailing-nul": ok_json(b'{"access_token":{}}\x00'),
    "/empty": ok_json(b""),
    "/deep-million": ok_json(b"[" * 1000000),
    "/not-object-token": ok_json(b'{"access_token":"already-a-string","refresh_token":[1]}'),
}


def nested(depth):
    """A document nested depth levels deep whose access_token is an object
    (the document's own object is level 1)."""
    inner = b"{}"
    for _ in range(depth - 2):
        inner = b'{"a":' + inner + b"}"
    return b'{"access_token":' + inner + b"}"


STATIC["/deep-64"] = ok_json(nested(64))
STATIC["/deep-128"] = ok_json(nested(128))
STATIC["/deep-129"] = ok_json(nested(129))
STATIC["/members-100000"] = ok_json(b'{"access_token":{},"a":[' + b",".join([b"0"] * 99998) + b"]}")
STATIC["/members-100001"] = ok_json(b'{"access_token":{},"a":[' + b",".join([b"0"] * 99999) + b"]}")


REFERENCE = (
    b'{"access_token":{"aud":"https://your.krakend.io","iss":"https://your-backend",'
    b'"sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomnbvcx98ertyuiop",'
    b'"roles":["role_a","role_b"],"exp":1735689600},'
    b'"refresh_token":{"aud":"https://your.krakend.io","iss":"https://your-backend",'
    b'"sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomn12876bvcx98ertyuiop",'
    b'"exp":1735689600},"exp":1735689600}')
STATIC["/token-issuer"] = ok_json(REFERENCE)
# KrakenD's answer rules (deny, target, group) on a login answer.
STATIC["/login-extra"] = ok_json(b'{"access_token":{"sub":"x"},"password_hash":"$2y$10$abc",'
                                 b'"user":{"id":7,"ssn":"123"}}')
STATIC["/login-wrapped"] = ok_json(b'{"data":{"access_token":{"sub":"x"},"n":1},"meta":2}')
# A backend's refusals: the headers a client needs, hop-by-hop and
# Set-Cookie that it must not get; a non-JSON body that must not be served.
STATIC["/401-www"] = ("401 Unauthorized", [
    ("Content-Type", "application/json"), ("WWW-Authenticate", 'Bearer realm="api"'),
    ("WWW-Authenticate", 'Basic realm="api"'), ("Retry-After", "7"), ("Content-Language", "fr"),
    ("Set-Cookie", "sid=secret"), ("Keep-Alive", "timeout=5"), ("X-Internal", "node-3")],
    b'{"error":"invalid_grant"}')
STATIC["/401-html"] = ("401 Unauthorized", [("Content-Type", "text/html")],
                       b"<html><script>alert(1)</script>user john</html>")
STATIC["/400-no-ct"] = ("400 Bad Request", [], b"<b>bad</b>")
STATIC["/407"] = ("407 Proxy Authentication Required", [("Content-Type", "application/json")],
                  b'{"error":"proxy"}')
# Content codings: decoded, as Go's client decodes them.
STATIC["/gzip-ok"] = ("200 OK", [("Content-Type", "application/json"),
                                 ("Content-Encoding", "gzip")],
                      gzip.compress(b'{"access_token":{"sub":"x"},"n":1}'))
STATIC["/gzip-401"] = ("401 Unauthorized", [("Content-Type", "application/json"),
                                            ("Content-Encoding", "gzip")],
                       gzip.compress(b'{"error":"invalid_grant"}'))



def with_headers(answer, n):
    """answer with n more header lines of 104 bytes each."""
    status, hdrs, body = answer
    extra = [("X-H%05d" % i, "b" * 92) for i in range(n)]
    return (status, hdrs + extra, body)


# 700 lines of 104 bytes: a 72,800-byte header block, over the default
# max_header_size (65536) though every line is small.
STATIC["/headers-70k"] = with_headers(STATIC["/ok"], 700)


class Server:
    def __init__(self, args):
        self.args = args
        if args.jwks:
            with open(args.jwks, "rb") as f:
                STATIC["/jwk/symmetric.json"] = ok_json(f.read())
            STATIC["/jwk/headers-70k.json"] = with_headers(STATIC["/jwk/symmetric.json"], 700)
            status, hdrs, body = STATIC["/jwk/symmetric.json"]
            STATIC["/jwk/symmetric-gzip.json"] = (
                status, hdrs + [("Content-Encoding", "gzip")], gzip.compress(body))
        self.lock = threading.Lock()
        self.hits = {}
        self.sent = {}
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.deadline = time.monotonic() + args.max_seconds

    def note(self, line):
        if self.log:
            with self.lock:
                self.log.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))

    def count(self, path, n):
        with self.lock:
            self.sent[path] = self.sent.get(path, 0) + n

    # ---------------------------------------------------------------- I/O
    def read_request(self, conn):
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
            if len(data) > 1 << 20:
                return None
        head, rest = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        path = parts[1].decode("latin-1").split("?", 1)[0] if len(parts) > 1 else "/"
        clen = 0
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                clen = int(v.strip() or b"0")
        while len(rest) < clen:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return path

    def send(self, conn, path, data):
        conn.sendall(data)
        self.count(path, len(data))

    def stream_until(self, conn, path, piece, interval=0.0):
        """Send piece repeatedly until the client leaves or time is up."""
        end = min(time.monotonic() + self.args.stream_seconds, self.deadline)
        conn.settimeout(5)
        try:
            while time.monotonic() < end:
                self.send(conn, path, piece)
                if interval:
                    time.sleep(interval)
        except OSError:
            pass

    # ------------------------------------------------------------ answers
    def answer(self, conn, path):
        if path in ("/hits", "/bytes"):
            with self.lock:
                doc = json.dumps(self.hits if path == "/hits" else self.sent,
                                 sort_keys=True).encode()
            self.send(conn, path, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(doc), doc))
            return
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        if path in STATIC:
            status, hdrs, body = STATIC[path]
            out = b"HTTP/1.1 " + status.encode() + b"\r\n"
            for k, v in hdrs:
                out += ("%s: %s\r\n" % (k, v)).encode()
            out += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
            self.send(conn, path, out + body)
        elif path == "/not-http":
            # The request was read; the answer has no status line.
            self.send(conn, path, b"this is not HTTP\r\n\r\n")
        elif path == "/empty-close":
            # 200 without Content-Length, closed at once: an empty body.
            self.send(conn, path, head + b"\r\n")
        elif path == "/close-mid-body":
            self.send(conn, path, head + b"Content-Length: 1000\r\n\r\n" +
                      b'{"access_token":{"sub":"' + b"x" * 60)
        elif path == "/close-no-length":
            # No Content-Length: the body ends with the connection, cut
            # inside the claims.
            self.send(conn, path, head + b"\r\n" + b'{"access_token":{"sub":"x"')
        elif path == "/chunked-cut":
            self.send(conn, path, head + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"10\r\n{\"access_token\":\r\n20\r\n{\"sub\"")
        elif path == "/silent":
            # Read the request, then say nothing until time is up.
            end = min(time.monotonic() + self.args.stream_seconds, self.deadline)
            conn.settimeout(0.2)
            while time.monotonic() < end:
                try:
                    if conn.recv(1) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
        elif path == "/never-ends":
            # Headers, then one byte every 100 ms: the body never ends
            # (in the time given; its length is within the 1 MiB limit).
            self.send(conn, path, head + b"Content-Length: 500000\r\n\r\n"
                      b'{"access_token":{"sub":"')
            self.stream_until(conn, path, b"x", 0.1)
        elif path == "/huge":
            # A 1 GiB answer as fast as the client takes it.
            self.send(conn, path, head + b"Content-Length: %d\r\n\r\n" % GIB +
                      b'{"access_token":{},"pad":"')
            self.stream_until(conn, path, b"x" * 65536)
        elif path == "/huge-chunked":
            self.send(conn, path, head + b"Transfer-Encoding: chunked\r\n\r\n"
                      b'1a\r\n{"access_token":{},"pad":"\r\n')
            self.stream_until(conn, path, b"10000\r\n" + b"x" * 65536 + b"\r\n")
        elif path == "/huge-length-small-body":
            # Announces 1 GiB, sends a small valid object, closes.
            self.send(conn, path, head + b"Content-Length: %d\r\n\r\n" % GIB +
                      b'{"access_token":{}}')
        elif path == "/huge-header":
            self.send(conn, path, b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (1 << 20) +
                      b"\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                      b"Connection: close\r\n\r\n{}")
        elif path == "/many-headers":
            hdrs = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(20000))
            self.send(conn, path, b"HTTP/1.1 200 OK\r\n" + hdrs +
                      b"Content-Type: application/json\r\nContent-Length: 19\r\n"
                      b"Connection: close\r\n\r\n{\"access_token\":{}}")
        elif path == "/endless-header":
            self.send(conn, path, b"HTTP/1.1 200 OK\r\nX-Endless: ")
            self.stream_until(conn, path, b"z" * 4096)
        else:
            body = b"no such path\n"
            self.send(conn, path, b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))

    def handle(self, conn):
        path = "?"
        try:
            path = self.read_request(conn)
            if path is not None:
                self.answer(conn, path)
        except OSError as e:
            self.note("%s: %s" % (path, e))
        finally:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self.note("done %s" % path)

    def serve(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.args.port))
        ls.listen(64)
        ls.settimeout(0.5)
        port = ls.getsockname()[1]
        if self.args.port_file:
            tmp = self.args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.rename(tmp, self.args.port_file)
        self.note("listening on 127.0.0.1:%d" % port)
        while time.monotonic() < self.deadline:
            try:
                conn, _ = ls.accept()
            except socket.timeout:
                continue
            t = threading.Thread(target=self.handle, args=(conn,), daemon=True)
            t.start()
        self.note("max-seconds reached, exiting")
        return 0


# ------------------------------------------------------------------ verify
def b64url(s):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s) or len(s) % 4 == 1:
        raise ValueError("not unpadded base64url: %r" % s[:40])
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


JWS_RE = re.compile(rb'"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+)"')


def cmd_verify(a):
    with open(a.body, "rb") as f:
        body = f.read()
    with open(a.jwks, "rb") as f:
        key = b64url(json.loads(f.read())["keys"][0]["k"])
    with open(a.payload, "rb") as f:
        want = f.read()
    # The member's value, found without decoding the (possibly non-UTF-8)
    # body as a whole.
    m = re.search(rb'"' + re.escape(a.member.encode()) + rb'":"([^"]*)"', body)
    if not m:
        print("verify: member %s is not a string in %r" % (a.member, body[:300]), file=sys.stderr)
        return 1
    tok = m.group(1).decode("ascii")
    parts = tok.split(".")
    if len(parts) != 3 or not parts[2]:
        print("verify: not a compact JWS with a signature: %r" % tok[:200], file=sys.stderr)
        return 1
    hdr = json.loads(b64url(parts[0]))
    if hdr.get("alg") != "HS256":
        print("verify: header alg %r" % hdr.get("alg"), file=sys.stderr)
        return 1
    mac = hmac.new(key, (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(mac, b64url(parts[2])):
        print("verify: bad HMAC", file=sys.stderr)
        return 1
    got = b64url(parts[1])
    if got != want:
        print("verify: payload %r, expected %r" % (got, want), file=sys.stderr)
        return 1
    if a.rest:
        with open(a.rest, "rb") as f:
            rest = f.read()
        masked = JWS_RE.sub(b'"JWS"', body)
        if masked != rest:
            print("verify: body %r, expected %r" % (masked[:300], rest[:300]), file=sys.stderr)
            return 1
    return 0


def cmd_maxrss(a):
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    rc = subprocess.call(cmd)
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(a.out, "w") as f:
        f.write("%d\n" % kib)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd_name", required=True)
    p = sub.add_parser("serve")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--max-seconds", type=float, default=600)
    p.add_argument("--stream-seconds", type=float, default=30)
    p.add_argument("--jwks", help="JWK Set file served as /jwk/symmetric.json")
    p = sub.add_parser("verify")
    p.add_argument("body")
    p.add_argument("--jwks", required=True)
    p.add_argument("--member", required=True)
    p.add_argument("--payload", required=True)
    p.add_argument("--rest")
    p = sub.add_parser("maxrss")
    p.add_argument("out")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if a.cmd_name == "serve":
        return Server(a).serve()
    if a.cmd_name == "verify":
        return cmd_verify(a)
    return cmd_maxrss(a)


if __name__ == "__main__":
    sys.exit(main())
