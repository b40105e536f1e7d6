#!/usr/bin/env python3
"""fcgi_client.py - a minimal FastCGI client (FastCGI specification 1.0)
for tests that need what cgi-fcgi cannot send: another role than
FCGI_RESPONDER.

    fcgi_client.py --socket PATH [--role responder|authorizer|filter]
                   [--param NAME=VALUE ...] [--stdin FILE] [--timeout S]

Prints "protocolStatus=N appStatus=N stdout=BYTES" on the first line,
then the FCGI_STDOUT bytes.  Exit 0 when an FCGI_END_REQUEST arrived,
1 when the connection closed or timed out without one."""
import argparse
import socket
import struct
import sys

ROLES = {"responder": 1, "authorizer": 2, "filter": 3}
BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7


def record(rtype, content, req_id=1):
    return struct.pack(">BBHHBx", 1, rtype, req_id, len(content), 0) + content


def nv(name, value):
    out = b""
    for part in (name, value):
        n = len(part)
        out += bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--role", default="responder", choices=sorted(ROLES))
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--stdin")
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    body = open(a.stdin, "rb").read() if a.stdin else b""
    params = b"".join(nv(*(x.encode() for x in p.split("=", 1))) for p in a.param)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    s.connect(a.socket)
    msg = record(BEGIN, struct.pack(">HB5x", ROLES[a.role], 0))
    msg += record(PARAMS, params) + record(PARAMS, b"")
    if body:
        msg += record(STDIN, body)
    msg += record(STDIN, b"")
    s.sendall(msg)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    stdout, end = b"", None
    while len(data) >= 8:
        _, rtype, _, clen, plen = struct.unpack(">BBHHBx", data[:8])
        content = data[8:8 + clen]
        data = data[8 + clen + plen:]
        if rtype == STDOUT:
            stdout += content
        elif rtype == END and len(content) == 8:
            end = struct.unpack(">IB3x", content)
            break
    if end is None:
        print("no FCGI_END_REQUEST (stdout=%d)" % len(stdout))
        return 1
    print("protocolStatus=%d appStatus=%d stdout=%d" % (end[1], end[0], len(stdout)))
    sys.stdout.flush()
    sys.stdout.buffer.write(stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
