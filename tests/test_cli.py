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


def _py(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with buffered standard streams (whatever this environment says)."""
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=env)


def test_hard_exit_keeps_sys_exit_semantics_and_flushes():
    # the console entry skips interpreter teardown: buffered output must still arrive and
    # the status must be what sys.exit would give
    prelude = ("import atexit, sys; from flask2quart.cli import hard_exit; "
               "atexit.register(lambda: print('teardown ran')); sys.stdout.write('partial'); ")
    for arg, status, err in [("None", 0, ""), ("3", 3, ""), ("'bad input'", 1, "bad input\n"),
                             ("256", 0, ""), ("-1", 255, "")]:
        proc = _py(prelude + f"hard_exit({arg})")
        assert (proc.returncode, proc.stdout, proc.stderr) == (status, "partial", err), arg
    # stdout gone before the flush (a closed pipe): no traceback, the interpreter's status 120
    proc = _py(prelude + "import os; os.close(1); hard_exit(0)")
    assert proc.returncode == 120 and "Traceback" not in proc.stderr


def test_console_exit_codes_and_output_through_a_pipe(tmp_path):
    # `python -m flask2quart` goes through cli.console (hard exit): the summary, the patch
    # and the exit code all survive
    write_tree(tmp_path, {"app.py": APP})
    proc = run_cli("migrate", str(tmp_path), "--check")
    assert proc.returncode == 1 and "would rewrite 1 file(s)" in proc.stdout
    diff = run_cli("migrate", str(tmp_path), "--diff")
    assert diff.returncode == 0 and diff.stdout.count("\n") > 5 and "+from quart" in diff.stdout
    version = run_cli("--version")
    assert version.returncode == 0 and "flask2quart" in version.stdout
