"""Hangs, crashes, apps that do not import, failing setup, bad corpus lines."""

from __future__ import annotations

import pytest

from flask2quart.harness import HarnessError
from flask2quart.harness.corpus import CorpusError, read_corpus
from tests.harness.conftest import APP, CORPUS, FLASK_SHOP, QUART_SHOP, cli, plant, run, write_corpus

ROUND_TRIP = [
    {"session": "s1", "method": "POST", "path": "/login", "form": {"username": "ada"}},
    {"session": "s1", "path": "/status"},
    {"session": "s1", "path": "/cart"},
    {"session": "s1", "path": "/dir/"},
    {"session": "s1", "path": "/cart"},
]


def test_hang_and_crash_are_reported_and_replay_goes_on(tmp_path, shop_env):
    candidate = plant(tmp_path, [
        ('    async def status():\n        return "alive"', '    async def status():\n        os._exit(7)'),
        ('    async def dir_index():\n        return "dir index"', '    async def dir_index():\n        await asyncio.sleep(60)\n        return "dir index"'),
    ])
    corpus = write_corpus(tmp_path / "c.jsonl", ROUND_TRIP)
    with run(candidate, env=shop_env, corpus=corpus, timeout=2) as result:
        assert result.exit_code == 1
        assert result.errors == 2 and result.equal == 3, result.report("text")
        errors = {r["path"]: r["errors"][0] for r in result.differences()}
        assert errors["/status"]["side"] == "candidate" and errors["/status"]["kind"] == "crash"
        assert "exit code 7" in errors["/status"]["message"]
        assert errors["/dir/"]["kind"] == "timeout"
        assert "no answer within 2 s" in errors["/dir/"]["message"]
        assert result.restarts == {"candidate": 2}
        # the session survived both restarts: /cart still answers for the logged-in user
        outcomes = [(r["path"], r["outcome"]) for r in result.records()]
        assert outcomes == [("/login", "equal"), ("/status", "error"), ("/cart", "equal"), ("/dir/", "error"), ("/cart", "equal")]
        text = result.report("text")
        assert "candidate crash" in text and "candidate timeout" in text
        junit = result.report("junit")
        assert junit.count("<error ") == 2


def test_app_that_fails_to_import(tmp_path, shop_env):
    candidate = plant(tmp_path, [("import httpx\n", "import httpx\nraise RuntimeError('candidate import exploded')\n")])
    with pytest.raises(HarnessError) as info:
        run(candidate, env=shop_env)
    message = str(info.value)
    assert message.startswith("candidate: cannot load app 'shopapp:create_app()': RuntimeError: candidate import exploded")
    assert "Traceback" in message


def test_app_that_fails_to_import_exits_2(tmp_path):
    candidate = plant(tmp_path, [("import httpx\n", "import httpx\nraise RuntimeError('candidate import exploded')\n")])
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(candidate), "--app", APP,
               "--corpus", str(CORPUS), "--no-config", "-q")
    assert proc.returncode == 2
    assert "candidate import exploded" in proc.stderr


def test_expression_that_is_not_an_app(shop_env):
    from flask2quart.harness import verify

    with pytest.raises(HarnessError, match="evaluated to builtins.str, not a Flask or Quart application"):
        verify(FLASK_SHOP, QUART_SHOP, app="shopapp:HERE", corpus=CORPUS, env=shop_env, config=False)


def test_failing_setup_cli(shop_env):
    with pytest.raises(HarnessError, match=r"--setup-cli 'no-such-command' failed in the baseline \(exit code 2\)"):
        run(env=shop_env, setup_cli=["no-such-command"])


BAD_LINES = [
    ("{not json", "invalid JSON"),
    ('{"path": "/x", "verb": "GET"}', "unknown field(s) 'verb'"),
    ('{"path": "/x", "headers": {"X-A": "1\\r\\nX-Injected: 2"}}', "contains CR, LF or NUL"),
    ('{"path": "/x", "headers": {"X-A\\nB": "1"}}', "contains CR, LF or NUL"),
    ('{"path": "/x", "headers": {"X A": "1"}}', "not a valid token"),
    ('{"path": "/x", "body": "a", "json": {}}', "use only one of"),
    ('{"path": "x"}', "'path' is required"),
    ('["/x"]', "expected a JSON object"),
    ('{"path": "/x", "body_b64": "***"}', "not valid base64"),
    ('{"path": "/x\\r\\nHost: evil"}', "control character"),
]


@pytest.mark.parametrize("line, message", BAD_LINES)
def test_bad_corpus_line_names_the_line(tmp_path, line, message):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"path": "/status"}\n\n' + line + "\n")
    with pytest.raises(CorpusError) as info:
        list(read_corpus(path))
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: ")
    assert message in str(info.value)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(b'{"path": "/status"}\n{"path": "/\xff"}\n')
    with pytest.raises(CorpusError, match=r":2: invalid UTF-8 at byte 11"):
        list(read_corpus(path))


def test_bad_corpus_line_exits_2_before_any_replay(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"path": "/status"}\n{"path": "/status", "colour": "red"}\n')
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(QUART_SHOP), "--app", APP,
               "--corpus", str(path), "--no-config", "-q")
    assert proc.returncode == 2
    assert f"bad corpus line: {path}:2: unknown field(s) 'colour'" in proc.stderr
    check = cli("corpus", "--check", str(path))
    assert check.returncode == 2 and ":2: unknown field(s) 'colour'" in check.stderr


def test_missing_arguments_exit_2(tmp_path):
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(QUART_SHOP), "--no-config", "-q")
    assert proc.returncode == 2
    assert "--app is required" in proc.stderr
