"""Flask's context variables follow Quart's contexts (both Quart lines)."""

from __future__ import annotations

import asyncio
import threading

import flask
import flask.globals
import pytest
import quart

from flask2quart.bridge import Quart
from flask2quart.bridge import _compat


def test_version_detection_matches_installed_quart():
    assert _compat.version_problems() == []
    assert _compat.MERGED_CONTEXTS == (_compat.QUART_VERSION >= (0, 23))


async def test_flask_globals_bound_inside_unbound_after(app):
    assert not flask.has_app_context()
    async with app.app_context():
        assert flask.current_app._get_current_object() is app
        assert flask.g._get_current_object() is quart.g._get_current_object()
        assert flask.has_app_context() and not flask.has_request_context()
        flask.g.x = 1
        assert quart.g.x == 1
    assert not flask.has_app_context()

    async with app.test_request_context("/p?a=1", method="POST"):
        assert flask.has_request_context()
        assert flask.request.path == "/p" and flask.request.args["a"] == "1"
        assert flask.request.method == "POST"
        assert flask.session._get_current_object() is quart.session._get_current_object()
        assert flask.request.quart_request is quart.request._get_current_object()
    assert not flask.has_request_context() and not flask.has_app_context()


async def test_request_gets_its_own_g_under_an_outer_app_context(app):
    seen = {}

    @app.route("/g")
    async def view():
        seen["has_outer"] = hasattr(flask.g, "outer")
        flask.g.inner = True
        seen["ctx"] = flask.globals.app_ctx._get_current_object()
        return "ok"

    async with app.app_context():
        flask.g.outer = True
        outer = flask.globals.app_ctx._get_current_object()
        await app.test_client().get("/g")
        assert not hasattr(flask.g, "inner")
    assert seen["has_outer"] is False
    assert seen["ctx"] is not outer


async def test_sync_with_app_context_and_test_request_context_in_a_thread(app):
    def work():
        with app.app_context():
            name = flask.current_app.name
            flask.g.v = 1
        with app.test_request_context("/t", method="GET"):
            path = flask.request.path
        return name, path, flask.has_app_context()

    assert await asyncio.to_thread(work) == (app.name, "/t", False)


async def test_sync_with_on_the_loop_thread_works_without_suspension(app):
    with app.app_context():
        assert flask.current_app._get_current_object() is app
    assert not flask.has_app_context()


async def test_url_for_redirect_abort_after_this_request(app):
    @app.route("/target/<int:n>")
    async def target(n):
        return str(n)

    @app.route("/helpers")
    async def helpers():
        @flask.after_this_request
        def add_header(response):
            response.headers["X-After"] = "yes"
            return response

        if flask.request.args.get("abort"):
            flask.abort(418)
        return flask.redirect(flask.url_for("target", n=3))

    client = app.test_client()
    response = await client.get("/helpers")
    assert response.status_code == 302 and response.headers["Location"] == "/target/3"
    assert response.headers["X-After"] == "yes"
    assert (await client.get("/helpers?abort=1")).status_code == 418


async def test_flash_and_get_flashed_messages(app):
    @app.route("/flash")
    async def do_flash():
        flask.flash("saved", "info")
        await quart.flash("quart too")
        return "ok"

    @app.route("/show")
    async def show():
        return {"m": flask.get_flashed_messages(with_categories=True), "again": flask.get_flashed_messages()}

    client = app.test_client()
    await client.get("/flash")
    body = await (await client.get("/show")).get_json()
    assert body == {"m": [["info", "saved"], ["message", "quart too"]], "again": ["saved", "quart too"]}
    assert (await (await client.get("/show")).get_json())["m"] == []


async def test_websocket_handler_sees_flask_context(ns):
    from .apps import add_users

    await add_users(ns, "ada")

    @ns.app.websocket("/ws")
    async def ws():
        await quart.websocket.accept()
        name = ns.User.query.first().name
        await quart.websocket.send(f"{flask.current_app.name}:{name}:{flask.request.path}")

    async with ns.app.test_client().websocket("/ws") as sock:
        assert await sock.receive() == f"{ns.app.name}:ada:/ws"


async def test_background_task_gets_its_own_context_and_session(ns):
    from .apps import add_users

    await add_users(ns, "ada")
    results = {}
    done = asyncio.Event()

    def task():
        results["name"] = ns.User.query.first().name
        results["session"] = ns.db.session()
        done.set()

    @ns.app.route("/bg")
    async def bg():
        results["request_session"] = ns.db.session()
        ns.app.add_background_task(task)
        return "ok"

    await ns.app.test_client().get("/bg")
    await asyncio.wait_for(done.wait(), 5)
    assert results["name"] == "ada"
    assert results["session"] is not results["request_session"]


async def test_contexts_are_per_task_in_gather(app):
    async def one(i):
        async with app.app_context():
            flask.g.i = i
            await asyncio.sleep(0.01)
            return flask.g.i, id(flask.globals.app_ctx._get_current_object())

    results = await asyncio.gather(*(one(i) for i in range(10)))
    assert [r[0] for r in results] == list(range(10))
    assert len({r[1] for r in results}) == 10


async def test_unsupported_versions_fail_clearly(monkeypatch):
    monkeypatch.setattr(_compat, "QUART_VERSION", (0, 24, 0))
    monkeypatch.setattr(_compat, "QUART_VERSION_STRING", "0.24.0")
    monkeypatch.delenv(_compat.ALLOW_ENV, raising=False)
    with pytest.raises(_compat.UnsupportedVersionError, match="Quart 0.24.0 is installed"):
        Quart(__name__)
    monkeypatch.setenv(_compat.ALLOW_ENV, "1")
    Quart(__name__)


def test_threads_without_context_stay_unbound(app):
    out = []
    t = threading.Thread(target=lambda: out.append(flask.has_app_context()))
    t.start()
    t.join()
    assert out == [False]
