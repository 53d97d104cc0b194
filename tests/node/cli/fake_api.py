#!/usr/bin/env python3
"""A stand-in for riskmeshd's HTTP/JSON API (docs/API.md), enough to test
the riskmesh CLI's HTTP client without a daemon.

    fake_api.py TOKEN PORTFILE LOGFILE

Listens on 127.0.0.1 on a port below 32768 (the kernel's ephemeral range
starts there), chosen from the PID and written to PORTFILE, and logs
each request as one JSON line {method, path, auth, body} to LOGFILE."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

TOKEN, PORTFILE, LOGFILE = sys.argv[1:4]
HASH = "ab" * 32


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"_unparsable": raw.decode("utf-8", "replace")}
        with open(LOGFILE, "a") as f:
            f.write(json.dumps({"method": method, "path": self.path,
                                "auth": self.headers.get("Authorization"),
                                "ctype": self.headers.get("Content-Type"),
                                "body": body}, ensure_ascii=False) + "\n")
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.reply(401, {"error": "EUNAUTH", "field": "Authorization",
                                    "reason": "missing or wrong bearer token"})
        if method == "POST" and self.path == "/v1/alerts":
            if body.get("grade") == "purple":
                return self.reply(422, {"error": "EBADVALUE", "field": "grade",
                                        "reason": "unknown grade \"purple\" (blue|yellow|orange|red)"})
            if body.get("grade") == "red" and body.get("areas") == ["110000"]:
                return self.reply(403, {"error": "EUNAUTH", "field": "areas",
                                        "reason": "110000 is outside 120116"})
            # as riskmeshd: the reason may start with the field's path
            if body.get("grade") == "red" and body.get("areas") == ["120000"]:
                return self.reply(403, {"error": "EUNAUTH", "field": "grade",
                                        "reason": "grade: red above the maximum orange of 120116.gov"})
            if body.get("grade") == "yellow" and body.get("areas") == ["120000"]:
                return self.reply(422, {"error": "EMISSING", "field": "texts",
                                        "reason": "texts[1].headline: required"})
            if body.get("grade") == "blue" and body.get("areas") == ["120000"]:
                return self.reply(500, {"error": "EIO", "field": "",
                                        "reason": "cannot write"})
            oid = body.get("object_id") or body.get("identifier") or "120116.gov-1-x"
            return self.reply(201, {"hash": HASH, "object_id": oid,
                                    "origin": "120116.gov", "seq": 7, "ver": 1})
        if method == "POST" and self.path.startswith("/v1/alerts/") and \
                self.path.endswith("/cancel"):
            oid = self.path[len("/v1/alerts/"):-len("/cancel")]
            if oid == "missing":
                return self.reply(404, {"error": "ENOTFOUND", "field": "object_id",
                                        "reason": "no such object"})
            return self.reply(201, {"hash": "cd" * 32, "object_id": oid,
                                    "origin": "120116.gov", "seq": 8, "ver": 2})
        if method == "GET" and self.path.startswith("/v1/alerts"):
            alert = {"hash": HASH, "origin": "120000.meteorology",
                     "object_id": "met-001", "ver": 1, "seq": 3, "grade": "red",
                     "areas": ["120116"],
                     "texts": [{"lang": "zh-CN", "event": "台风",
                                "headline": "台风红色预警"}]}
            return self.reply(200, {"area": "120116", "count": 1, "alerts": [alert]})
        if method == "GET" and self.path == "/v1/status":
            return self.reply(200, {
                "agency": "120116.gov", "federation": "tianjin",
                "roster_version": 6, "started": "2026-11-29T10:00:00.000Z",
                "records": 42, "origins": 5, "active_alerts": 2, "forks": 0,
                "equivocations": 0,
                "peers": [{"agency": "120000.command", "url": "tls+tcp://127.0.0.1:7101",
                           "mode": "dial", "state": "up", "records_sent": 3,
                           "records_received": 39, "records_refused": 0,
                           "connects": 1, "last_up": "2026-11-29T10:00:01.000Z"}],
                "refused": {"EBADSIG": 0}})
        return self.reply(404, {"error": "ENOTFOUND", "field": "path",
                                "reason": "no route"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


import os
srv = None
for slot in range(10):
    port = 20000 + (os.getpid() % 120) * 100 + 90 + slot
    try:
        srv = HTTPServer(("127.0.0.1", port), Handler)
        break
    except OSError:
        continue
if srv is None:
    sys.exit("fake_api: no free port below 32768")
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
