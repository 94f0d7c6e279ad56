"""A test suite mocking requests with `responses` still passes after the port to `respx`
(and the respx mock is really in the path: a wrong mocked URL makes the ported test fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from flask2quart import engine
from tests.helpers import FIXTURES

CASE = FIXTURES / "cases" / "phase3" / "responses-to-respx" / "before"


def _pytest(root):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore", "tests"],
                          cwd=root, capture_output=True, text=True, timeout=120)


def test_responses_suite_passes_before_and_after(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(CASE, before)
    (before / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    shutil.copytree(before, after)
    result = engine.run([after], 3)
    assert not result.failed
    for f in result.changed:
        f.path.write_bytes(f.new)
    assert "asyncio_mode = auto" in (after / "pytest.ini").read_text()
    test_file = after / "tests" / "test_user.py"
    assert "@respx.mock" in test_file.read_text() and "responses" not in test_file.read_text()

    flask_run = _pytest(before)
    assert flask_run.returncode == 0 and "2 passed" in flask_run.stdout, flask_run.stdout + flask_run.stderr
    quart_run = _pytest(after)
    assert quart_run.returncode == 0 and "2 passed" in quart_run.stdout, quart_run.stdout + quart_run.stderr

    # control: mock another URL → the app's request is not mocked → the ported test fails
    test_file.write_text(test_file.read_text().replace('API + "/users/1")', 'API + "/users/999")'))
    broken = _pytest(after)
    assert broken.returncode == 1 and "1 failed" in broken.stdout, broken.stdout
