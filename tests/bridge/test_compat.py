"""Per-Quart-version checks of the private internals behind ``flask2quart.bridge._compat``."""

from __future__ import annotations

import asyncio

import flask
import flask.globals
import pytest
import quart
import quart.ctx

from flask2quart.bridge import _compat, _contexts

ON_022 = pytest.mark.skipif(_compat.MERGED_CONTEXTS, reason="Quart 0.22 only")
ON_023 = pytest.mark.skipif(not _compat.MERGED_CONTEXTS, reason="Quart 0.23 only")


def test_flask_context_variables_are_flasks():
    assert _compat.flask_cv_app is flask.globals._cv_app
    assert _compat.flask_cv_request is flask.globals._cv_request
    assert _compat.FLASK_VERSION[:2] == (3, 1)


@ON_022
async def test_022_separate_request_context_classes(app):
    ctx = app.test_request_context("/x")
    assert isinstance(ctx, quart.ctx.RequestContext) and isinstance(ctx, _contexts.BridgeRequestContext)
    assert isinstance(app.app_context(), _contexts.BridgeAppContext)
    async with ctx:
        # quart's own request context var and Flask's both bound; flashes/after-request lists shared
        assert quart.globals._cv_request.get() is ctx
        adapter = flask.globals._cv_request.get()
        assert adapter.quart_context is ctx
        adapter.flashes = [("c", "m")]
        assert ctx.flashes == [("c", "m")]
        assert adapter._after_request_functions is ctx._after_request_functions
        # the bridged request pushed its own app context
        assert flask.globals._cv_app.get() is quart.globals._cv_app.get()


@ON_022
async def test_022_nested_push_of_the_same_request_context(app):
    ctx = app.test_request_context("/x")
    await ctx.push()
    await ctx.push()
    await ctx.pop(None)
    assert flask.has_request_context()
    await ctx.pop(None)
    assert not flask.has_request_context() and not flask.has_app_context()


@ON_023
async def test_023_merged_context(app):
    ctx = app.test_request_context("/x")
    assert isinstance(ctx, quart.ctx.AppContext) and isinstance(ctx, _contexts.BridgeAppContext)
    async with ctx:
        assert flask.globals._cv_app.get() is ctx
        adapter = flask.globals._cv_request.get()
        assert adapter.quart_context is ctx
        adapter.flashes = [("c", "m")]
        assert ctx._flashes == [("c", "m")]
        assert adapter._after_request_functions is ctx._after_request_functions
    async with app.app_context():
        assert flask.globals._cv_request.get(None) is None  # no request in a bare app context


@ON_023
async def test_023_push_count_keeps_flask_bound_until_the_last_pop(app):
    ctx = app.app_context()
    await ctx.push()
    await ctx.push()  # _push_count == 2
    await ctx.pop()
    assert flask.current_app._get_current_object() is app
    await ctx.pop()
    assert not flask.has_app_context()
    with pytest.raises(RuntimeError, match="not pushed"):
        await ctx.pop()
    assert not flask.has_app_context()


async def test_quart_copy_current_request_context_is_bridged(app):
    seen = {}

    @app.route("/copy")
    async def view():
        flask.g.x = "request"

        @quart.copy_current_request_context
        async def background():
            await asyncio.sleep(0)
            seen["path"] = flask.request.path
            seen["ctx"] = flask.globals.app_ctx._get_current_object()

        await asyncio.ensure_future(background())
        seen["request_ctx"] = flask.globals.app_ctx._get_current_object()
        return "ok"

    await app.test_client().get("/copy")
    assert seen["path"] == "/copy"
    assert seen["ctx"] is not seen["request_ctx"]  # a copied context, as in Quart


async def test_sync_with_inside_a_bridged_sync_view(app):
    other = quart.Quart("other")  # a plain Quart app nested inside is fine too

    @app.route("/nested")
    def nested():
        outer = flask.globals.app_ctx._get_current_object()
        with app.app_context():
            inner = flask.globals.app_ctx._get_current_object()
            flask.g.inner = True
        assert flask.globals.app_ctx._get_current_object() is outer
        return {"distinct": inner is not outer, "leaked": hasattr(flask.g, "inner"), "other": other.name}

    body = await (await app.test_client().get("/nested")).get_json()
    assert body == {"distinct": True, "leaked": False, "other": "other"}


def test_module_level_with_app_context_no_loop(ns):
    with ns.app.app_context():  # the usual `with app.app_context(): db.create_all()` at import time
        ns.db.create_all()
        ns.db.session.add(ns.User(name="ada"))
        ns.db.session.commit()
        assert ns.User.query.count() == 1
    assert not flask.has_app_context()
