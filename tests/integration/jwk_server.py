#!/usr/bin/env python3
"""JWK Set server for the jwtsign key-retrieval tests (stdlib only).

Listens on 127.0.0.1 only, over HTTPS when --cert/--key are given.  Paths
(the query string is ignored):

  /NAME.json     the file DIR/NAME.json of --dir, read again for every
                 request (so a test rotates keys by rewriting it), as
                 application/json with an ETag (SHA-256 of the content) and
                 Last-Modified; a matching If-None-Match gets 304.  When
                 DIR/delay exists, the answer waits as many seconds as it
                 says; when DIR/status exists, its number is the status.
  /redirect/NAME.json   302 to /NAME.json
  /hits          {"NAME.json": {"requests": N, "ok": N, "not_modified": N,
                 "in_flight": N, "log": ["HH:MM:SS USER-AGENT [conditional]",
                 ...]}, ...}; requests to /hits are not counted

Options: --port N (0 = any), --port-file FILE (written once listening),
--dir DIR, --cert CHAIN.pem --key KEY.pem, --tls-max 1.2|1.3, --ciphers
OPENSSL_CIPHER_LIST (TLS 1.2 suites), --log FILE.
Exits on SIGTERM, or by itself after --lifetime seconds (default 600).
"""

import argparse
import email.utils
import hashlib
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
HITS = {}


def count(name, field, delta=1, note=None):
    with LOCK:
        h = HITS.setdefault(
            name, {"requests": 0, "ok": 0, "not_modified": 0, "in_flight": 0, "log": []}
        )
        h[field] += delta
        if note:
            h["log"].append(note)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jwk_server"

    def log_message(self, fmt, *args):
        if self.server.logf:
            self.server.logf.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))
            self.server.logf.flush()

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if status != 304:
            self.wfile.write(body)
        self.close_connection = True

    def read_number(self, name):
        try:
            with open(os.path.join(self.server.dir, name)) as f:
                return float(f.read().strip() or "0")
        except (OSError, ValueError):
            return None

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/hits":
            with LOCK:
                body = json.dumps(HITS, sort_keys=True).encode()
            return self.send(200, body, [("Content-Type", "application/json")])
        if path.startswith("/redirect/"):
            return self.send(302, b"", [("Location", path[len("/redirect") :])])
        name = path.lstrip("/")
        if "/" in name or not name.endswith(".json"):
            return self.send(404, b"{}", [("Content-Type", "application/json")])
        count(
            name,
            "requests",
            note="%s %s%s"
            % (
                time.strftime("%H:%M:%S"),
                self.headers.get("User-Agent", "?"),
                " conditional" if self.headers.get("If-None-Match") else "",
            ),
        )
        count(name, "in_flight")
        try:
            self.serve_file(name)
        finally:
            count(name, "in_flight", -1)

    def serve_file(self, name):
        delay = self.read_number("delay")
        if delay:
            time.sleep(min(delay, 60))
        status = self.read_number("status")
        if status:
            return self.send(int(status), b'{"error":"test"}', [("Content-Type", "application/json")])
        fpath = os.path.join(self.server.dir, name)
        try:
            with open(fpath, "rb") as f:
                body = f.read()
            mtime = os.path.getmtime(fpath)
        except OSError:
            return self.send(404, b"{}", [("Content-Type", "application/json")])
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        headers = [
            ("ETag", etag),
            ("Last-Modified", email.utils.formatdate(mtime, usegmt=True)),
            ("Content-Type", "application/json"),
        ]
        if self.headers.get("If-None-Match") == etag:
            count(name, "not_modified")
            return self.send(304, b"", headers)
        count(name, "ok")
        return self.send(200, body, headers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--tls-max", choices=["1.2", "1.3"])
    ap.add_argument("--ciphers")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=600)
    a = ap.parse_args()

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.dir = a.dir
    srv.logf = open(a.log, "a") if a.log else None
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if a.tls_max == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        if a.ciphers:
            ctx.set_ciphers(a.ciphers)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)

        # Handshake in the request thread, so a client that fails it does
        # not stall the others; a failed one is logged in one line.
        base_setup = Handler.setup

        def setup(self):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as e:
                if srv.logf:
                    srv.logf.write("handshake failed: %s\n" % e)
                    srv.logf.flush()
                raise
            base_setup(self)

        Handler.setup = setup
        srv.handle_error = lambda request, address: None

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGALRM, lambda *_: os._exit(0))
    signal.alarm(int(a.lifetime))
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
