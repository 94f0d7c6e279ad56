"""The migrate CLI contract: exit codes, --check/--diff/--dry-run, dirty trees, bad input."""

from __future__ import annotations

import subprocess

from tests.helpers import run_cli, write_tree

APP = """
from flask import Flask, request

app = Flask(__name__)

@app.route("/")
def index():
    return request.form["a"]
"""


def test_bad_path_exits_2(tmp_path):
    proc = run_cli("migrate", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_check_dry_run_and_diff_write_nothing(tmp_path):
    write_tree(tmp_path, {"app.py": APP})
    original = (tmp_path / "app.py").read_text()
    assert run_cli("migrate", str(tmp_path), "--check").returncode == 1
    dry = run_cli("migrate", str(tmp_path), "--dry-run")
    assert dry.returncode == 0 and "would rewrite 1 file" in dry.stderr + dry.stdout
    diff = run_cli("migrate", str(tmp_path), "--diff")
    assert diff.returncode == 0 and "+async def index():" in diff.stdout
    assert (tmp_path / "app.py").read_text() == original


def test_diff_applies_with_git_apply(tmp_path):
    write_tree(tmp_path, {"app.py": APP})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    diff = run_cli("migrate", ".", "--diff", cwd=tmp_path).stdout
    (tmp_path / "x.patch").write_text(diff)
    subprocess.run(["git", "apply", "x.patch"], cwd=tmp_path, check=True)
    assert "async def index" in (tmp_path / "app.py").read_text()
    assert run_cli("migrate", str(tmp_path / "app.py"), "--check").returncode == 0


def test_refuses_dirty_git_tree(tmp_path):
    write_tree(tmp_path, {"app.py": APP})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    proc = run_cli("migrate", str(tmp_path))
    assert proc.returncode == 2 and "uncommitted" in proc.stderr
    assert "from flask" in (tmp_path / "app.py").read_text()
    assert run_cli("migrate", str(tmp_path), "--allow-dirty").returncode == 0
    assert "from quart" in (tmp_path / "app.py").read_text()


def test_unparsable_file_reported_and_untouched(tmp_path):
    write_tree(tmp_path, {"app.py": APP, "broken.py": "def f(:\n"})
    proc = run_cli("migrate", str(tmp_path), "--allow-dirty")
    assert proc.returncode == 2 and "broken.py" in proc.stderr
    assert (tmp_path / "broken.py").read_text() == "def f(:\n"
    assert "from quart" in (tmp_path / "app.py").read_text()  # the rest of the run went on


def test_rules_and_explain():
    rules = run_cli("rules")
    assert rules.returncode == 0 and "F2Q102" in rules.stdout
    ex = run_cli("explain", "F2Q102")
    assert ex.returncode == 0 and "Before:" in ex.stdout and "await request.form" in ex.stdout
    assert run_cli("explain", "F2Q999").returncode == 2
