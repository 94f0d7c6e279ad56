"""Throughput of the migrated app: Flask under gunicorn vs the phase-3 migration under hypercorn.

    .venv/bin/python benchmarks/app_throughput.py           # 10/100/500 connections, 6 s a point
    .venv/bin/python benchmarks/app_throughput.py --quick   # 10/50 connections, 1 s a point (CI)

Needs the ``bench`` extra (gunicorn, matplotlib). The fixture ``benchmarks/apps/throughput/app.py``
is a plain Flask app with an I/O-bound endpoint (``/io``: ``requests.get`` of a local upstream
stub that answers after ``--latency`` seconds, 75 ms by default) and a DB-bound one (``/db``: an
aggregate over 20,000 sqlite rows). A temporary copy is migrated with ``flask2quart migrate
--phase 3`` (the benchmark never edits the migrated code) and served by hypercorn; the original
is served by gunicorn sync workers; same worker count (``--workers``, default 2), loopback only.

The load generator runs in this process: a minimal asyncio HTTP/1.1 client, one keep-alive
connection per simulated user (reconnecting when the server closes, as gunicorn's sync workers
do after every response), each sending its next request as soon as the previous answer arrived.
Throughput counts the responses completed inside the measured window (after a warm-up), so
it is the rate the server sustains even when its queue is longer than the window; latency is
measured per request, send to last byte, over those responses (with deep queues, e.g. sync
workers at 500 connections, the p99 of a short window underestimates the steady state). Its own ceiling is measured first against the stub's zero-latency path.
The upstream stub is a separate asyncio process. Results: a table, ``throughput.json`` and the
plot ``benchmarks/throughput.png``; the last line is the /io ratio at 100 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP_DIR = HERE / "apps" / "throughput"
REPO = HERE.parent


# ----------------------------------------------------------------------------- upstream stub
async def _stub_main(port: int, latency: float) -> None:
    body = b'{"value": 42}'

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                if path.startswith(b"/slow"):
                    await asyncio.sleep(latency)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


# ----------------------------------------------------------------------------- load generator
@dataclass
class Point:
    server: str
    endpoint: str
    concurrency: int
    duration: float
    ok: int = 0
    errors: int = 0
    latencies: list = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.duration

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000

    def row(self) -> dict:
        return {"server": self.server, "endpoint": self.endpoint, "concurrency": self.concurrency,
                "duration_s": self.duration, "ok": self.ok, "errors": self.errors,
                "rps": round(self.rps, 1), "p50_ms": round(self.pct(0.50), 1),
                "p99_ms": round(self.pct(0.99), 1)}


async def _user(port: int, path: str, start: float, end: float, point: Point) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    reader = writer = None
    while time.perf_counter() < end:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                point.errors += 1
                await asyncio.sleep(0.05)
                continue
        t0 = time.perf_counter()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (ln.partition(":") for ln in lines[1:] if ln)}
            await reader.readexactly(int(headers.get("content-length", "0")))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                OSError, ValueError, IndexError):
            point.errors += 1 if time.perf_counter() < end else 0
            writer.close()
            writer = None
            continue
        t1 = time.perf_counter()
        if start <= t1 <= end:  # completions inside the window (sent maybe before it)
            if status == 200:
                point.ok += 1
                point.latencies.append(t1 - t0)
            else:
                point.errors += 1
        if headers.get("connection", "").lower() == "close":
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _load(port: int, path: str, concurrency: int, duration: float, warmup: float,
                point: Point) -> None:
    start = time.perf_counter() + warmup
    end = start + duration
    tasks = [asyncio.ensure_future(_user(port, path, start, end, point)) for _ in range(concurrency)]
    _, pending = await asyncio.wait(tasks, timeout=warmup + duration + 1.0)
    for t in pending:  # requests still waiting after the window do not count
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def measure(server: str, port: int, path: str, concurrency: int, duration: float,
            warmup: float) -> Point:
    point = Point(server, path, concurrency, duration)
    asyncio.run(_load(port, path, concurrency, duration, warmup, point))
    return point


# ----------------------------------------------------------------------------- processes
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server on {port} not ready after {timeout} s")


def _drain(port: int, timeout: float = 120.0) -> None:
    """Wait until the server answers /ping within 0.5 s: a sync server may still be working
    through the queue of the previous point (cancelled clients' requests stay queued)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.settimeout(0.5)
                s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.5)


def _start(cmd: list[str], cwd: Path, env: dict, port: int, ready_path: str) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    _wait_ready(port, ready_path, proc)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _make_db(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, value INTEGER)")
    con.executemany("INSERT INTO items (value) VALUES (?)", ((i * 37 % 1000,) for i in range(20000)))
    con.commit()
    con.close()


def migrate_copy(dst: Path) -> dict:
    """Copy the fixture app to ``dst`` and migrate it (phase 3); report what was applied."""
    shutil.copytree(APP_DIR, dst, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    proc = subprocess.run([sys.executable, "-m", "flask2quart", "migrate", "--phase", "3",
                           "--allow-dirty", "--no-cache", str(dst)],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"migrate failed ({proc.returncode}):\n{proc.stderr}")
    src = (dst / "app.py").read_text()
    return {"requests_left": "requests.get(" in src, "httpx": "httpx.AsyncClient" in src,
            "summary": next((ln for ln in (proc.stdout + proc.stderr).splitlines()
                             if ln.startswith("rewrote")), "")}


# ----------------------------------------------------------------------------- plot
def plot(rows: list[dict], out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, endpoint in zip(axes, ("/io", "/db")):
        for server, style in (("flask+gunicorn", "o-"), ("quart+hypercorn", "s-")):
            pts = sorted((r["concurrency"], r["rps"]) for r in rows
                         if r["endpoint"] == endpoint and r["server"] == server)
            if pts:
                ax.plot([c for c, _ in pts], [v for _, v in pts], style, label=server)
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("concurrent connections")
        ax.set_ylabel("requests/s")
        ax.set_title(f"GET {endpoint}")
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


# ----------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10/50 connections, 1 s a point")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=float, default=None, help="seconds per point (default 6)")
    ap.add_argument("--concurrency", type=int, nargs="+", default=None)
    ap.add_argument("--latency", type=float, default=0.075, help="upstream latency, seconds")
    ap.add_argument("--plot", type=Path, default=HERE / "throughput.png")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--stub", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stub:
        asyncio.run(_stub_main(args.stub, args.latency))
        return 0
    duration = args.duration or (1.0 if args.quick else 6.0)
    warmup = 0.3 if args.quick else 1.0
    levels = args.concurrency or ([10, 50] if args.quick else [10, 100, 500])

    tmp = Path(tempfile.mkdtemp(prefix="f2q-throughput-"))
    procs: list[subprocess.Popen] = []
    try:
        migrated = tmp / "migrated"
        applied = migrate_copy(migrated)
        db = tmp / "bench.sqlite3"
        _make_db(db)
        stub_port = _free_port()
        env = {**os.environ, "UPSTREAM_URL": f"http://127.0.0.1:{stub_port}/slow",
               "THROUGHPUT_DB": str(db), "PYTHONDONTWRITEBYTECODE": "1"}
        stub = _start([sys.executable, __file__, "--stub", str(stub_port), "--latency",
                       str(args.latency)], REPO, env, stub_port, "/fast")
        procs.append(stub)
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs; "
              f"{args.workers} workers; upstream latency {args.latency * 1000:.0f} ms; "
              f"{duration:g} s per point")
        print(f"migration: {applied['summary']}; upstream call "
              + ("converted to httpx.AsyncClient (phase 3 applied)" if applied["httpx"]
                 and not applied["requests_left"] else "NOT converted (phase 3 not applied)"))
        ceiling = measure("client ceiling", stub_port, "/fast", max(levels), duration, warmup)
        print(f"load generator ceiling (stub, no latency, {max(levels)} connections): "
              f"{ceiling.rps:,.0f} req/s")

        gport, hport = _free_port(), _free_port()
        servers = {
            "flask+gunicorn": ([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "sync",
                                "--backlog", "4096", "-b", f"127.0.0.1:{gport}", "app:app"],
                               APP_DIR, gport),
            "quart+hypercorn": ([sys.executable, "-m", "hypercorn", "-w", str(args.workers),
                                 "--backlog", "4096", "-b", f"127.0.0.1:{hport}", "app:app"],
                                migrated, hport),
        }
        rows: list[dict] = []
        print(f"{'server':16} {'endpoint':8} {'conc':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'ok':>7} {'errors':>6}")
        for name, (cmd, cwd, port) in servers.items():
            proc = _start(cmd, cwd, env, port, "/ping")
            procs.append(proc)
            try:
                for endpoint in ("/io", "/db"):
                    for c in levels:
                        _drain(port)
                        r = measure(name, port, endpoint, c, duration, warmup).row()
                        rows.append(r)
                        print(f"{name:16} {endpoint:8} {c:5} {r['rps']:9.1f} {r['p50_ms']:8.1f} "
                              f"{r['p99_ms']:8.1f} {r['ok']:7} {r['errors']:6}", flush=True)
            finally:
                _stop(proc)
                procs.remove(proc)
        result = {"machine": {"cpus": os.cpu_count(), "loadavg_end": os.getloadavg(),
                              "python": sys.version.split()[0]},
                  "workers": args.workers, "latency_s": args.latency, "duration_s": duration,
                  "client_ceiling_rps": round(ceiling.rps, 1), "migration": applied, "rows": rows}
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        title = (f"{args.workers} workers, upstream {args.latency * 1000:.0f} ms, {duration:g} s/point; "
                 f"phase 3 {'applied' if applied['httpx'] else 'NOT applied'}")
        try:
            plot(rows, args.plot, title)
            print(f"plot: {args.plot}")
        except ImportError:
            print("plot: skipped (matplotlib not installed; pip install -e '.[bench]')")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        def rps(server, endpoint, c):
            return next((r["rps"] for r in rows if r["server"] == server
                         and r["endpoint"] == endpoint and r["concurrency"] == c), None)

        for endpoint in ("/io", "/db"):
            ratios = []
            for c in levels:
                f, q = rps("flask+gunicorn", endpoint, c), rps("quart+hypercorn", endpoint, c)
                ratios.append(f"{c}: {q / f:.2f}" if f else f"{c}: n/a")
            print(f"ratio quart/flask req/s {endpoint} by concurrency: {', '.join(ratios)}")
        head_c = 100 if 100 in levels else max(levels)
        f, q = rps("flask+gunicorn", "/io", head_c), rps("quart+hypercorn", "/io", head_c)
        note = "" if applied["httpx"] and not applied["requests_left"] else " [phase 3 not applied]"
        print(f"ratio quart+hypercorn / flask+gunicorn throughput, /io at concurrency {head_c}: "
              f"{(q / f) if f else float('nan'):.2f} (goal >= 10){note}")
    finally:
        for p in procs:
            _stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
