"""A threaded loopback HTTP server on 127.0.0.1 that records every request it receives."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

#: headers that matter for equivalence. Not compared, like the verify harness: User-Agent
#: (differs by design) and Accept-Encoding — each library advertises the decoders it has:
#: urllib3 adds `zstd` when backports.zstd is installed, httpx 0.28 only with `zstandard`; both
#: decode what they advertise, so the app sees the same body.
RELEVANT = ("content-type", "content-length", "authorization", "cookie", "accept", "x-key", "x-client")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def _record(self, body: bytes) -> None:
        self.server.log.append({
            "method": self.command, "target": self.path, "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items() if k.lower() in RELEVANT},
        })

    def _send(self, status: int, body: bytes = b"", headers=()) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self._record(body)
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        path = url.path
        if path.startswith("/redirect/"):
            code = int(path.rsplit("/", 1)[1])
            return self._send(code, b"", [("Location", q.get("to", ["/echo"])[0])])
        if path.startswith("/status/"):
            return self._send(int(path.rsplit("/", 1)[1]), b'{"error": true}', [("Content-Type", "application/json")])
        if path == "/sleep":
            time.sleep(float(q.get("s", ["1"])[0]))
        if path == "/setcookie":
            return self._send(200, b"{}", [("Set-Cookie", "sid=42; Path=/"), ("Content-Type", "application/json")])
        if path.startswith("/bytes/"):
            return self._send(200, b"x" * int(path.rsplit("/", 1)[1]), [("Content-Type", "application/octet-stream")])
        if path == "/reason":
            self.send_response(200, "Everything Fine")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return
        out = json.dumps({"method": self.command, "path": path, "query": url.query,
                          "body": body.decode("latin-1"),
                          "cookie": self.headers.get("Cookie")}).encode()
        self._send(200, out, [("Content-Type", "application/json")])

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class Stub:
    def __init__(self, tls_dir=None):
        """``tls_dir``: serve HTTPS with a fresh self-signed certificate made there (openssl)."""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.log = []
        scheme = "http"
        if tls_dir is not None:
            import ssl
            import subprocess

            cert, key = f"{tls_dir}/cert.pem", f"{tls_dir}/key.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.base = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def take(self) -> list[dict]:
        out, self.server.log[:] = list(self.server.log), []
        return out
