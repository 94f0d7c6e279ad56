"""Recording live traffic: the WSGI middleware, the no-code-change wrapper, and serve mode."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from flask import Flask, request

from flask2quart.harness.corpus import read_corpus
from flask2quart.harness.record import RecordingMiddleware
from tests.harness.conftest import FLASK_SHOP, cli, run


def _echo_app() -> Flask:
    app = Flask("echo")

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo():
        return request.get_data()

    return app


def test_middleware_appends_requests_and_leaves_the_body_readable(tmp_path):
    app = _echo_app()
    out = tmp_path / "rec.jsonl"
    app.wsgi_app = RecordingMiddleware(app.wsgi_app, out)
    client = app.test_client()
    assert client.get("/echo?a=1&b=%C3%A9", headers={"Cookie": "session=x", "X-Trace": "t1"}).data == b""
    assert client.post("/echo", json={"k": "v"}).data == b'{"k": "v"}'
    assert client.put("/echo", data=b"\x00\xffbin").data == b"\x00\xffbin"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["method"] for line in lines] == ["GET", "POST", "PUT"]
    assert lines[0]["path"] == "/echo?a=1&b=%C3%A9"
    headers = dict(lines[0]["headers"])
    assert headers["X-Trace"] == "t1" and "Cookie" not in headers and "Host" not in headers
    assert lines[1]["body"] == '{"k": "v"}' and dict(lines[1]["headers"])["Content-Type"] == "application/json"
    assert lines[2]["body_b64"] == "AP9iaW4="
    assert len({line["session"] for line in lines}) == 1  # one client
    assert len(list(read_corpus(out))) == 3  # a valid corpus


def test_keep_cookies_and_custom_sessions(tmp_path):
    app = _echo_app()
    out = tmp_path / "rec.jsonl"
    app.wsgi_app = RecordingMiddleware(app.wsgi_app, out, keep_cookies=True, session_key=lambda env: env.get("HTTP_X_USER", "anon"))
    client = app.test_client(use_cookies=False)  # Werkzeug's jar would drop an explicit Cookie header
    client.get("/echo", headers={"Cookie": "a=1", "X-User": "u1"})
    client.get("/echo")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert dict(lines[0]["headers"])["Cookie"] == "a=1"
    assert [line["session"] for line in lines] == ["u1", "anon"]


DRIVER = """
import sys
sys.path.insert(0, {tree!r})
from shopapp import create_app
app = create_app()
app.test_cli_runner().invoke(args=["init-db"])
client = app.test_client()
client.post("/login", data={{"username": "ada"}})
client.post("/cart", data={{"item_id": "2"}})
client.get("/cart")
client.post("/items", json={{"name": "fig", "price": 2}})
client.get("/items")
client.options("/items")
client.get("/nope")
"""


def test_wrapper_records_without_code_change_and_verify_replays_it(tmp_path, shop_env):
    tree = tmp_path / "flask_shop"
    shutil.copytree(FLASK_SHOP, tree)
    driver = tmp_path / "drive.py"
    driver.write_text(DRIVER.format(tree=str(tree)))
    out = tmp_path / "recorded.jsonl"
    env = dict(os.environ, SHOP_DB=str(tmp_path / "live.sqlite"))
    proc = subprocess.run([sys.executable, "-m", "flask2quart", "record", "-o", str(out), "--", sys.executable, str(driver)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    reqs = list(read_corpus(out))
    assert [(r.method, r.path) for r in reqs] == [
        ("POST", "/login"), ("POST", "/cart"), ("GET", "/cart"), ("POST", "/items"), ("GET", "/items"),
        ("OPTIONS", "/items"), ("GET", "/nope"),
    ]
    with run(env=shop_env, corpus=out) as result:
        assert result.exit_code == 0, result.report("text")
        assert result.equal == 7
        cart = [r for r in result.records() if r["path"] == "/cart"]
        assert len(cart) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_mode_records_http_traffic(tmp_path):
    tree = tmp_path / "flask_shop"
    shutil.copytree(FLASK_SHOP, tree)
    out = tmp_path / "served.jsonl"
    port = _free_port()
    env = dict(os.environ, SHOP_DB=str(tmp_path / "served.sqlite"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask2quart", "record", "-o", str(out), "--app", "shopapp:create_app()", "--port", str(port)],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as resp:
                    assert resp.read() == b"alive"
                break
            except OSError:
                assert time.monotonic() < deadline, proc.stderr.read().decode() if proc.poll() is not None else "server did not start"
                time.sleep(0.2)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/items?x=1", data=b'{"name": "kiwi"}', headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=5)
        except urllib.error.HTTPError:
            pass  # no table in this database: a 500 is fine, the request is what matters
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    reqs = list(read_corpus(out))
    assert [(r.method, r.path) for r in reqs][-2:] == [("GET", "/status"), ("POST", "/items?x=1")]
    assert reqs[-1].body == b'{"name": "kiwi"}'


def test_record_needs_app_or_command(tmp_path):
    proc = cli("record", "-o", str(tmp_path / "x.jsonl"))
    assert proc.returncode == 2
    assert "give either --app" in proc.stderr
