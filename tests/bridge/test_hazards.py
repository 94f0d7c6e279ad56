"""Hazards the bridge cannot remove, asserted as observed, and their mitigations."""

from __future__ import annotations

import asyncio
import time

import pytest

from .apps import add_users, create_app


def pool_app(tmp_path, **config):
    ns = create_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pool.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2, "max_overflow": 0, "pool_timeout": 1},
        PROPAGATE_EXCEPTIONS=False,
        **config,
    )

    @ns.app.route("/hold")
    async def hold():
        ns.User.query.count()  # checks a connection out for the rest of the request
        await asyncio.sleep(0.05)
        return "ok"

    return ns


@pytest.mark.slow
async def test_pool_exhaustion_blocks_the_event_loop(tmp_path):
    """6 concurrent requests, pool of 2: checkouts 3..6 wait *on the loop thread*, so the two
    requests holding connections cannot finish either; each waiter times out in turn.
    (With the concurrency limit switched off; by default the bridge limits to the pool size.)"""
    ns = pool_app(tmp_path, BRIDGE_MAX_CONCURRENT_REQUESTS=None)
    await add_users(ns, "ada")
    client = ns.app.test_client()
    started = time.monotonic()
    statuses = sorted(r.status_code for r in await asyncio.gather(*(client.get("/hold") for _ in range(6))))
    elapsed = time.monotonic() - started
    assert statuses.count(500) >= 2  # QueuePool TimeoutError
    assert elapsed >= 1.0  # the loop was frozen for pool_timeout per stuck checkout


@pytest.mark.parametrize("setting", ["auto", 2])
async def test_concurrency_limit_keeps_requests_off_an_exhausted_pool(tmp_path, setting):
    ns = pool_app(tmp_path, BRIDGE_MAX_CONCURRENT_REQUESTS=setting)
    await add_users(ns, "ada")
    client = ns.app.test_client()
    responses = await asyncio.wait_for(asyncio.gather(*(client.get("/hold") for _ in range(12))), 10)
    assert {r.status_code for r in responses} == {200}
    assert ns.app._f2q_request_limit == 2


async def test_auto_limit_is_off_without_a_bounded_pool(ns):
    await ns.app.test_client().get("/ping")
    assert ns.app._f2q_request_limit is None  # in-memory SQLite uses StaticPool


async def test_sync_code_on_the_loop_blocks_other_requests(app):
    """BRIDGE_SYNC_IN_LOOP (default): sync extension code runs on the loop thread."""
    order = []

    @app.route("/slow-sync")
    def slow_sync():
        time.sleep(0.2)  # e.g. SMTP in mail.send, a slow query
        order.append("slow")
        return "slow"

    @app.route("/fast")
    async def fast():
        order.append("fast")
        return "fast"

    client = app.test_client()
    slow = asyncio.ensure_future(client.get("/slow-sync"))
    await asyncio.sleep(0.01)
    await client.get("/fast")
    await slow
    assert order == ["slow", "fast"]  # /fast could not run while the sync view slept
