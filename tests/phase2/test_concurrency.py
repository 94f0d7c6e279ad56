"""Real concurrency on a real server: 20 requests to an endpoint doing 200 ms of blocking work,
served by hypercorn on loopback. Phase 1 queues them on the blocked loop (~20 × 200 ms); phase 2
runs them in worker threads (well under)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.helpers import ROOT

N, WORK = 20, 0.2


def _bench():
    spec = importlib.util.spec_from_file_location("blocking_concurrency",
                                                  ROOT / "benchmarks" / "blocking_concurrency.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bench():
    import httpx  # noqa: F401  (both are dependencies: httpx directly, hypercorn through quart)
    import hypercorn  # noqa: F401
    return _bench()


def test_phase2_serves_blocking_endpoints_concurrently_phase1_does_not(bench, tmp_path):
    serial = N * WORK
    app1 = bench.migrate_copy(tmp_path, 1)
    with bench.serve(app1) as base:
        elapsed, codes = bench.burst(base, "/report/3", N, timeout=20)
    assert codes == [200] * N
    assert elapsed >= 0.9 * serial, elapsed      # the loop was blocked: requests queued
    app2 = bench.migrate_copy(tmp_path, 2)
    with bench.serve(app2) as base:
        for path in ("/report/3", "/nap"):       # helper → to_thread; time.sleep → asyncio.sleep
            elapsed2, codes = bench.burst(base, path, N, timeout=20)
            assert codes == [200] * N
            assert elapsed2 < 0.5 * serial, (path, elapsed2)  # well under 20 × 200 ms
