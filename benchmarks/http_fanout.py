"""Phase 3 benchmark: an endpoint making 3 upstream calls of 100 ms each.

* Flask + requests (a module-level Session) in one sync worker: requests are served one
  after another (the test client in one thread, like a single sync gunicorn worker);
* the same app migrated with ``flask2quart migrate --phase 3`` (httpx.AsyncClient owned by the
  app) — the three calls stay sequential, but the event loop serves concurrent requests;
* the migrated helper called with ``asyncio.gather`` (the three calls are independent, so the
  code allowed it: a one-line manual change after the migration);
* the same three calls as ``requests.get`` module functions: migrated, each gets its own
  per-call client (requests' semantics: a fresh Session per call), sharing one SSL context.

Run: ``.venv/bin/python benchmarks/http_fanout.py [N]`` (N concurrent requests, default 10).
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APP = '''
import os

import requests
from flask import Flask, jsonify

UPSTREAM = os.environ["F2Q_BENCH_UPSTREAM"]
app = Flask(__name__)
SESSION = requests.Session()
SESSION.headers.update({"X-Client": "bench"})


def part(name):
    r = SESSION.get(UPSTREAM + "/" + name, timeout=5)
    r.raise_for_status()
    return r.json()


@app.route("/fanout")
def fanout():
    return jsonify([part("a"), part("b"), part("c")])


@app.route("/fanout-calls")
def fanout_calls():
    a = requests.get(UPSTREAM + "/a", timeout=5).json()
    b = requests.get(UPSTREAM + "/b", timeout=5).json()
    c = requests.get(UPSTREAM + "/c", timeout=5).json()
    return jsonify([a, b, c])
'''

GATHER_VIEW = '''

@app.route("/fanout-gather")
async def fanout_gather():
    return jsonify(await asyncio.gather(part("a"), part("b"), part("c")))
'''


class Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, *a):
        pass

    def do_GET(self):
        time.sleep(0.1)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main(n: int = 10) -> None:
    import os

    from flask2quart import engine

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # socketserver's default backlog of 5 drops SYNs under fan-out (1 s retransmit)

    server = Server(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["F2Q_BENCH_UPSTREAM"] = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = Path(tempfile.mkdtemp())
    proj = tmp / "proj"
    proj.mkdir()
    (proj / "app.py").write_text(APP)
    result = engine.run([proj], 3)
    migrated = result.changed[0].new.decode()
    (tmp / "flask_app.py").write_text(APP)
    (tmp / "quart_app.py").write_text("import asyncio\n" + migrated + GATHER_VIEW)
    flask_app = load(tmp / "flask_app.py", "bench_flask").app
    quart_app = load(tmp / "quart_app.py", "bench_quart").app

    c = flask_app.test_client()
    t0 = time.perf_counter()
    for _ in range(n):
        assert c.get("/fanout").status_code == 200
    flask_s = time.perf_counter() - t0

    async def quart_run(path: str) -> tuple[float, float]:
        async with quart_app.test_app() as ta:
            qc = ta.test_client()
            assert (await qc.get(path)).status_code == 200  # warm the pool
            t = time.perf_counter()
            assert (await qc.get(path)).status_code == 200
            one = time.perf_counter() - t
            t = time.perf_counter()
            rs = await asyncio.gather(*(qc.get(path) for _ in range(n)))
            assert all(r.status_code == 200 for r in rs)
            return one, time.perf_counter() - t

    t0 = time.perf_counter()
    for _ in range(n):
        assert c.get("/fanout-calls").status_code == 200
    flask_calls_s = time.perf_counter() - t0

    seq_one, seq_s = asyncio.run(quart_run("/fanout"))
    calls_one, calls_s = asyncio.run(quart_run("/fanout-calls"))
    gather_one, gather_s = asyncio.run(quart_run("/fanout-gather"))
    server.shutdown()
    print(f"{n} concurrent requests, each making 3 upstream calls of 100 ms")
    print(f"{'variant':40} {'1 request':>10} {f'{n} requests':>12}")
    print(f"{'flask + requests, one sync worker':40} {flask_s / n * 1000:8.0f} ms {flask_s:10.2f} s")
    print(f"{'quart + httpx (migrated, sequential)':40} {seq_one * 1000:8.0f} ms {seq_s:10.2f} s")
    print(f"{'quart + httpx (asyncio.gather)':40} {gather_one * 1000:8.0f} ms {gather_s:10.2f} s")
    print(f"{'flask, requests.get module functions':40} {flask_calls_s / n * 1000:8.0f} ms {flask_calls_s:10.2f} s")
    print(f"{'quart, a per-call httpx client each':40} {calls_one * 1000:8.0f} ms {calls_s:10.2f} s")
    print(f"ratio ({n} requests) flask/migrated = {flask_s / seq_s:.1f}x, flask/gather = {flask_s / gather_s:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
