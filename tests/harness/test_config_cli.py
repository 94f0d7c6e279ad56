"""[tool.flask2quart.verify] in the candidate's pyproject.toml, and the CLI surface."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from flask2quart.harness import HarnessError
from flask2quart.harness.config import load
from tests.harness.conftest import CORPUS, FLASK_SHOP, QUART_SHOP, ROOT, cli, plant

PLANTS = [
    ("return jsonify(dict(row))", 'resp = jsonify(dict(row))\n        resp.headers["X-Cache"] = "miss"\n        return resp'),
    ("return jsonify(items=[dict(r) for r in rows], count=len(rows))", "return jsonify(items=[dict(r) for r in rows], count=-1)"),
]


def configured(tmp_path: Path, table: str) -> Path:
    candidate = plant(tmp_path, PLANTS)
    shutil.copy(CORPUS, candidate / "corpus.jsonl")
    (candidate / "pyproject.toml").write_text("[tool.flask2quart.verify]\n" + textwrap.dedent(table))
    return candidate


TABLE = """
app = "shopapp:create_app()"
corpus = "corpus.jsonl"
setup_cli = ["init-db"]
env = { SHOP_DB = "{scratch}/shop.sqlite" }
timeout = 20
ignore_headers = ["X-Cache"]
ignore_json_paths = ["$.count"]
"""


def test_config_supplies_defaults_and_normalizers(tmp_path, stub):
    candidate = configured(tmp_path, TABLE)
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(candidate), "--env", f"STUB_URL={stub.url}", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ignore-header:x-cache" in proc.stdout and "ignore-json-path:$.count" in proc.stdout
    # the same run without the config file finds both planted changes
    bare = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(candidate), "--no-config", "--app", "shopapp:create_app()",
               "--corpus", str(CORPUS), "--setup-cli", "init-db", "--env", "SHOP_DB={scratch}/shop.sqlite",
               "--env", f"STUB_URL={stub.url}", "--format", "json", "-q")
    assert bare.returncode == 1
    doc = json.loads(bare.stdout)
    assert {f["field"] for d in doc["differences"] for f in d["fields"]} == {"header:x-cache", "body:$.count"}


def test_cli_options_add_to_the_config(tmp_path, stub):
    candidate = configured(tmp_path, TABLE.replace('ignore_json_paths = ["$.count"]\n', ""))
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(candidate), "--env", f"STUB_URL={stub.url}",
               "--ignore-json-path", "$.count", "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unknown_config_key_is_an_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.flask2quart.verify]\nignore_header = ['x']\n")
    with pytest.raises(HarnessError, match="unknown key.*ignore_header"):
        load(path)
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(QUART_SHOP), "--config", str(path), "-q")
    assert proc.returncode == 2 and "unknown key(s) ignore_header" in proc.stderr


def test_report_files_and_formats(tmp_path, stub):
    out = tmp_path / "out"
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(QUART_SHOP), "--app", "shopapp:create_app()",
               "--corpus", str(CORPUS), "--setup-cli", "init-db", "--env", "SHOP_DB={scratch}/shop.sqlite",
               "--env", f"STUB_URL={stub.url}", "--no-config",
               "--report", str(out / "r.json"), "--report", f"junit:{out / 'junit.txt'}", "--report", str(out / "r.md"),
               env={"TMPDIR": str(scratch_root)})
    assert proc.returncode == 0, proc.stderr
    # the console script hard-exits (no atexit, no finalizers): the scratch trees and the
    # work directory must already be gone
    assert list(scratch_root.iterdir()) == []
    assert proc.stdout.startswith("flask2quart verify: PASS - 32 requests")
    assert json.loads((out / "r.json").read_text())["ok"] is True
    assert (out / "junit.txt").read_text().startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert (out / "r.md").read_text().startswith("### ✅")
    # non-TTY progress is plain lines on stderr
    assert "replayed 32/32 requests (0 flagged)" in proc.stderr


def test_list_normalizers():
    proc = cli("verify", "--baseline", ".", "--list-normalizers")
    assert proc.returncode == 0
    for name in ("vary-cookie", "allow-order", "send-file-defaults", "head-body", "session-cookie-payload"):
        assert f"{name}\n" in proc.stdout


def test_unknown_report_extension(tmp_path):
    proc = cli("verify", "--baseline", str(FLASK_SHOP), "--candidate", str(QUART_SHOP), "--report", str(tmp_path / "x.pdf"), "--report", str(tmp_path / "y.json"))
    assert proc.returncode == 2 and "cannot tell the report format" in proc.stderr


@pytest.mark.parametrize("version", ["3.10", "3.12", "3.13"])
def test_worker_side_modules_import_without_libcst(version, tmp_path):
    """The worker runs in the app's interpreter: stdlib only, Python 3.10-3.13, no libcst."""
    candidates = sorted(Path("/root/.pyenv/versions").glob(f"{version}*/bin/python")) if Path("/root/.pyenv/versions").exists() else []
    python = str(candidates[-1]) if candidates else shutil.which(f"python{version}")
    if not python:
        pytest.skip(f"no python{version}")
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "flask2quart").symlink_to(ROOT / "flask2quart")
    code = (
        "import sys; sys.modules['libcst'] = None\n"
        "import flask2quart.harness.worker, flask2quart.harness.outbound, flask2quart.harness.cookies\n"
        "import flask2quart.harness.record\n"
        "assert 'libcst' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print(sys.version_info[:2])\n"
    )
    import subprocess

    proc = subprocess.run([python, "-I", "-c", f"import sys; sys.path.insert(0, {str(shim)!r})\n" + code],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(tuple(int(p) for p in version.split(".")))


def test_worker_is_driven_by_the_current_interpreter_by_default():
    from flask2quart.harness.runner import resolve_python

    assert resolve_python(None) == sys.executable
    assert resolve_python("python3.13") == "python3.13"
    assert resolve_python(".venv313/bin/python").startswith("/")
