"""Reports in every format, secrets redacted in all of them, reproducers that run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from tests.harness.conftest import QUART_SHOP, plant, run, write_corpus

SECRETS = ["abc123secret", "hunter2pass", "sekrit-token-abc", "stub-key-123", "tok-999-secret", "xat-777-secret"]

CORPUS = [
    {"session": "s1", "method": "POST", "path": "/login", "form": {"username": "ada"}},
    {"session": "s1", "path": "/weather?city=oslo&api_key=abc123secret"},
    {"session": "s1", "method": "POST", "path": "/notify", "json": {"event": "checkout", "password": "hunter2pass"},
     "headers": {"Authorization": "Bearer sekrit-token-abc"}},
    {"session": "s1", "method": "POST", "path": "/items", "json": {"name": "plum", "price": 1.5, "api_token": "tok-999-secret"}},
    {"session": "s1", "path": "/echo-headers", "headers": {"X-Auth-Token": "xat-777-secret"}},
    {"session": "s1", "path": "/cart"},
    {"session": "s1", "path": "/status"},
]
PLANTS = [
    ('f"{app.config[\'STUB_URL\']}/weather", params={"city": city}', 'f"{app.config[\'STUB_URL\']}/weather2", params={"city": city}'),
    ('json={"event": payload.get("event"), "user": session.get("user")}', 'json={"event": payload.get("event"), "user": None}'),
    ("return jsonify(id=item_id, name=data[\"name\"], price=price), 201", "return jsonify(id=item_id, name=data[\"name\"], price=price * 2), 201"),
    ("remote_addr=request.remote_addr)", 'remote_addr="10.0.0.1")'),
    ('return jsonify(user=session["user"], items=session.get("cart", []))', 'return jsonify(user=session["user"].upper(), items=session.get("cart", []))'),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory, stub):
    tmp = tmp_path_factory.mktemp("reports")
    candidate = plant(tmp, PLANTS)
    corpus = write_corpus(tmp / "corpus.jsonl", CORPUS)
    out = {fmt: tmp / f"report.{ext}" for fmt, ext in (("text", "txt"), ("json", "json"), ("junit", "xml"), ("markdown", "md"), ("html", "html"))}
    env = {"SHOP_DB": "{scratch}/shop.sqlite", "STUB_URL": stub.url}
    with run(candidate, env=env, corpus=corpus, reports=out) as result:
        assert result.exit_code == 1
        assert result.different == 5, result.report("text")
        yield result, {fmt: path.read_text() for fmt, path in out.items()}


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown", "html"])
def test_secrets_are_redacted(reports, fmt):
    _, texts = reports
    text = texts[fmt]
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into the {fmt} report"
    assert "session=eyJ" not in text  # signed session cookies
    if fmt != "text":
        assert "<redacted>" in text or "&lt;redacted&gt;" in text


def test_junit_one_testcase_per_request(reports):
    result, texts = reports
    root = ET.fromstring(texts["junit"])
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == result.total == 7
    assert suite.get("failures") == "5" and suite.get("errors") == "0"
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 5
    names = {c.get("name") for c in failed}
    assert "line 2: GET /weather?city=oslo&api_key=<redacted>" in names
    weather = next(c for c in failed if c.get("classname") == "GET /weather")
    assert "outbound[0].url" in weather.find("failure").text


def test_json_report(reports):
    result, texts = reports
    doc = json.loads(texts["json"])
    assert doc["ok"] is False and doc["exit_code"] == 1
    assert doc["summary"]["requests"] == 7 and doc["summary"]["different"] == 5
    assert {e["endpoint"] for e in doc["endpoints"]} >= {"GET /weather", "POST /notify"}
    by_endpoint = {d["endpoint"]: d for d in doc["differences"]}
    notify = by_endpoint["POST /notify"]
    assert notify["request"]["headers"][0] == ["Authorization", "<redacted>"]
    assert json.loads(notify["request"]["body"])["password"] == "<redacted>"
    assert notify["baseline"]["status"] == notify["candidate"]["status"] == 200
    outbound = notify["baseline"]["outbound"][0]
    assert dict(outbound["headers"])["X-Api-Key"] == "<redacted>"
    assert notify["reproduce"]["curl"].startswith("curl -i -X POST")
    assert "async def test_line_3_post_notify():" in notify["reproduce"]["pytest"]
    compile(notify["reproduce"]["pytest"], "snippet", "exec")
    items = by_endpoint["POST /items"]
    assert {f["field"]: (f["baseline"], f["candidate"]) for f in items["fields"]}["body:$.price"] == (1.5, 3.0)


def test_html_report_is_self_contained_with_side_by_side_diff(reports):
    _, texts = reports
    html = texts["html"]
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert '<table class="diff">' in html
    assert "weather2" in html
    # the body diff of POST /items shows both prices side by side
    text = unescape(html)
    assert '"price": 1.5' in text and '"price": 3.0' in text
    assert "vary-cookie" in html or "session-cookie-payload" in html


def test_markdown_report(reports):
    _, texts = reports
    md = texts["markdown"]
    assert md.startswith("### ❌ flask2quart verify: FAIL")
    assert "| endpoint | requests | equal | differing | noise | accepted | errors |" in md
    assert "<details>" in md and "```python" in md and "```sh" in md
    assert "| `body:$.price` | `1.5` | `3.0` | difference |" in md


def test_text_report(reports):
    _, texts = reports
    text = texts["text"]
    assert text.startswith("flask2quart verify: FAIL - 7 requests: 2 equal, 5 different")
    assert "reproduce: curl -i -X GET 'http://localhost:5000/weather?city=oslo&api_key=<redacted>'" in text
    assert "outbound[0].url: http://127.0.0.1:" in text


def test_pytest_reproducer_runs(tmp_path, shop_env):
    """The snippet asserts the baseline's answer: it fails on the broken port, passes on the faithful one."""
    broken = plant(tmp_path, [('return jsonify(user=session["user"], items=session.get("cart", []))',
                               'return jsonify(user=session["user"], items=[])')])
    corpus = write_corpus(tmp_path / "c.jsonl", [
        {"session": "s", "method": "POST", "path": "/login", "form": {"username": "ada"}},
        {"session": "s", "method": "POST", "path": "/cart", "form": {"item_id": "2"}},
        {"session": "other", "path": "/status"},
        {"session": "s", "path": "/cart"},
    ])
    with run(broken, env=shop_env, corpus=corpus) as result:
        rec = next(r for r in result.differences() if r["method"] == "GET")
        from flask2quart.reports.verify import reproducers

        snippet = reproducers(result, rec)["pytest"]
    assert "await client.open('/login', method='POST'" in snippet  # the session's earlier requests
    assert "/status" not in snippet  # another session's request is not part of it
    test_file = tmp_path / "test_repro.py"
    test_file.write_text(snippet)

    def pytest_in(tree):
        env = dict(os.environ, SHOP_DB=str(tmp_path / f"{tree.name}.sqlite"), PYTHONPATH=str(tree))
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto", str(test_file)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )

    failing = pytest_in(broken)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "assert {'items': [], 'user': 'ada'} == {'items': [2], 'user': 'ada'}" in failing.stdout
    passing = pytest_in(QUART_SHOP)
    assert passing.returncode == 0, passing.stdout + passing.stderr
