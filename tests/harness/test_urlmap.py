"""A starter corpus from the app's routes, generated in a worker subprocess."""

from __future__ import annotations

import json

import pytest

from flask2quart.harness import HarnessError
from flask2quart.harness.corpus import from_mapping
from flask2quart.harness.urlmap import corpus_from_url_map
from tests.harness.conftest import APP, FLASK_SHOP, QUART_SHOP, cli, plant, run


@pytest.mark.parametrize("tree", [FLASK_SHOP, QUART_SHOP], ids=["flask", "quart"])
def test_routes_become_requests(tree):
    entries = corpus_from_url_map(APP, tree)
    for entry in entries:
        from_mapping(entry)  # every line is a valid corpus entry
    pairs = {(e["method"], e["path"]) for e in entries}
    assert {("GET", "/items/1"), ("HEAD", "/items/1"), ("OPTIONS", "/items/1")} <= pairs  # int converter sample
    assert ("PATCH", "/items/1") in pairs  # GET and DELETE are allowed there: the wrong method is PATCH
    assert ("DELETE", "/items") in pairs and ("DELETE", "/login") in pairs  # 405s
    assert ("GET", "/dir") in pairs  # strict slashes: the redirect
    assert ("GET", "/static/report.txt") in pairs  # a real static file
    assert ("GET", "/__flask2quart_unknown__") in pairs
    assert ("POST", "/login") not in pairs  # unsafe methods only on request
    unsafe = {(e["method"], e["path"]) for e in corpus_from_url_map(APP, tree, include_unsafe=True)}
    assert ("POST", "/login") in unsafe and ("DELETE", "/items/1") in unsafe


def test_generated_corpus_replays_equal(tmp_path, shop_env):
    out = tmp_path / "starter.jsonl"
    proc = cli("corpus", "--app", APP, "--from-url-map", "--tree", str(FLASK_SHOP), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "requests to" in proc.stderr
    assert all(json.loads(line)["session"] == "urlmap" for line in out.read_text().splitlines())
    with run(env=shop_env, corpus=out) as result:
        assert result.exit_code == 0, result.report("text")
        statuses = {r["endpoint"] for r in result.records()}
        assert "PATCH /items/1 <405>" in statuses and "GET /dir <308>" in statuses


def test_import_error_is_reported(tmp_path):
    broken = plant(tmp_path, [("import httpx\n", "import httpx\nraise ImportError('no such thing')\n")])
    with pytest.raises(HarnessError, match="cannot load app .*ImportError: no such thing"):
        corpus_from_url_map(APP, broken)
    proc = cli("corpus", "--app", APP, "--from-url-map", "--tree", str(broken))
    assert proc.returncode == 2 and "no such thing" in proc.stderr
