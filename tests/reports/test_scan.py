"""``flask2quart scan``: the report model, every format, and that it writes nothing."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from flask2quart import engine
from flask2quart import rules as R
from flask2quart.scan import build
from flask2quart.scan.render import render
from tests.helpers import run_cli
from tests.reports.conftest import SCHEMAS, cli, validator


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def test_scan_model(app_tree):
    report = build([app_tree])
    by_fn = {h["function"]: h for h in report["handlers"]}
    assert by_fn["pkg.views.create"]["kind"] == "view"
    assert "await project calls: pkg.forms.clean_title" in by_fn["pkg.views.create"]["changes"]
    assert by_fn["pkg.views.load_user"]["kind"] == "hook"
    assert by_fn["pkg.views.load_user"]["registrations"] == ["before_request"]
    assert by_fn["pkg.create_app.not_found"]["kind"] == "error handler"
    # the frontier: a helper two calls away from the view, with the chain that forces it
    frontier = {h["function"]: h for h in report["frontier"]}
    assert set(frontier) == {"pkg.forms.read_title", "pkg.forms.clean_title"}
    clean = frontier["pkg.forms.clean_title"]
    assert clean["chain"] == ["pkg.forms.clean_title", "pkg.forms.read_title", "awaits request.form"]
    assert clean["callers"] == ["pkg.views.create"] and clean["cross_module"] is True
    assert frontier["pkg.forms.read_title"]["cross_module"] is False
    # dependencies with file and line; the thread target's marker; summary counts
    assert {(d["name"], d["spec"], d["line"]) for d in report["dependencies"]} == {
        ("flask", "==3.1.3", 1), ("flask-cors", "==6.0.2", 2)}
    markers = [(f["path"], m["code"]) for f in report["files"] for m in f["markers"]]
    assert ("pkg/views.py", "F2Q191") in markers
    s = report["summary"]
    assert (s["views"], s["hooks"], s["error_handlers"], s["async_helpers"]) == (1, 1, 1, 2)
    assert s["files_touched"] == 4 and s["markers"] == len(markers)
    assert s["edits"] == sum(sum(f["rules"].values()) for f in report["files"])
    assert report["extensions"]["items"][0]["name"] == "flask_cors"


def test_scan_matches_the_engine(app_tree):
    """Effort numbers are the engine's: same per-file rule counts as a phase-3 run."""
    report = build([app_tree])
    run = engine.run([app_tree], 3)
    assert {f["path"]: f["rules"] for f in report["files"]} == \
        {f.rel: dict(f.rules) for f in run.files if f.status != "unchanged" or f.markers}


def test_phase_comes_from_the_registry(app_tree, monkeypatch):
    """A phase-2 or phase-3 rule appears in its phase's section with no change to scan."""
    fake2 = R.RuleInfo("F2Q299", "fake-blocking", 2, "a blocking call", True)
    fake3 = R.RuleInfo("F2Q398", "fake-requests", 3, "requests.get", False)
    base = build([app_tree])["phases"]
    monkeypatch.setitem(R.REGISTRY, fake2.code, fake2)
    monkeypatch.setitem(R.REGISTRY, fake3.code, fake3)
    real_run = engine.run

    def run(paths, phase=1, **kw):
        assert phase == 3  # scan asks for every phase
        result = real_run(paths, phase, **kw)
        views = next(f for f in result.files if f.rel == "pkg/views.py")
        views.rules = views.rules + Counter({"F2Q299": 2})
        views.markers = [*views.markers, engine.MarkerInfo("F2Q398", 7, "requests.get in a view")]
        return result

    monkeypatch.setattr(engine, "run", run)
    report = build([app_tree])
    p1, p2, p3 = report["phases"]
    assert p2["rules"] == {**base[1]["rules"], "F2Q299": 2} and p2["edits"] == base[1]["edits"] + 2
    assert p3["rules"] == {**base[2]["rules"], "F2Q398": 1} and p3["markers"] == base[2]["markers"] + 1
    assert p1 == base[0]
    text = render(report, "text")
    assert "F2Q299 ×2: a blocking call" in text and re.search(r"pkg/views.py: .*F2Q299×2", text)
    assert "F2Q398 ×1: requests.get" in text and re.search(r"pkg/views.py: line .*\b7\b", text)
    assert "pkg/views.py:7 F2Q398 requests.get in a view" in render(report, "text", verbose=True)


def test_extensions_degrade_without_the_catalogue(app_tree, monkeypatch):
    monkeypatch.setitem(sys.modules, "flask2quart.analysis.extensions", None)  # import fails
    report = build([app_tree])
    ext = report["extensions"]
    assert ext["source"] == "imports" and "not available" in ext["note"]
    assert ext["items"] == [{"name": "flask_cors", "files": ["pkg/__init__.py"], "verdict": "unknown"}]


def test_json_matches_schema(app_tree):
    report = json.loads(render(build([app_tree]), "json"))
    validator(SCHEMAS / "scan.schema.json").validate(report)
    broken = dict(report, summary={**report["summary"], "views": "one"})
    assert list(validator(SCHEMAS / "scan.schema.json").iter_errors(broken))


def test_markdown_and_html(app_tree):
    report = build([app_tree])
    md = render(report, "markdown")
    assert "## Async frontier" in md and "| `pkg/forms.py:7` | pkg.forms.clean_title |" in md
    page = render(report, "html")
    assert page.startswith("<!DOCTYPE html>") and "<details>" in page
    assert not re.search(r"""(src|href)\s*=|https?://|<script|@import""", page)  # self-contained
    bars = re.findall(r'<rect class="bar"', page)
    assert len(bars) == len(report["modules"]) == 4
    for p in (1, 2, 3):
        assert f'id="phase-{p}"' in page


def test_cli_writes_nothing_and_output_file(app_tree, tmp_path):
    before = _tree_hash(app_tree)
    proc = run_cli("scan", str(app_tree))  # the real executable, once
    assert proc.returncode == 0, proc.stderr
    assert "Async frontier (2 helpers" in proc.stdout and "F2Q191" in proc.stdout
    assert "pkg.forms.clean_title (across modules): calls pkg.forms.read_title → awaits request.form" in proc.stdout
    out = tmp_path / "scan.html"
    proc = cli("scan", str(app_tree), "--format", "html", "--output", str(out))
    assert proc.returncode == 0 and "wrote html report" in proc.stderr and proc.stdout == ""
    assert "<svg" in out.read_text()
    assert _tree_hash(app_tree) == before


@pytest.mark.parametrize("args, message", [
    (["nope"], "no such file"),
    (["{root}", "--select", "F2Q999"], "unknown rule code"),
    (["{root}", "--format", "pdf"], "Invalid value"),
])
def test_cli_errors(app_tree, args, message):
    proc = cli("scan", *[a.format(root=app_tree) for a in args], cwd=app_tree.parent)
    assert proc.returncode == 2 and message in proc.stderr
