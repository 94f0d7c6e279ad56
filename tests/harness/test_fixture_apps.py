"""The fixture apps replayed Flask against the same Flask (A/A): no differences."""

from __future__ import annotations

from pathlib import Path

import pytest

from flask2quart.harness import verify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"
NOTEBOOK = FIXTURES / "notebook"


@pytest.mark.skipif(not (NOTEBOOK / "corpus.jsonl").exists(), reason="fixtures/apps/notebook not present")
def test_notebook_corpus_flask_vs_same_flask():
    with verify(
        NOTEBOOK, NOTEBOOK, app="notebook:create_app()", corpus=NOTEBOOK / "corpus.jsonl",
        setup_cli=["init-db"], env={"NOTEBOOK_DATABASE": "{scratch}/notebook.sqlite"},
        # a downloaded upload's Last-Modified is the second the replay wrote it: two runs of
        # the same app differ when they straddle a second boundary, and the A/A run only
        # sees it when its own pair does (as in tests/e2e/test_phase1_notebook.py)
        ignore_headers=["Last-Modified"],
    ) as result:
        assert result.exit_code == 0, result.report("text")
        assert result.different == 0 and result.errors == 0
        assert result.total == sum(1 for line in (NOTEBOOK / "corpus.jsonl").read_text().splitlines() if line.strip())
        # the README's expected noise, found by the A/A run
        assert "body:$.now" in result.noise_fields.get("GET /api/now", [])
