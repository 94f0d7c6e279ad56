"""Flask-Mail 0.10 and Flask-Caching 2.5 through the bridge."""

from __future__ import annotations

import asyncio
import pickle
import threading

import flask
from flask_mail import Message


async def test_mail_send_and_record_messages(ns):
    client = ns.app.test_client()
    with ns.mail.record_messages() as outbox:
        response = await client.post("/mail", form={"subject": "hello"})
        assert response.status_code == 200
    assert [m.subject for m in outbox] == ["hello"]
    assert outbox[0].sender == "noreply@example.com"  # default sender from flask.current_app


async def test_mail_from_thread_with_flask_copy_current_request_context(ns):
    done = threading.Event()

    @ns.app.route("/mail-async", methods=["POST"])
    async def mail_async():
        @flask.copy_current_request_context
        def send() -> None:
            # Flask's copy_current_request_context pushes a copy of the request context in
            # the thread; flask.request and the extension work as in Flask.
            ns.mail.send(Message(subject=flask.request.form["subject"], recipients=["b@example.com"]))
            done.set()

        threading.Thread(target=send).start()
        return "queued"

    with ns.mail.record_messages() as outbox:
        response = await ns.app.test_client().post("/mail-async", form={"subject": "threaded"})
        assert response.status_code == 200
        assert await asyncio.to_thread(done.wait, 5)
    assert [m.subject for m in outbox] == ["threaded"]


async def test_mail_in_app_context_outside_requests(ns):
    async with ns.app.app_context():
        with ns.mail.record_messages() as outbox:
            ns.mail.send(Message(subject="cli", recipients=["c@example.com"]))
    assert outbox[0].subject == "cli"


async def test_cached_async_view_caches_the_value_not_a_coroutine(ns):
    client = ns.app.test_client()
    first = await (await client.get("/cached")).get_json()
    second = await (await client.get("/cached")).get_json()
    assert first == second == {"n": 1}
    async with ns.app.app_context():
        keys = list(ns.cache.cache._cache)
        assert len(keys) == 1
        value = ns.cache.get(keys[0].removeprefix(ns.app.config.get("CACHE_KEY_PREFIX", "flask_cache_")))
    assert value == {"n": 1}
    pickle.dumps(value)
    # A different query string is a different cache key
    assert (await (await client.get("/cached?x=1")).get_json()) == {"n": 1}  # default key: path only


async def test_cache_memoize_and_direct_api(ns):
    calls = []

    @ns.cache.memoize(60)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    @ns.app.route("/square/<int:x>")
    async def sq(x: int):
        return {"v": square(x), "direct": ns.cache.get("k")}

    async with ns.app.app_context():
        ns.cache.set("k", "v")
    client = ns.app.test_client()
    assert (await (await client.get("/square/3")).get_json()) == {"v": 9, "direct": "v"}
    assert (await (await client.get("/square/3")).get_json()) == {"v": 9, "direct": "v"}
    assert calls == [3]
