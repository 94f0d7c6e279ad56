"""Packaging: light imports, self-test, support table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flask2quart.bridge import supported


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_bridge_imports_no_cli_dependencies():
    result = run_python(
        "import sys\n"
        "from flask2quart.bridge import Quart\n"
        "Quart('x')\n"
        "heavy = sorted(m for m in ('libcst', 'rich', 'flask2quart.cli', 'flask2quart.engine') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_support_table_is_pure_data():
    result = run_python(
        "import sys\n"
        "import flask2quart.bridge.supported as s\n"
        "print(sorted(m for m in ('flask', 'quart', 'greenlet', 'flask_sqlalchemy') if m in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_support_table_shape():
    assert set(supported.bridged()) >= {
        "flask_sqlalchemy", "flask_login", "flask_mail", "flask_migrate", "flask_caching", "flask_wtf",
    }
    for name, entry in supported.EXTENSIONS.items():
        assert entry["status"] in ("bridged", "unsupported"), name
        assert isinstance(entry["tested_versions"], tuple) and entry["notes"], name
        if entry["status"] == "bridged":
            assert entry["tested_versions"] and entry["tested"], name
    assert supported.status("flask_sqlalchemy.model") == "bridged"
    assert supported.status("flask_restful") == "unsupported"
    assert supported.status("flask_unknown") is None


@pytest.mark.parametrize("name", supported.bridged())
def test_bridged_versions_match_installed(name):
    import importlib.metadata

    entry = supported.EXTENSIONS[name]
    assert importlib.metadata.version(entry["pypi"]) in entry["tested_versions"]


def test_self_test_passes():
    result = subprocess.run(
        [sys.executable, "-m", "flask2quart.bridge", "--self-test"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("OK")
    assert "FAIL" not in result.stdout


def test_self_test_reports_unsupported_versions(capsys, monkeypatch):
    from flask2quart.bridge import _compat, _selftest

    monkeypatch.setattr(_compat, "FLASK_VERSION", (3, 2, 0))
    monkeypatch.setattr(_compat, "FLASK_VERSION_STRING", "3.2.0")
    monkeypatch.delenv(_compat.ALLOW_ENV, raising=False)
    assert _selftest.run() == 1
    out = capsys.readouterr().out
    assert "FAIL  supported Flask/Quart versions: Flask 3.2.0 is installed" in out
