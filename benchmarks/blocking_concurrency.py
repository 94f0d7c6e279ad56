"""Phase 2 benchmark: does moving blocking work off the loop buy concurrency, and what does a
thread hop cost?

1. ``benchmarks/apps/blocking/slowapp.py`` (200 ms of blocking work per request) is migrated
   twice in one run, with ``--phase 1`` and ``--phase 2``; each copy is served by hypercorn on
   127.0.0.1 and gets ``N`` (20) concurrent requests. Printed: wall time per phase, ratio last.
2. Thread hops: a sync helper doing ``K`` small blocking calls, run as one
   ``asyncio.to_thread(helper)`` vs ``K`` separate ``asyncio.to_thread(call)`` hops.

Usage::

    .venv/bin/python benchmarks/blocking_concurrency.py [--requests 20] [--endpoint /report/7]

Load stays on loopback and is bounded: one burst of N requests per phase, timeouts everywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "benchmarks" / "apps" / "blocking"


def migrate_copy(dest: Path, phase: int, python: str = sys.executable) -> Path:
    """A copy of the fixture app migrated with ``--phase N`` (in a fresh directory)."""
    target = dest / f"phase{phase}"
    shutil.copytree(APP_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([python, "-m", "flask2quart", "migrate", str(target), "--phase", str(phase),
                           "--allow-dirty"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"migrate --phase {phase} failed: {proc.stdout}{proc.stderr}")
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app_dir: Path, python: str = sys.executable, timeout: float = 30.0):
    """Run hypercorn on loopback for ``slowapp:app`` in ``app_dir``; yield the base URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(app_dir)}
    proc = subprocess.Popen([python, "-m", "hypercorn", "--bind", f"127.0.0.1:{port}",
                             "--workers", "1", "slowapp:app"], cwd=app_dir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"hypercorn exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("hypercorn did not start")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


async def _burst(base: str, path: str, n: int, timeout: float) -> tuple[float, list[int]]:
    import httpx

    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        (await client.get("/ping")).raise_for_status()  # warm: app loaded, loop running
        start = time.perf_counter()
        responses = await asyncio.gather(*(client.get(path) for _ in range(n)))
        elapsed = time.perf_counter() - start
    return elapsed, [r.status_code for r in responses]


def burst(base: str, path: str = "/report/7", n: int = 20, timeout: float = 30.0):
    """Wall time of ``n`` concurrent GETs of ``path`` and their status codes."""
    return asyncio.run(_burst(base, path, n, timeout))


# ---------------------------------------------------------------------------
# thread hops
# ---------------------------------------------------------------------------

def _one_call(path: str) -> int:
    return os.stat(path).st_size


def _helper(path: str, k: int) -> int:
    return sum(_one_call(path) for _ in range(k))


async def _hops(path: str, k: int, rounds: int) -> tuple[float, float]:
    await asyncio.to_thread(_helper, path, 1)  # start the pool
    t0 = time.perf_counter()
    for _ in range(rounds):
        await asyncio.to_thread(_helper, path, k)
    one = (time.perf_counter() - t0) / rounds
    t0 = time.perf_counter()
    for _ in range(rounds):
        total = 0
        for _ in range(k):
            total += await asyncio.to_thread(_one_call, path)
    many = (time.perf_counter() - t0) / rounds
    return one, many


def thread_hops(k: int = 20, rounds: int = 200) -> tuple[float, float]:
    """Seconds per helper run: one to_thread around it vs ``k`` tiny to_thread calls."""
    return asyncio.run(_hops(__file__, k, rounds))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--endpoint", default="/report/7", help="the endpoint the ratio is for")
    ap.add_argument("--also", default="/nap", help="a second endpoint measured too ('' for none)")
    ap.add_argument("--hops", type=int, default=20, help="small blocking calls per helper")
    args = ap.parse_args(argv)
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load:.2f}")
    with tempfile.TemporaryDirectory(prefix="f2q-bench-") as tmp:
        times = {}
        for phase in (1, 2):
            app_dir = migrate_copy(Path(tmp), phase)
            with serve(app_dir) as base:
                for path in filter(None, (args.also, args.endpoint)):
                    elapsed, codes = burst(base, path, args.requests)
                    assert all(c == 200 for c in codes), codes
                    print(f"phase {phase}: {args.requests} concurrent GET {path} "
                          f"(200 ms blocking each): {elapsed:.3f} s")
            times[phase] = elapsed
    one, many = thread_hops(args.hops)
    print(f"thread hops: helper with {args.hops} blocking calls: one to_thread {one * 1e6:.0f} us, "
          f"{args.hops} to_thread calls {many * 1e6:.0f} us ({many / one:.1f}x)")
    print(f"ratio phase1/phase2: {times[1] / times[2]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
