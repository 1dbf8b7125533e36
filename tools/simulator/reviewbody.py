#!/usr/bin/env python3
"""reviewbody.py - a test peer that plays the review body (支払基金 / 国保連).

Python 3 standard library only (http.server + ssl), like curl's test servers.
It listens on 127.0.0.1 with an ephemeral port (written to --port-file), asks
for a client certificate (mutual TLS) signed by --client-ca, dedupes uploads
by the file's SHA-256, answers with a reception number and the reception
error codes the scenario asks for, and exits by itself after --lifetime
seconds.  docs/submission.md describes the protocol; results.py the month's
result files (返戻, 増減点連絡書, 振替・分割).

Faults (--fault KIND[:N], repeatable; N = the first N uploads, default all):
  drop         read half the upload, then reset the connection
  accept-drop  record the upload, then reset the connection before answering
  500          answer HTTP 500 (nothing recorded)
  stall        never answer (the client must time out)
  truncate     record, then send a response shorter than its Content-Length
  redirect     answer 302 to another URL
The state file (--state, JSON) is rewritten after every change: uploads
(requests that carried a whole file), receptions (distinct files), faults.
"""
import argparse
import hashlib
import http.server
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3,
}
MAX_UPLOAD = 256 << 20


class State:
    def __init__(self, path, scenario, faults):
        self.lock = threading.Lock()
        self.path = path
        self.scenario = scenario
        self.faults = faults            # list of [kind, remaining or None]
        self.receptions = {}            # sha256 -> dict
        self.uploads = 0
        self.fault_log = []
        self.files = {}                 # sha256 -> bytes (for the month's results)
        self.save()

    def take_fault(self):
        with self.lock:
            for f in self.faults:
                if f[1] is None:
                    self.fault_log.append(f[0])
                    return f[0]
                if f[1] > 0:
                    f[1] -= 1
                    self.fault_log.append(f[0])
                    return f[0]
        return None

    def save(self):
        if not self.path:
            return
        doc = {"uploads": self.uploads, "receptions": len(self.receptions),
               "by_sha256": {k: {"reception": v["reception"], "count": v["count"], "station": v["station"],
                                 "body": v["body"], "tls": v["tls"], "seal_bytes": v["seal_bytes"]}
                             for k, v in self.receptions.items()},
               "faults": self.fault_log}
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def receive(self, sha, station, body, name, data, seal_b64, tls):
        """Records one whole upload; returns (reception dict, duplicate)."""
        with self.lock:
            self.uploads += 1
            r = self.receptions.get(sha)
            dup = r is not None
            if not dup:
                n = len(self.receptions) + 1
                r = {"reception": "R%s%s%06d" % (station, body, n), "count": 0, "station": station,
                     "body": body, "name": name, "tls": tls, "seal_bytes": len(seal_b64) * 3 // 4,
                     "errors": results.reception_checks(self.scenario, sha, body, data)}
                self.receptions[sha] = r
                self.files[sha] = data
            r["count"] += 1
            self.save()
            return r, dup


def reception_body(sha, r, dup):
    lines = ["sha256=" + sha, "reception=" + r["reception"], "duplicate=%d" % (1 if dup else 0)]
    for e in r["errors"]:
        lines.append("error=%s,%s,%s" % (e["code"], e.get("receipt", "") or "", e["message"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "reviewbody-sim/1"

    def log_message(self, fmt, *args):
        tls = self.connection.version() if hasattr(self.connection, "version") else "-"
        sys.stderr.write("sim: %s %s\n" % (tls, fmt % args))

    def reset(self):
        """Abort the connection with a TCP reset, as a dropped line would."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def send(self, code, body, ctype="text/plain; charset=utf-8", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        st = self.server.state
        parts = [p for p in self.path.split("/") if p]
        if len(parts) == 2 and parts[0] == "status":
            r = st.receptions.get(parts[1])
            if r is None:
                return self.send(404, b"unknown digest\n")
            return self.send(200, reception_body(parts[1], r, True))
        if len(parts) == 4 and parts[0] == "results":
            # /results/STATION/YYYYMM/KIND  (KIND: henrei | zogen | furikae)
            try:
                name, data = results.month_file(st.scenario, st.files, parts[1], parts[2], parts[3])
            except KeyError as e:
                return self.send(404, ("no such result: %s\n" % e).encode())
            return self.send(200, data, "application/octet-stream",
                             {"Content-Disposition": 'attachment; filename="%s"' % name})
        return self.send(404, b"not found\n")

    def do_POST(self):
        st = self.server.state
        if self.path != "/upload":
            return self.send(404, b"not found\n")
        try:
            length = int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_UPLOAD:
            return self.send(411, b"Content-Length required\n")
        fault = st.take_fault()
        if fault == "drop":
            self.rfile.read(length // 2)
            return self.reset()
        data = self.rfile.read(length)
        if len(data) != length:
            return self.reset()
        if fault == "500":
            return self.send(500, b"internal error (injected)\n")
        if fault == "stall":
            time.sleep(self.server.lifetime)
            return self.reset()
        if fault == "redirect":
            return self.send(302, b"moved\n", extra={"Location": "https://127.0.0.1:1/elsewhere"})
        sha = hashlib.sha256(data).hexdigest()
        want = self.headers.get("X-Houkan-Sha256", "")
        if want != sha:
            return self.send(400, ("digest mismatch: header %s, body %s\n" % (want, sha)).encode())
        seal = self.headers.get("X-Houkan-Seal", "")
        if not seal:
            return self.send(400, b"seal missing\n")
        r, dup = st.receive(sha, self.headers.get("X-Houkan-Station", "?"), self.headers.get("X-Houkan-Body", "?"),
                            self.headers.get("X-Houkan-Name", "?"), data, seal, self.connection.version())
        body = reception_body(sha, r, dup)
        if fault == "accept-drop":
            return self.reset()
        if fault == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body) + 100))
            self.end_headers()
            self.wfile.write(body[:20])
            self.wfile.flush()
            return self.reset()
        return self.send(200, body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        sys.stderr.write("sim: connection from %s: %s: %s\n" % (client_address[0], type(e).__name__, e))


class TLSServer(Server):
    """Handshakes in the handler thread, so a silent client cannot block accept()."""

    def __init__(self, addr, handler, ctx):
        super().__init__(addr, handler)
        self.ctx = ctx

    def process_request_thread(self, request, client_address):
        try:
            request.settimeout(10)
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            sys.stderr.write("sim: TLS handshake with %s failed: %s\n" % (client_address[0], e))
            self.shutdown_request(request)
            return
        super().process_request_thread(tls, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca", help="CA for client certificates (PEM)")
    ap.add_argument("--no-client-cert", action="store_true", help="do not ask for a client certificate")
    ap.add_argument("--tls-min", choices=sorted(TLS_VERSIONS), default="1.2")
    ap.add_argument("--tls-max", choices=sorted(TLS_VERSIONS), default="1.3")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--state", help="JSON state file, rewritten on every change")
    ap.add_argument("--scenario", help="scenario JSON (results.py)")
    ap.add_argument("--fault", action="append", default=[], help="KIND[:N]")
    ap.add_argument("--lifetime", type=float, default=60.0, help="seconds before exiting by itself")
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if a.tls_min in ("1.0", "1.1"):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = TLS_VERSIONS[a.tls_min]
    ctx.maximum_version = TLS_VERSIONS[a.tls_max]
    ctx.load_cert_chain(a.cert, a.key)
    if not a.no_client_cert:
        if not a.client_ca:
            ap.error("--client-ca is required unless --no-client-cert")
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=a.client_ca)

    faults = []
    for f in a.fault:
        kind, _, n = f.partition(":")
        if kind not in ("drop", "accept-drop", "500", "stall", "truncate", "redirect"):
            ap.error("unknown fault %r" % kind)
        faults.append([kind, int(n) if n else None])
    scenario = results.load_scenario(a.scenario)
    srv = TLSServer(("127.0.0.1", 0), Handler, ctx)
    srv.state = State(a.state, scenario, faults)
    srv.lifetime = a.lifetime
    port = srv.server_address[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, a.port_file)
    sys.stderr.write("sim: listening on 127.0.0.1:%d (TLS %s..%s, client cert %s), exits after %gs\n" % (
        port, a.tls_min, a.tls_max, "not asked" if a.no_client_cert else "required", a.lifetime))
    timer = threading.Timer(a.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
