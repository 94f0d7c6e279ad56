"""ensure_sync / greenlets: sync decorators around async views, await_sync, error paths."""

from __future__ import annotations

import asyncio
import functools
import threading
import warnings

import flask
import pytest
import quart
from flask_login import login_required

from flask2quart.bridge import BridgeSyncError, Quart, await_sync

from .apps import add_users, logged_in_client


def admin_required(view):
    """A hand-written Flask decorator that calls the (now async) view directly."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if flask.request.args.get("admin") != "1":
            flask.abort(403)
        return view(*args, **kwargs)  # a coroutine under Quart

    return wrapper


async def test_user_decorator_returning_a_coroutine_is_awaited(app):
    @app.route("/admin")
    @admin_required
    async def admin():
        await asyncio.sleep(0)
        return "admin page"

    client = app.test_client()
    assert (await client.get("/admin")).status_code == 403
    response = await client.get("/admin?admin=1")
    assert response.status_code == 200 and (await response.get_data()) == b"admin page"


async def test_stacked_sync_decorators_with_cache(ns):
    await add_users(ns, "ada")
    calls = []

    @ns.app.route("/stacked")
    @login_required
    @admin_required
    @ns.cache.cached(timeout=60, query_string=True)
    async def stacked():
        calls.append(1)
        await asyncio.sleep(0)
        return {"user": flask.g._login_user.name}

    client = await logged_in_client(ns, 1)
    assert (await client.get("/stacked")).status_code == 403
    for _ in range(2):
        response = await client.get("/stacked?admin=1")
        assert (await response.get_json()) == {"user": "ada"}
    assert calls == [1]
    assert (await ns.app.test_client().get("/stacked?admin=1")).status_code == 302


async def test_exceptions_cross_the_greenlet(app):
    @app.route("/boom")
    @admin_required
    async def boom():
        raise ValueError("kaboom")

    @app.route("/abort")
    @admin_required
    async def aborted():
        quart.abort(409)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert (await client.get("/boom?admin=1")).status_code == 500
    assert (await client.get("/abort?admin=1")).status_code == 409


async def test_ensure_sync_runs_async_functions_from_sync_code(app):
    async def fetch(x):
        await asyncio.sleep(0)
        return x * 2, quart.request.path

    @app.route("/ensure")
    def sync_view():
        value, path = app.ensure_sync(fetch)(21)
        assert threading.current_thread() is threading.main_thread()
        return {"value": value, "path": path}

    assert (await (await app.test_client().get("/ensure")).get_json()) == {"value": 42, "path": "/ensure"}


async def test_await_sync_from_a_worker_thread_uses_the_loop(app):
    loop_thread = threading.get_ident()

    async def where():
        return threading.get_ident(), quart.request.path

    @app.route("/worker")
    async def view():
        return {"r": list(await asyncio.to_thread(lambda: await_sync(where())))}

    body = await (await app.test_client().get("/worker")).get_json()
    assert body == {"r": [loop_thread, "/worker"]}


async def test_await_sync_on_the_loop_outside_a_bridge_greenlet_raises_clearly(app):
    async def something():
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no "coroutine was never awaited"
        with pytest.raises(BridgeSyncError, match="not running inside a bridged call"):
            await_sync(something())


def test_await_sync_without_any_loop_uses_asyncio_run():
    async def something():
        return 5

    assert await_sync(something()) == 5


async def test_greenlet_waits_do_not_block_other_requests(app):
    """Many requests parked inside sync wrappers at once: no thread, no deadlock."""
    n = 40
    barrier = asyncio.Barrier(n)

    async def wait_all():
        await barrier.wait()
        await asyncio.to_thread(lambda: None)  # needs an executor thread while all are parked
        return "ok"

    @app.route("/parked")
    def parked():
        return app.ensure_sync(wait_all)()

    client = app.test_client()
    responses = await asyncio.wait_for(asyncio.gather(*(client.get("/parked") for _ in range(n))), 10)
    assert {r.status_code for r in responses} == {200}


async def test_executor_mode_keeps_quart_threads_for_plain_sync_code():
    app = Quart(__name__)
    app.config["BRIDGE_SYNC_IN_LOOP"] = False
    seen = {}

    @app.before_request
    def hook():
        seen["hook"] = threading.current_thread() is threading.main_thread()

    @app.route("/")
    @admin_required
    async def view():
        seen["view"] = flask.current_app.name
        return "ok"

    assert (await app.test_client().get("/?admin=1")).status_code == 200
    assert seen == {"hook": False, "view": app.name}


async def test_cancellation_reaches_code_parked_in_a_greenlet(app):
    started = asyncio.Event()
    outcome = []

    async def forever():
        started.set()
        await asyncio.sleep(60)

    def sync_part():
        try:
            await_sync(forever())
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    async def driver():
        async with app.app_context():
            await app.ensure_async(sync_part)()

    task = asyncio.ensure_future(driver())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert outcome == ["cancelled"]


async def test_pooled_greenlets_do_not_leak_context_between_tasks():
    import contextvars

    from flask2quart.bridge._sync import _idle_pool, call_in_greenlet

    var = contextvars.ContextVar("var", default=None)

    def set_and_get(value):
        before = var.get()
        var.set(value)
        return before

    async def task(value):
        first = await call_in_greenlet(set_and_get, value)
        return first, var.get()  # the greenlet wrote into this task's context

    results = [await asyncio.ensure_future(task(i)) for i in range(5)]
    assert results == [(None, i) for i in range(5)]
    assert _idle_pool()  # workers were reused

    def fail():
        raise KeyError("x")

    with pytest.raises(KeyError):
        await call_in_greenlet(fail)
    assert await call_in_greenlet(lambda: "still works") == "still works"


async def test_flask_methodview_with_async_and_sync_methods(app):
    import flask.views

    class Items(flask.views.MethodView):
        async def get(self, item_id):
            await asyncio.sleep(0)
            return {"id": item_id, "path": flask.request.path}

        def post(self, item_id):
            return {"posted": flask.request.get_json()}, 201

    app.add_url_rule("/items/<int:item_id>", view_func=Items.as_view("items"))
    client = app.test_client()
    assert (await (await client.get("/items/3")).get_json()) == {"id": 3, "path": "/items/3"}
    response = await client.post("/items/3", json={"a": 1})
    assert response.status_code == 201 and (await response.get_json()) == {"posted": {"a": 1}}
