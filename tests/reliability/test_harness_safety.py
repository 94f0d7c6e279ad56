"""Harness safety beyond tests/harness/: secrets in every report format (outbound query
strings, exception messages, custom patterns/keys/headers, cookies), hostile apps on
either side (stdout floods, ``sys.exit``, ``os._exit``) contained, oversized and broken
corpus lines, and a quick streamed-memory run."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from flask2quart.harness.corpus import CorpusError, read_corpus
from flask2quart.harness.redact import REDACTED, Redactor
from tests.harness.conftest import FLASK_SHOP, plant, run, stub, write_corpus  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
FORMATS = (("text", "txt"), ("json", "json"), ("junit", "xml"), ("markdown", "md"), ("html", "html"))


# ---------------------------------------------------------------------- redaction, unit level

def test_redactor_covers_values_next_to_secret_keys_and_paths():
    r = Redactor(headers=["X-Private"], keys=["nickname"], patterns=[r"CUSTOM-\d+"])
    # a custom pattern in a query value next to a secret-named key (was kept verbatim)
    assert r.path("/weather?city=CUSTOM-1&api_key=abc") == f"/weather?city={REDACTED}&api_key={REDACTED}"
    assert r.path("/reset/CUSTOM-2?x=1") == f"/reset/{REDACTED}?x=1"  # secrets in the path itself
    assert "CUSTOM-3" not in r.url("http://h/reset/CUSTOM-3?token=t")
    # outbound query pairs in a field diff (secret-named keys were shown in clear)
    assert Redactor().field_value("outbound[0].query", [["city", "x"], ["api_key", "k1"]]) == [
        ["city", "x"], ["api_key", REDACTED]]
    assert Redactor().field_value("outbound[0].header:X-Trace", "Bearer abc") == f"Bearer {REDACTED}"
    # a header declared secret is secret as a JSON key too (apps echoing headers)
    assert r.data({"headers": {"X-Private": "v"}}) == {"headers": {"X-Private": REDACTED}}
    assert r.data({"nickname": "n"}) == {"nickname": REDACTED}


# ---------------------------------------------------------------------- redaction, every format

SECRETS = {
    "outbound-key-4242": "api_key in an outbound call's query string (candidate only)",
    "exc-secret-5151": "token=... in an exception message",
    "cookie-secret-6666": "Cookie request header",
    "private-9999": "--redact-header X-Private (header and echoed JSON key)",
    "CUSTOM-7777": "--redact-pattern in a plain header value",
    "CUSTOM-1234": "--redact-pattern in a query value next to api_key",
    "k-3131": "api_key in the request query",
    "nick-8888": "--redact-key nickname in a JSON body",
}
PLANTS = [
    ('params={"city": city}', 'params={"city": city, "api_key": "outbound-key-4242"}'),
    ('raise ValueError("boom")', 'raise ValueError("boom token=exc-secret-5151")'),
    ("remote_addr=request.remote_addr)", 'remote_addr="10.0.0.1")'),
    ("return jsonify(id=item_id, name=data[\"name\"], price=price), 201",
     "return jsonify(id=item_id, name=data[\"name\"], price=price * 2), 201"),
]
CORPUS = [
    {"session": "s1", "method": "POST", "path": "/login", "form": {"username": "ada"}},
    {"session": "s1", "path": "/weather?city=CUSTOM-1234&api_key=k-3131"},
    {"session": "s1", "path": "/boom"},
    {"session": "s1", "path": "/echo-headers",
     "headers": {"Cookie": "pref=cookie-secret-6666", "X-Private": "private-9999", "X-Custom": "CUSTOM-7777"}},
    {"session": "s1", "method": "POST", "path": "/items", "json": {"name": "plum", "price": 1.5, "nickname": "nick-8888"}},
]


def test_secrets_redacted_in_every_format(tmp_path, stub):  # noqa: F811
    candidate = plant(tmp_path, PLANTS)
    corpus = write_corpus(tmp_path / "corpus.jsonl", CORPUS)
    out = {fmt: tmp_path / f"report.{ext}" for fmt, ext in FORMATS}
    env = {"SHOP_DB": "{scratch}/shop.sqlite", "STUB_URL": stub.url}
    with run(candidate, env=env, corpus=corpus, reports=out, redact_headers=["X-Private"],
             redact_keys=["nickname"], redact_patterns=[r"CUSTOM-\d+"]) as result:
        assert result.exit_code == 1
        flagged = {r["path"].split("?")[0] for r in result.differences()}
        assert {"/weather", "/boom", "/echo-headers", "/items"} <= flagged, result.report("text")
        texts = {fmt: path.read_text() for fmt, path in out.items()}
        texts["stdout-json"] = result.report("json")
    for fmt, text in texts.items():
        leaked = {s: why for s, why in SECRETS.items() if s in text}
        assert not leaked, f"{fmt} report leaks {leaked}"
        assert "redacted" in text


# ---------------------------------------------------------------------- hostile apps, both sides

def test_floods_exits_and_crashes_on_either_side_are_contained(tmp_path, stub):  # noqa: F811
    flood = 'import sys\n        sys.stdout.write("x" * 8_000_000)\n        sys.stderr.write("y" * 8_000_000)\n        '
    candidate = plant(tmp_path, [
        ('    async def status():\n        return "alive"',
         '    async def status():\n        ' + flood + 'return "alive"'),
        ('    async def dir_index():\n        return "dir index"',
         '    async def dir_index():\n        raise SystemExit(3)'),
    ])
    baseline = plant(tmp_path, [
        ('    def old():\n        return redirect("/items", code=301)',
         '    def old():\n        os._exit(9)'),
        ('    def status():\n        return "alive"', '    def status():\n        ' + flood + 'return "alive"'),
    ], source=FLASK_SHOP, name="baseline")
    corpus = write_corpus(tmp_path / "c.jsonl", [
        {"session": "s1", "method": "POST", "path": "/login", "form": {"username": "ada"}},
        {"session": "s1", "path": "/status"},
        {"session": "s1", "path": "/dir/"},
        {"session": "s1", "path": "/old"},
        {"session": "s1", "path": "/cart"},
        {"session": "s1", "path": "/items"},
    ])
    env = {"SHOP_DB": "{scratch}/shop.sqlite", "STUB_URL": stub.url}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with run(candidate, baseline=baseline, env=env, corpus=corpus, timeout=20) as result:
        outcomes = {r["path"]: r["outcome"] for r in result.records()}
        assert outcomes["/status"] == "equal"  # 16 MB of stdout/stderr on each side: harmless
        assert outcomes["/old"] == "error" and outcomes["/dir/"] in ("error", "different")
        assert outcomes["/cart"] == "equal" and outcomes["/items"] == "equal"  # both sides survived
        errors = {r["path"]: r.get("errors", []) for r in result.differences()}
        assert any(e["side"] == "baseline" and e["kind"] == "crash" for e in errors["/old"])
        assert result.restarts.get("baseline", 0) >= 1
        assert len(result.report("text")) < 200_000 and len(result.report("json")) < 200_000
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 64, f"the harness process grew {grown_mib:.0f} MiB reading the floods"


# ---------------------------------------------------------------------- corpus lines

def test_huge_and_odd_corpus_lines(tmp_path):
    big = "x" * 20_000_000
    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps({"path": "/status"}) + "\n"
        + json.dumps({"method": "POST", "path": "/notify", "json": {"event": big}}) + "\n"
        + json.dumps({"path": "/status", "headers": {"X-Long": "v" * 100_000}}) + "\n"
        + "\ufeff" * 0 + "   \n"  # blank lines are skipped
        + json.dumps({"path": "/caf\u00e9?q=\u2603"}) + "\n"
    )
    reqs = list(read_corpus(path))
    assert [r.line for r in reqs] == [1, 2, 3, 5]
    bad = tmp_path / "bad.jsonl"
    for line, message in [
        ('{"path": "/x", "headers": {"X-A": "1\\u0000"}}', "contains CR, LF or NUL"),
        ('{"path": "/x", "headers": [["Host", "a\\rb"]]}', "contains CR, LF or NUL"),
        ('{"path": "/x", "method": "GET\\r\\nX: y"}', "line 2"),
        ('{"path": "/x"' + ' ' * 10 + '}{', "invalid JSON"),
        ("\xff", "line 2"),
    ]:
        bad.write_bytes(b'{"path": "/ok"}\n' + line.encode("utf-8", "surrogateescape")
                        if line != "\xff" else b'{"path": "/ok"}\n\xff\n')
        with pytest.raises(CorpusError) as info:
            list(read_corpus(bad))
        assert info.value.line == 2, str(info.value)
        assert str(info.value).startswith(f"{bad}:2: ")
        if message != "line 2":
            assert message in str(info.value)


# ---------------------------------------------------------------------- memory (quick)

def test_memory_stays_bounded_quick():
    """benchmarks/harness_memory.py at CI size: the same peak for 400 and 2,500 requests
    (streamed results, not a list in memory). The 100k figure is in benchmarks/README.md."""
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "harness_memory.py"), "--no-aa",
                           "--sizes", "400", "2500"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    peaks = [float(ln.split("peak RSS")[1].split("MiB")[0]) for ln in proc.stdout.splitlines()
             if "requests: harness peak RSS" in ln]
    assert len(peaks) == 2, proc.stdout
    assert peaks[1] < peaks[0] + 8, f"peak grew with the corpus: {peaks}"
    assert peaks[1] < 64
