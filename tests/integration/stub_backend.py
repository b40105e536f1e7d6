#!/usr/bin/env python3
"""Stub login backend for the jwtsign integration tests (stdlib only).

Listens on 127.0.0.1 only.  Paths (the query string is ignored):

  /token-issuer        200, the reference answer (KrakenD's signer example)
  /fresh/N             200, the reference answer with its three "exp" set to
                       N (digits): tokens that are not expired yet
  /created             201, the reference answer
  /login               200 (the reference) when the JSON body's "pass" is "right", else 401
  /echo                200, {"access_token":{"sub":"x"},"echo":{...}} describing
                       the request: method, body_b64 (standard base64 of the
                       exact body bytes), content_type, xff,
                       expect_header_present, chunked, path
  /status/NNN          status NNN, body {"error":"from-backend-NNN"} as
                       application/json (no body for 1xx/204/304); 3xx also
                       carry "Location: /token-issuer"
  /empty               200, empty body
  /text                200, text/plain "hello"
  /nan                 200, {"a":NaN}
  /comment             200, JSON object with a /* comment */
  /single-quotes       200, {'a':1}
  /array               200, [1,2]
  /trailing            200, {"a":1} x
  /slow                sleeps 5 s, then 200 with the reference answer
  /jwk/symmetric.json  the JWK Set given with --jwks
  /hits                200, {"PATH": count, ...} of every request so far
                       (requests to /hits and /headers are not counted)
  /headers             200, {"PATH": [[name, value], ...], ...}: the request
                       headers of the last request to each path, in the
                       order received, repeated ones repeated (requests to
                       /hits and /headers are not recorded)

Options: --port N (0 = any free port), --port-file FILE (written once
listening), --log FILE, --jwks FILE.
"""

import argparse
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REFERENCE = (
    '{"access_token":{"aud":"https://your.krakend.io","iss":"https://your-backend",'
    '"sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomnbvcx98ertyuiop",'
    '"roles":["role_a","role_b"],"exp":1735689600},'
    '"refresh_token":{"aud":"https://your.krakend.io","iss":"https://your-backend",'
    '"sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomn12876bvcx98ertyuiop",'
    '"exp":1735689600},"exp":1735689600}'
).encode()

FIXED = {
    "/empty": (200, "application/json", b""),
    "/text": (200, "text/plain", b"hello"),
    "/nan": (200, "application/json", b'{"a":NaN}'),
    "/comment": (200, "application/json", b'{/* comment */"a":1}'),
    "/single-quotes": (200, "application/json", b"{'a':1}"),
    "/array": (200, "application/json", b"[1,2]"),
    "/trailing": (200, "application/json", b'{"a":1} x'),
}

MAX_BODY = 64 * 1024 * 1024
SLOW_SECONDS = 5.0


class State:
    def __init__(self, jwks, log):
        self.jwks = jwks
        self.log = log
        self.hits = {}
        self.headers = {}
        self.lock = threading.Lock()

    def hit(self, path, headers):
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.headers[path] = [[k, v] for k, v in headers.items()]

    def write_log(self, line):
        if self.log is None:
            return
        with self.lock:
            self.log.write(line + "\n")
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jwtsign-stub/1"

    def log_message(self, fmt, *args):
        self.server.state.write_log(
            "%s %s" % (time.strftime("%H:%M:%S"), fmt % args))

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
            return b"".join(chunks), True
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return (self.rfile.read(n) if n else b""), False

    def answer(self, status, ctype, body, extra=None):
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if status in (204, 304) or 100 <= status < 200:
            self.end_headers()
            return
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        state = self.server.state
        path = self.path.split("?", 1)[0]
        try:
            body, chunked = self.read_body()
        except (ValueError, OSError) as e:
            self.answer(400, "text/plain", str(e).encode())
            return
        if path not in ("/hits", "/headers"):
            state.hit(path, self.headers)

        if path == "/hits":
            with state.lock:
                doc = json.dumps(state.hits, sort_keys=True).encode()
            self.answer(200, "application/json", doc)
        elif path == "/headers":
            with state.lock:
                doc = json.dumps(state.headers, sort_keys=True).encode()
            self.answer(200, "application/json", doc)
        elif path.startswith("/fresh/") and path[7:].isdigit():
            doc = REFERENCE.replace(b"1735689600", path[7:].encode())
            self.answer(200, "application/json", doc)
        elif path == "/token-issuer":
            self.answer(200, "application/json", REFERENCE)
        elif path == "/login":
            # A login check: {"user": U, "pass": P} succeeds when P is
            # "right", else 401 (the failed-login throttle's tests).
            try:
                creds = json.loads(body or b"{}")
            except ValueError:
                creds = {}
            if isinstance(creds, dict) and creds.get("pass") == "right":
                self.answer(200, "application/json", REFERENCE)
            else:
                self.answer(401, "application/json", b'{"error":"bad credentials"}')
        elif path == "/created":
            self.answer(201, "application/json", REFERENCE)
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.answer(200, "application/json", REFERENCE)
        elif path == "/echo":
            echo = {
                "method": self.command,
                "path": path,
                "body_b64": base64.b64encode(body).decode(),
                "content_type": self.headers.get("Content-Type"),
                "xff": self.headers.get("X-Forwarded-For"),
                "expect_header_present": "Expect" in self.headers,
                "chunked": chunked,
                "query": self.path.split("?", 1)[1] if "?" in self.path else None,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
            doc = {"access_token": {"sub": "x"}, "echo": echo}
            self.answer(200, "application/json", json.dumps(doc).encode())
        elif path == "/jwk/symmetric.json" and state.jwks is not None:
            self.answer(200, "application/json", state.jwks)
        elif path.startswith("/status/") and path[8:].isdigit():
            status = int(path[8:])
            extra = {}
            if 300 <= status < 400:
                extra["Location"] = "http://%s:%d/token-issuer" % self.server.server_address[:2]
            doc = ('{"error":"from-backend-%d"}' % status).encode()
            self.answer(status, "application/json", doc, extra)
        elif path in FIXED:
            self.answer(*FIXED[path])
        else:
            self.answer(404, "text/plain", b"stub: no such path\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--jwks")
    args = ap.parse_args()

    jwks = None
    if args.jwks:
        with open(args.jwks, "rb") as f:
            jwks = f.read()
    log = open(args.log, "a", buffering=1) if args.log else None

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.state = State(jwks, log)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    srv.state.write_log("listening on 127.0.0.1:%d" % port)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
