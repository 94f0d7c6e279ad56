"""Old (requests, Flask) and migrated (httpx, Quart) code send the same requests and answer the same.

One Flask app with a view per catalogue rule is migrated with ``--phase 3``; both apps run in
this process against a threaded loopback server, each view is called through the framework's
test client, and the server's log (method, target, body, relevant headers) and the responses are
compared. The migrated app is served through ``app.test_app()`` so its while_serving hook opens
the Session client.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys

import pytest

from tests.helpers import migrate_tree
from tests.phase3.stub import Stub

APP = '''
import os

import requests
from flask import Flask, Response, jsonify
from requests.auth import HTTPBasicAuth

BASE = os.environ["F2Q_STUB"]
TLS = os.environ["F2Q_STUB_TLS"]
DEAD = "http://127.0.0.1:9"
T = (3, 1)

app = Flask(__name__)

SESSION = requests.Session()
SESSION.headers.update({"X-Client": "relay"})
SESSION.auth = ("user", "pass")


@app.route("/get")
def get():
    r = requests.get(BASE + "/echo", params={"q": "a b", "tag": "x"}, headers={"Accept": "application/json"}, timeout=5)
    return jsonify(status=r.status_code, data=r.json(), ok=r.ok, url=r.url)


@app.route("/post-json")
def post_json():
    r = requests.post(BASE + "/echo", json={"name": "caf\\u00e9", "ids": [1, 2]})
    return jsonify(r.json())


@app.route("/post-form")
def post_form():
    return jsonify(requests.put(BASE + "/echo", data={"k": "v", "n": 1}).json())


@app.route("/post-bytes")
def post_bytes():
    r = requests.post(BASE + "/echo", data=b"raw", headers={"Content-Type": "application/octet-stream"})
    return jsonify(r.json())


@app.route("/redirect")
def redirect_followed():
    r = requests.get(BASE + "/redirect/302?to=/echo")
    return jsonify(status=r.status_code, url=r.url, history=len(r.history))


@app.route("/head")
def head():
    r = requests.head(BASE + "/redirect/301")
    return jsonify(status=r.status_code)


@app.route("/no-follow")
def no_follow():
    r = requests.post(BASE + "/redirect/303", data={"a": "1"}, allow_redirects=False)
    r.raise_for_status()
    return jsonify(status=r.status_code, ok=r.ok)


@app.route("/status/<int:code>")
def status(code):
    try:
        r = requests.get(BASE + "/status/" + str(code))
        r.raise_for_status()
    except requests.exceptions.HTTPError as e:
        return jsonify(error=e.response.status_code), 502
    return jsonify(ok=r.ok)


@app.route("/timeout")
def timeout():
    try:
        requests.get(BASE + "/sleep?s=1.5", timeout=T)
    except requests.exceptions.Timeout:
        return "timeout", 504
    return "ok"


@app.route("/refused")
def refused():
    try:
        requests.get(DEAD + "/", timeout=2)
    except requests.exceptions.ConnectionError:
        return "down", 503
    return "ok"


@app.route("/reason")
def reason():
    r = requests.get(BASE + "/reason", auth=HTTPBasicAuth("u", "p"))
    return jsonify(reason=r.reason)


@app.route("/session")
def session():
    SESSION.get(BASE + "/setcookie")
    r = SESSION.get(BASE + "/echo", timeout=5)
    return jsonify(r.json())


@app.route("/download")
def download():
    r = SESSION.get(BASE + "/bytes/20000", stream=True, timeout=T)
    if r.status_code != 200:
        r.close()
        return "bad", 502

    def generate():
        for chunk in r.iter_content(chunk_size=4096):
            yield chunk

    return Response(generate(), mimetype=r.headers["Content-Type"])


@app.route("/client-level")
def client_level():
    a = requests.get(BASE + "/echo", cookies={"c": "1"}, timeout=3).json()
    b = requests.post("http://upstream.invalid/x?y=1", json={"k": 1}, proxies={"http": BASE}).json()
    c = requests.get(TLS + "/echo", verify=False).json()
    return jsonify(a=a, b=b, c=c)


@app.route("/no-leak")
def no_leak():
    requests.get(BASE + "/setcookie")
    return jsonify(requests.get(BASE + "/echo").json())
'''

ROUTES = ["/get", "/post-json", "/post-form", "/post-bytes", "/redirect", "/head", "/no-follow",
          "/status/404", "/status/200", "/timeout", "/refused", "/reason", "/session", "/no-leak", "/download",
          "/client-level"]


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _norm(log):
    return [(e["method"], e["target"], e["body"], e["headers"]) for e in log]


@pytest.fixture(scope="module")
def stub():
    with Stub() as s:
        yield s


@pytest.fixture(scope="module")
def tls_stub(tmp_path_factory):
    with Stub(tls_dir=tmp_path_factory.mktemp("tls")) as s:
        yield s


@pytest.fixture(scope="module")
def apps(tmp_path_factory, stub, tls_stub):
    import os

    os.environ["F2Q_STUB"] = stub.base
    os.environ["F2Q_STUB_TLS"] = tls_stub.base
    tmp = tmp_path_factory.mktemp("wire")
    migrated = migrate_tree(tmp, {"app.py": APP}, phase=3)["app.py"]
    (tmp / "flask_app.py").write_text(APP)
    (tmp / "quart_app.py").write_text(migrated)
    return _load(tmp / "flask_app.py", "f2q_wire_flask").app, _load(tmp / "quart_app.py", "f2q_wire_quart").app, migrated


def test_migrated_source_uses_httpx_only(apps):
    migrated = apps[2]
    assert "requests.get(" not in migrated and "requests.post(" not in migrated
    assert "async for chunk in r.aiter_bytes(chunk_size=4096)" in migrated
    assert "httpx.AsyncClient" in migrated and "before_serving" in migrated and "after_serving" in migrated
    assert "# flask2quart:" in migrated  # the approximate ConnectionError map is flagged


def test_same_requests_and_answers(apps, stub):
    flask_app, quart_app, _ = apps
    stub.take()
    before = {}
    client = flask_app.test_client()
    for route in ROUTES:
        resp = client.get(route)
        before[route] = (resp.status_code, resp.get_json(silent=True) or resp.get_data(as_text=True),
                         _norm(stub.take()))

    async def run_quart():
        out = {}
        async with quart_app.test_app() as ta:
            c = ta.test_client()
            for route in ROUTES:
                resp = await c.get(route)
                body = await resp.get_json() if resp.mimetype == "application/json" else await resp.get_data(as_text=True)
                out[route] = (resp.status_code, body, _norm(stub.take()))
        return out

    after = asyncio.run(run_quart())
    for route in ROUTES:
        assert after[route] == before[route], route
    # the checks are not vacuous
    assert before["/status/404"][0] == 502 and before["/timeout"][0] == 504 and before["/refused"][0] == 503
    assert before["/session"][1]["cookie"] == "sid=42"      # Session cookies persist (S17)
    assert before["/no-leak"][1]["cookie"] is None          # module functions share nothing (F15)
    assert before["/post-json"][2][0][2] == b'{"name": "caf\\u00e9", "ids": [1, 2]}'
    assert before["/head"][1] == {"status": 301}
    assert before["/no-follow"][1] == {"status": 303, "ok": True}
    assert before["/download"][1] == "x" * 20000
    level = before["/client-level"]
    assert level[1]["a"]["cookie"] == "c=1" and level[1]["c"]["method"] == "GET"
    assert ("POST", "http://upstream.invalid/x?y=1") in [(m, t) for m, t, _b, _h in level[2]]  # through the proxy
    assert "verify=False" in apps[2] and "mounts={'http://': httpx.AsyncHTTPTransport(proxy=BASE)}" in apps[2]
