"""Flask-SQLAlchemy 3.1 through the bridge: session, Model.query, *_or_404, paginate, threads."""

from __future__ import annotations

import asyncio
import threading

import flask
import pytest

from .apps import add_users, create_app


async def test_create_all_and_session_in_app_context(ns):
    async with ns.app.app_context():
        ns.db.create_all()
        ns.db.session.add(ns.User(name="ada"))
        ns.db.session.commit()
        assert ns.User.query.count() == 1
        assert ns.db.session.execute(ns.db.select(ns.User.name)).scalar_one() == "ada"


async def test_views_use_session_query_and_404(ns):
    await add_users(ns, "ada", "bob", "cy")
    client = ns.app.test_client()

    response = await client.post("/users", json={"name": "dee"})
    assert response.status_code == 201
    new_id = (await response.get_json())["id"]

    response = await client.get(f"/users/{new_id}")
    assert (await response.get_json()) == {"id": new_id, "name": "dee"}
    assert (await client.get("/users/999")).status_code == 404

    assert (await (await client.get("/by-name/bob")).get_json()) == {"id": 2}
    assert (await client.get("/by-name/nobody")).status_code == 404


async def test_paginate_reads_flask_request_args(ns):
    await add_users(ns, "a", "b", "c", "d", "e")
    client = ns.app.test_client()
    body = await (await client.get("/users?page=2")).get_json()
    assert body == {"names": ["c", "d"], "page": 2, "total": 5}


async def test_session_removed_at_teardown_and_per_request(ns):
    await add_users(ns, "ada")
    seen = []

    @ns.app.route("/sid")
    async def sid():
        seen.append(ns.db.session())
        return "ok"

    client = ns.app.test_client()
    await client.get("/sid")
    await client.get("/sid")
    assert seen[0] is not seen[1]
    assert not ns.db.session.registry.registry  # every scoped session was removed


async def test_to_thread_worker_gets_its_own_session(ns):
    await add_users(ns, "ada")

    @ns.app.route("/thread")
    async def in_thread():
        loop_session = ns.db.session()

        def work():
            # Flask's context is visible in the worker ...
            assert flask.current_app.name == ns.app.name and flask.request.path == "/thread"
            # ... but the session is the worker's own, as with a new context in Flask.
            return ns.db.session(), ns.User.query.filter_by(name="ada").first_or_404().id

        worker_session, user_id = await asyncio.to_thread(work)
        assert worker_session is not loop_session
        return {"user_id": user_id, "registry": len(ns.db.session.registry.registry)}

    client = ns.app.test_client()
    body = await (await client.get("/thread")).get_json()
    assert body == {"user_id": 1, "registry": 2}
    # Both the loop thread's and the worker thread's sessions are gone after the request.
    assert not ns.db.session.registry.registry


async def test_parallel_to_thread_flushes_do_not_share_a_session(tmp_path):
    ns = create_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'db.sqlite'}")
    await add_users(ns, "ada")

    @ns.app.route("/parallel")
    async def parallel():
        barrier = threading.Barrier(8, timeout=10)

        def work(i: int) -> int:
            barrier.wait()  # all 8 workers are inside their own flush window at once
            ns.db.session.add(ns.Item(name=f"item-{i}"))
            ns.db.session.flush()
            ns.db.session.commit()
            return id(ns.db.session())

        sessions = await asyncio.gather(*(asyncio.to_thread(work, i) for i in range(8)))
        return {"distinct": len(set(sessions))}

    loop = asyncio.get_running_loop()
    loop.set_default_executor(__import__("concurrent.futures").futures.ThreadPoolExecutor(8))
    client = ns.app.test_client()
    response = await client.get("/parallel")
    assert response.status_code == 200, await response.get_data()
    assert (await response.get_json()) == {"distinct": 8}
    async with ns.app.app_context():
        assert ns.Item.query.count() == 8


async def test_custom_scopefunc_is_left_alone():
    from flask_sqlalchemy import SQLAlchemy

    from flask2quart.bridge import Quart

    def scope():
        return 1

    app = Quart(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app, session_options={"scopefunc": scope})
    async with app.app_context():
        assert db.session.registry.scopefunc is scope


@pytest.mark.parametrize("sync_in_loop", [True, False])
async def test_sync_view_and_hooks_share_the_request_session(sync_in_loop):
    ns = create_app(BRIDGE_SYNC_IN_LOOP=sync_in_loop)
    await add_users(ns, "ada")
    seen = {}

    @ns.app.before_request
    def load():
        flask.g.user = ns.db.session.get(ns.User, 1)

    @ns.app.route("/sync-view")
    def sync_view():
        seen["thread"] = threading.get_ident()
        flask.g.user.name = "ada2"
        ns.db.session.commit()
        return ns.db.session.get(ns.User, 1).name

    response = await ns.app.test_client().get("/sync-view")
    if sync_in_loop:
        assert (await response.get_data(as_text=True)) == "ada2"
        assert seen["thread"] == threading.get_ident()
    else:
        # Executor mode: the sync hook and view run in worker threads, each thread with its own
        # session (documented: objects may then belong to another thread's session).
        assert response.status_code == 200
        assert seen["thread"] != threading.get_ident()
