"""HAR 1.2 import and export."""

from __future__ import annotations

import json

from flask2quart.harness.corpus import read_corpus
from flask2quart.harness.har import corpus_to_har, har_to_corpus
from tests.harness.conftest import CORPUS, cli, run, write_corpus


def _requests(path):
    return [(r.session, r.method, r.path, r.headers, r.body, r.scheme, r.id) for r in read_corpus(path)]


def test_round_trip_keeps_every_request(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", [
        {"id": "first", "session": "s1", "method": "POST", "path": "/items?x=1&y=%C3%A9", "json": {"name": "é", "n": [1, 2]}},
        {"session": "s2", "path": "/", "headers": [["Accept", "text/html"], ["X-Multi", "a"], ["X-Multi", "b"]]},
        {"session": "s2", "method": "PUT", "path": "/upload", "body_b64": "AAECA/8=", "headers": {"Content-Type": "application/octet-stream"}},
        {"session": "s3", "method": "POST", "path": "/login", "form": {"username": "ada", "tags": ["a", "b"]}, "scheme": "https"},
    ])
    har = tmp_path / "c.har"
    assert corpus_to_har(corpus, har) == 4
    doc = json.loads(har.read_text())
    assert doc["log"]["version"] == "1.2"
    entry = doc["log"]["entries"][0]
    assert entry["request"]["url"] == "http://localhost/items?x=1&y=%C3%A9"
    assert entry["request"]["queryString"] == [{"name": "x", "value": "1"}, {"name": "y", "value": "é"}]
    assert entry["response"]["status"] == 0 and "timings" in entry
    assert doc["log"]["entries"][2]["request"]["postData"]["_encoding"] == "base64"
    back = tmp_path / "back.jsonl"
    info = har_to_corpus(har, back)
    assert info["written"] == 4
    assert _requests(back) == _requests(corpus)


def test_browser_export_is_cleaned(tmp_path):
    har = tmp_path / "browser.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "1"}, "entries": [
        {"request": {"method": "GET", "url": "https://shop.example/items?page=2", "httpVersion": "HTTP/2", "headers": [
            {"name": ":authority", "value": "shop.example"}, {"name": "host", "value": "shop.example"},
            {"name": "cookie", "value": "session=abc"}, {"name": "accept", "value": "application/json"},
            {"name": "content-length", "value": "0"}]}, "response": {"status": 200}},
        {"request": {"method": "GET", "url": "https://cdn.other/lib.js", "headers": []}, "response": {"status": 200}},
        {"request": {"method": "POST", "url": "https://shop.example/login", "headers": [],
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [{"name": "username", "value": "ada"}]}},
         "response": {"status": 302}},
    ]}}))
    out = tmp_path / "c.jsonl"
    info = har_to_corpus(har, out)
    assert info == {"written": 2, "host": "shop.example", "skipped_hosts": {"cdn.other": 1}}
    reqs = list(read_corpus(out))
    assert reqs[0].path == "/items?page=2" and reqs[0].scheme == "https" and reqs[0].session == "har"
    assert reqs[0].headers == (("accept", "application/json"),)  # pseudo, host, cookie, length dropped
    assert reqs[1].body == b"username=ada"
    assert reqs[1].header("content-type") == "application/x-www-form-urlencoded"


def test_verify_replays_a_har_corpus(tmp_path, shop_env):
    har = tmp_path / "shop.har"
    corpus_to_har(CORPUS, har)
    with run(env=shop_env, corpus=har) as result:
        assert result.exit_code == 0, result.report("text")
        assert result.total == 32


def test_cli_round_trip(tmp_path):
    har = tmp_path / "shop.har"
    back = tmp_path / "back.jsonl"
    first = cli("corpus", "--to-har", str(CORPUS), "-o", str(har))
    assert first.returncode == 0, first.stderr
    assert "wrote 32 entries" in first.stderr
    second = cli("corpus", "--from-har", str(har), "-o", str(back))
    assert second.returncode == 0, second.stderr
    assert _requests(back) == _requests(CORPUS)
