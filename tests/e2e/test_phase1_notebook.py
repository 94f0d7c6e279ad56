"""End-to-end: migrate a copy of the notebook fixture app and drive it on Quart 0.22 and 0.23."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import copy_fixture_app, interpreters, run_cli

FLOWS = Path(__file__).parent / "flows" / "notebook_flows.py"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    app_dir = copy_fixture_app("notebook", base)
    before = run_cli("migrate", str(app_dir), "--phase", "1", "--check")
    assert before.returncode == 1, before.stderr  # changes pending before
    done = run_cli("migrate", str(app_dir), "--phase", "1", "--allow-dirty",
                   "--report", str(base / "report.json"))
    assert done.returncode == 0, done.stderr
    return app_dir, json.loads((base / "report.json").read_text())


def test_no_flask_import_left(migrated):
    app_dir, _ = migrated
    for py in (app_dir / "notebook").rglob("*.py"):
        text = py.read_text()
        assert "from flask" not in text and "import flask" not in text, py


def test_second_run_changes_nothing_and_check_passes(migrated):
    app_dir, _ = migrated
    again = run_cli("migrate", str(app_dir), "--phase", "1", "--check")
    assert again.returncode == 0, again.stdout + again.stderr


def test_report_lists_rules_per_file(migrated):
    _, report = migrated
    files = {f["path"]: f for f in report["files"]}
    assert files["notebook/auth.py"]["rules"]["F2Q102"] > 0
    assert files["notebook/decorators.py"]["rules"]["F2Q103"] > 0
    assert report["summary"]["failed"] == 0


@pytest.mark.parametrize("label,python", interpreters())
def test_migrated_app_runs_on_quart(migrated, label, python):
    app_dir, _ = migrated
    proc = subprocess.run([python, str(FLOWS), str(app_dir)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = json.loads(proc.stdout.strip().splitlines()[-1])
    assert checks["register"] == 302 and checks["index"] == 200 and checks["cli"] == 0


def test_verify_against_flask_original_reports_no_difference(migrated, tmp_path):
    app_dir, _ = migrated
    from tests.helpers import FIXTURES

    proc = run_cli(
        "verify", "--baseline", str(FIXTURES / "apps" / "notebook"), "--candidate", str(app_dir),
        "--app", "notebook:create_app()", "--corpus", str(FIXTURES / "apps" / "notebook" / "corpus.jsonl"),
        "--setup-cli", "init-db", "--env", "NOTEBOOK_DATABASE={scratch}/nb.sqlite",
        # files uploaded during the replay carry the wall-clock second they were written;
        # the A/A run only sees that as noise when it crosses a second boundary
        "--ignore-header", "Last-Modified",
        "--report", str(tmp_path / "verify.json"),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = json.loads((tmp_path / "verify.json").read_text())
    assert report["summary"]["different"] == 0, report["summary"]
    assert report["summary"]["equal"] >= 95 and report["summary"]["errors"] == 0
