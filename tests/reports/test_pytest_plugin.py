"""The pytest plugin (``pytest11`` entry point): inert by default; a corpus becomes test
items that fail on differences."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from tests.helpers import FIXTURES

pytest_plugins = ["pytester"]

NOTEBOOK = FIXTURES / "apps" / "notebook"
VERIFY_TABLE = """
[tool.pytest.ini_options]
asyncio_default_fixture_loop_scope = "function"

[tool.flask2quart.verify]
app = "notebook:create_app()"
setup_cli = ["init-db"]
env = { NOTEBOOK_DATABASE = "{scratch}/notebook.sqlite" }
"""


def test_inert_and_import_light_without_options(pytester):
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n')
    pytester.makepyfile(test_light=textwrap.dedent("""
        import sys

        def test_nothing_heavy_loaded():
            heavy = [m for m in ("flask2quart.harness", "flask2quart.engine", "libcst", "flask2quart.scan")
                     if m in sys.modules]
            assert heavy == []
            assert "flask2quart.pytest_plugin" in sys.modules  # registered through the entry point
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not [ln for ln in result.outlines if ln.startswith("flask2quart:")]  # no report header
    helped = pytester.runpytest_inprocess("--help")
    helped.stdout.fnmatch_lines(["*--flask2quart-corpus=FILE*"])


def test_corpus_needs_a_baseline(pytester):
    pytester.makefile(".jsonl", corpus='{"method": "GET", "path": "/"}\n')
    result = pytester.runpytest_inprocess("--flask2quart-corpus", "corpus.jsonl")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--flask2quart-corpus needs --flask2quart-baseline*"])


@pytest.fixture
def notebook_pair(pytester, tmp_path):
    """The candidate (pytester's directory) and a baseline copy of the notebook app, with
    the first 14 corpus requests (anonymous and a registration)."""
    baseline = tmp_path / "baseline"
    shutil.copytree(NOTEBOOK / "notebook", baseline / "notebook")
    shutil.copytree(NOTEBOOK / "notebook", pytester.path / "notebook")
    lines = (NOTEBOOK / "corpus.jsonl").read_text().splitlines()[:14]
    (pytester.path / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    (pytester.path / "pyproject.toml").write_text(VERIFY_TABLE)
    return baseline


def test_corpus_items_pass_and_fail(pytester, notebook_pair):
    args = ("--flask2quart-corpus", "corpus.jsonl", "--flask2quart-baseline", str(notebook_pair),
            "--flask2quart-no-aa", "-p", "no:cacheprovider")
    ok = pytester.runpytest_subprocess(*args, "-v")
    ok.assert_outcomes(passed=14)
    ok.stdout.fnmatch_lines(["corpus.jsonl::?1? GET /healthz PASSED*"])
    # the candidate answers differently on one endpoint: exactly that item fails
    init = pytester.path / "notebook" / "__init__.py"
    init.write_text(init.read_text().replace('{"status": "ok"', '{"status": "degraded"'))
    bad = pytester.runpytest_subprocess(*args, "-k", "not auth")  # -k applies to corpus items
    bad.assert_outcomes(passed=9, failed=1, deselected=4)
    bad.stdout.fnmatch_lines([
        "*GET /healthz (session anon, corpus line 2): different*",
        "*body:$.status:*", "*baseline:  ok*", "*candidate: degraded*",
        "FAILED corpus.jsonl::*GET /healthz*",
    ])


def test_harness_error_fails_items(pytester, notebook_pair):
    (pytester.path / "pyproject.toml").write_text(VERIFY_TABLE.replace("notebook:create_app()", "nope:app"))
    result = pytester.runpytest_inprocess("--flask2quart-corpus", "corpus.jsonl", "--flask2quart-no-aa",
                                          "--flask2quart-baseline", str(notebook_pair), "-x")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*flask2quart verify could not run*"])
