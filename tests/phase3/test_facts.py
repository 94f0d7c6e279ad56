"""The library facts behind phase 3's decisions, re-checked against the installed requests,
httpx and Quart with the loopback server: if a release changes one, a rule must change too."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import requests
from requests.adapters import HTTPAdapter

from flask2quart.catalogue import http as H
from tests.phase3.stub import Stub


@pytest.fixture(scope="module")
def stub():
    with Stub() as s:
        yield s


def _run(coro):
    return asyncio.run(coro)


def test_params_replace_the_query_in_httpx_but_append_in_requests(stub):
    """Why params= with a query in the URL is kept (F2Q380, reference F2)."""
    r = requests.get(stub.base + "/echo?page=2", params={"q": "x"})

    async def go():
        async with httpx.AsyncClient() as c:
            return await c.get(stub.base + "/echo?page=2", params={"q": "x"})
    assert r.json()["query"] == "page=2&q=x"
    assert _run(go()).json()["query"] == "q=x"


def test_json_body_bytes_differ_and_the_template_restores_them(stub):
    """Why json= becomes content=json.dumps(...) (F2Q305, reference F1/F1b)."""
    payload = {"name": "café", "ids": [1, 2]}
    stub.take()
    requests.post(stub.base + "/echo", json=payload)
    want = stub.take()[0]

    async def go(**kw):
        async with httpx.AsyncClient() as c:
            await c.post(stub.base + "/echo", **kw)
        return stub.take()[0]
    plain = _run(go(json=payload))
    import json  # noqa: F401  (the template's own import)
    body = eval(H.JSON_BODY_TEMPLATE.format(value="payload"))
    exact = _run(go(content=body, headers=dict([H.JSON_CONTENT_TYPE])))
    assert plain["body"] != want["body"]
    assert (exact["body"], exact["headers"]["content-type"]) == (want["body"], want["headers"]["content-type"])


def test_httpx_raise_for_status_raises_on_3xx(stub):
    """Why raise_for_status() is guarded with is_error (F2Q322, S13)."""
    r = requests.get(stub.base + "/redirect/302", allow_redirects=False)
    assert r.raise_for_status() is None and r.ok

    async def go():
        async with httpx.AsyncClient() as c:
            return await c.get(stub.base + "/redirect/302")
    resp = _run(go())
    with pytest.raises(httpx.HTTPStatusError):
        resp.raise_for_status()
    assert not resp.is_error  # the guard keeps requests' semantics


def test_adapter_retries_are_not_httpx_transport_retries(stub):
    """Why HTTPAdapter(max_retries=N) keeps the Session (F2Q383, reference F13): urllib3 retries a
    read timeout and then raises ConnectionError; httpx does not retry it and raises ReadTimeout."""
    stub.take()
    s = requests.Session()
    s.mount("http://", HTTPAdapter(max_retries=1))
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        s.get(stub.base + "/sleep?s=0.6", timeout=(2, 0.2))
    assert not isinstance(info.value, requests.exceptions.ReadTimeout)
    requests_attempts = len(stub.take())

    async def go():
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=1)) as c:
            await c.get(stub.base + "/sleep?s=0.6", timeout=httpx.Timeout(connect=2, read=0.2, write=2, pool=None))
    with pytest.raises(httpx.ReadTimeout):
        _run(go())
    import time
    time.sleep(0.7)
    assert requests_attempts == 2 and len(stub.take()) == 1


def test_quart_calls_a_while_serving_function_once():
    """Why the clients are opened in before_serving, not while_serving (F2Q311)."""
    from quart import Quart

    app = Quart(__name__)
    opened = []

    @app.while_serving
    async def lifespan():
        opened.append(1)
        yield

    async def serve_twice():
        for _ in range(2):
            async with app.test_app():
                pass
    with pytest.raises(Exception):
        _run(serve_twice())
    assert opened == [1]

    app2 = Quart(__name__)

    @app2.before_serving
    async def open_():
        opened.append(2)

    async def serve_twice2():
        for _ in range(2):
            async with app2.test_app():
                pass
    _run(serve_twice2())
    assert opened == [1, 2, 2]


def test_handled_by_phase3():
    assert H.handled_by_phase3("requests.get") and H.handled_by_phase3("requests.api.post")
    assert H.handled_by_phase3("requests.Session") and H.handled_by_phase3("requests.Session.get")
    assert not H.handled_by_phase3("requests.utils.quote") and not H.handled_by_phase3("time.sleep")
    assert not H.handled_by_phase3("requests.Session.mount")


def test_rewritten_by_phase3_answers_per_call(tmp_path):
    import ast

    from flask2quart import engine
    from flask2quart.analysis.project import load_project

    (tmp_path / "app.py").write_text(
        "import requests\nfrom flask import Flask\napp = Flask(__name__)\n\n"
        "@app.route('/a')\ndef a():\n    return requests.get('http://h/x').json()\n\n"
        "@app.route('/b')\ndef b():\n    return requests.get('http://h/x').text\n")
    project = load_project([tmp_path], [])
    facts = engine.analyse(project, 3)
    answers = {}
    for scope in facts.index.iter_scopes():
        for node in facts.index.own_nodes(scope):
            if isinstance(node, ast.Call):
                got = H.rewritten_by_phase3(facts, scope, node)
                if got is not None:
                    answers[scope.name] = got
    assert answers == {"a": True, "b": False}
