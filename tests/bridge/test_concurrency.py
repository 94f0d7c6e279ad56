"""Isolation under load: 50+ requests in flight at once (asyncio.Barrier), with and without
``asyncio.to_thread`` in the views, with and without an outer ``app.app_context()`` (the usual
pytest fixture shape, which on Quart 0.22 would otherwise make every request share one context)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading

import flask
import pytest
from flask_login import current_user, login_required

from .apps import add_users, create_app, logged_in_client

N = 50


@pytest.fixture
async def crowd(tmp_path):
    ns = create_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'c.db'}",
        # every request holds a connection while parked at the barrier (see docs: pool hazard)
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": N + 10, "max_overflow": 0},
    )
    ids = await add_users(ns, *(f"user{i}" for i in range(N)))
    clients = [await logged_in_client(ns, uid) for uid in ids]
    loop = asyncio.get_running_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(N + 4))
    return ns, ids, clients


def install_views(ns, barrier, thread_barrier):
    db, Item = ns.db, ns.Item

    def check(marker: str, user_id: int, where: str) -> dict:
        item = Item(name=marker)
        db.session.add(item)
        if thread_barrier is not None:
            thread_barrier.wait()  # all N worker threads hold a pending object at once
        result = {
            "where": where,
            "user": current_user.id == user_id,
            "form": flask.request.form["marker"] == marker,
            "json_path": flask.request.path == "/work",
            "g": flask.g.marker == marker,
            "cookie_session": flask.session["marker"] == marker,
            "pending": [o.name for o in db.session.new] == [marker],
            "session": id(db.session()),
            "thread": threading.get_ident(),
        }
        db.session.commit()
        return result

    @ns.app.route("/work", methods=["POST"])
    @login_required
    async def work():
        marker = flask.request.form["marker"]
        user_id = current_user.id
        flask.g.marker = marker
        flask.session["marker"] = marker
        in_thread = flask.request.args.get("thread") == "1"
        if not in_thread:
            db.session.add(Item(name=marker))
        await barrier.wait()  # all N requests are in flight, each mid-transaction
        if in_thread:
            result = await asyncio.to_thread(check, marker, user_id, "thread")
            assert not db.session.new  # the loop thread's session has nothing pending
        else:
            result = {
                "where": "loop",
                "user": current_user.id == user_id,
                "form": flask.request.form["marker"] == marker,
                "json_path": True,
                "g": flask.g.marker == marker,
                "cookie_session": flask.session["marker"] == marker,
                "pending": [o.name for o in db.session.new] == [marker],
                "session": id(db.session()),
                "thread": threading.get_ident(),
            }
            await asyncio.sleep(0)
            db.session.commit()
        result["ctx"] = id(flask.globals.app_ctx._get_current_object())
        return result


@pytest.mark.parametrize("outer_context", [False, True], ids=["no-outer-ctx", "outer-app-ctx"])
@pytest.mark.parametrize("to_thread", [False, True], ids=["loop", "to_thread"])
async def test_each_request_sees_its_own_session_user_body_g(crowd, outer_context, to_thread):
    ns, ids, clients = crowd
    barrier = asyncio.Barrier(N)
    thread_barrier = threading.Barrier(N, timeout=20) if to_thread else None
    install_views(ns, barrier, thread_barrier)

    async def one(i: int):
        response = await clients[i].post(
            "/work" + ("?thread=1" if to_thread else ""), form={"marker": f"m{i}"}
        )
        assert response.status_code == 200, await response.get_data(as_text=True)
        return await response.get_json()

    outer = ns.app.app_context() if outer_context else contextlib.nullcontext()
    async with outer:
        if outer_context:
            outer_session = id(ns.db.session())
        results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(N))), 60)

    for r in results:
        assert {k: r[k] for k in ("user", "form", "json_path", "g", "cookie_session", "pending")} == {
            "user": True, "form": True, "json_path": True, "g": True, "cookie_session": True, "pending": True,
        }, r
    assert len({r["session"] for r in results}) == N
    assert len({r["ctx"] for r in results}) == N
    if outer_context:
        assert outer_session not in {r["session"] for r in results}
    if to_thread:
        assert all(r["thread"] != threading.get_ident() for r in results)
    async with ns.app.app_context():
        names = sorted(i.name for i in ns.Item.query.all())
    assert names == sorted(f"m{i}" for i in range(N))
    assert not ns.db.session.registry.registry or outer_context


async def test_outer_context_session_untouched_by_concurrent_requests(crowd):
    ns, ids, clients = crowd

    @ns.app.route("/peek")
    async def peek():
        await asyncio.sleep(0)
        return {"pending": [o.name for o in ns.db.session.new]}

    async with ns.app.app_context():
        ns.db.session.add(ns.Item(name="fixture-pending"))
        bodies = await asyncio.gather(*(clients[i].get("/peek") for i in range(N)))
        assert [o.name for o in ns.db.session.new] == ["fixture-pending"]
        ns.db.session.rollback()
    for response in bodies:
        assert (await response.get_json()) == {"pending": []}
