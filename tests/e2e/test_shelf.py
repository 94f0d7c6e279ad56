"""End-to-end: the extension-heavy shelf app (Flask-SQLAlchemy, Flask-Login, Flask-WTF,
Flask-CORS on a blueprint, Flask-Mail from a thread, a request_finished receiver, a seed CLI).

Migrate a copy with ``--phase 1``; on Quart 0.22 (Python 3.11) and 0.23.1 (Python 3.13) its
ported pytest suite passes and ``flask2quart verify`` against the Flask original finds no
difference; the rewritten requirements resolve against installed distributions only.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, copy_fixture_app, interpreters, run_cli

pytestmark = pytest.mark.e2e

SHELF = FIXTURES / "apps" / "shelf"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    base = tmp_path_factory.mktemp("shelf")
    app_dir = copy_fixture_app("shelf", base)
    shutil.rmtree(app_dir / ".pytest_cache", ignore_errors=True)
    done = run_cli("migrate", str(app_dir), "--phase", "1", "--allow-dirty",
                   "--report", str(base / "report.json"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return app_dir, json.loads((base / "report.json").read_text())


def _markers(report) -> list[tuple[str, str, str]]:
    return [(f["path"], m["code"], m["message"]) for f in report["files"] for m in f.get("markers", ())]


def test_extension_verdicts_in_report(migrated):
    app_dir, report = migrated
    on_bridge = {re.match(r"`(\w+)`", msg).group(1) for _, code, msg in _markers(report)
                 if code == "F2Q170"}
    # Flask-WTF is swapped; the rest stays on the bridge (Flask-CORS: its options need
    # Flask-CORS-only defaults, see docs/extensions.md)
    assert on_bridge == {"flask_sqlalchemy", "flask_login", "flask_mail", "flask_migrate",
                         "flask_caching", "flask_cors"}
    assert "from flask2quart.bridge import Quart" in (app_dir / "shelf" / "__init__.py").read_text()
    forms = (app_dir / "shelf" / "forms.py").read_text()
    assert "from quart_wtf import QuartForm" in forms and "FlaskForm" not in forms
    books = (app_dir / "shelf" / "books.py").read_text()
    assert "form = await BookForm.create_form(obj=book, book=book)" in books
    assert "if await form.validate_on_submit():" in books
    assert "if not await (await ConfirmForm.create_form()).validate_on_submit():" in books


def test_second_run_changes_nothing(migrated):
    app_dir, _ = migrated
    again = run_cli("migrate", str(app_dir), "--phase", "1", "--check")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-2000:]


def _summary(out: str) -> dict[str, int]:
    last = [ln for ln in out.strip().splitlines() if re.search(r"\d+ (passed|failed|error)", ln)]
    return {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)", last[-1])} \
        if last else {}


@pytest.fixture(scope="module")
def ported_runs(migrated):
    """Start the Flask original's collection and the ported suite on every interpreter at once
    (separate processes; each test's database lives in its own ``tmp_path``); the tests below
    wait for their process. Saves one suite's wall-clock per extra interpreter."""
    app_dir, _ = migrated
    flask_collect = subprocess.Popen(
        [interpreters()[0][1], "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only"],
        cwd=SHELF, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    suites = {label: subprocess.Popen([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                                      cwd=app_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)
              for label, python in interpreters()}
    done: dict = {}

    def result(key):
        if key not in done:
            proc = flask_collect if key is None else suites[key]
            out, err = proc.communicate(timeout=600)
            done[key] = (proc.returncode, out, err)
        return done[key]

    yield result
    for proc in (flask_collect, *suites.values()):
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("label,python", interpreters())
def test_ported_suite_passes(ported_runs, label, python):
    _, collected, _ = ported_runs(None)
    m = re.search(r"(\d+) tests? collected", collected)
    assert m, collected[-2000:]
    returncode, out, err = ported_runs(label)
    counts = _summary(out)
    assert returncode == 0, out[-6000:] + err[-2000:]
    assert counts.get("passed") == int(m.group(1)), counts


@pytest.mark.parametrize("label,python", interpreters())
def test_verify_against_flask_original(migrated, label, python, tmp_path):
    app_dir, _ = migrated
    proc = run_cli(
        "verify", "--baseline", str(SHELF), "--candidate", str(app_dir),
        "--app", "shelf:create_app()", "--corpus", str(SHELF / "corpus.jsonl"),
        "--setup-cli", "seed", "--env", "SHELF_CONFIG=testing",
        "--env", "SHELF_DATABASE_URL=sqlite:///{scratch}/shelf.sqlite",
        "--candidate-python", python, "--no-aa",
        "--report", str(tmp_path / "verify.json"),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    summary = json.loads((tmp_path / "verify.json").read_text())["summary"]
    assert summary["different"] == 0 and summary["errors"] == 0, summary
    assert summary["equal"] == sum(1 for ln in (SHELF / "corpus.jsonl").read_text().splitlines()
                                   if ln.strip()), summary


def _requirement_lines(path: Path) -> set[str]:
    return {ln.split("#", 1)[0].strip() for ln in path.read_text().splitlines()
            if ln.split("#", 1)[0].strip() and not ln.strip().startswith("-")}


@pytest.mark.parametrize("label,python", interpreters())
def test_rewritten_requirements_resolve_offline(migrated, label, python, tmp_path):
    """Every requirement the migration wrote resolves against what is installed, without an
    index (``pip install --dry-run --no-index``): no download, yet a wrong name, version or
    marker fails."""
    app_dir, _ = migrated
    new: set[str] = set()
    for name in ("requirements.txt", "requirements-dev.txt"):
        new |= _requirement_lines(app_dir / name) - _requirement_lines(SHELF / name)
    assert any(r.startswith("quart==") for r in new) and "flask2quart" in " ".join(new), new
    reqs = tmp_path / "new-requirements.txt"
    reqs.write_text("\n".join(sorted(new)) + "\n")
    proc = subprocess.run([python, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps",
                           "--disable-pip-version-check", "-r", str(reqs)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Would install" not in proc.stdout, proc.stdout
