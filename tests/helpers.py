"""Shared test helpers: migrate a small tree of files and return the results."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from flask2quart import engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, src in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(src))


def migrate_tree(tmp_path: Path, files: dict[str, str], phase: int = 1) -> dict[str, str]:
    """Migrate ``files`` (relative path → source) in a temp dir; return every file's new text."""
    root = tmp_path / "proj"
    write_tree(root, files)
    result = engine.run([root], phase)
    assert not result.failed, [f.error for f in result.failed]
    return {f.rel: f.new.decode() for f in result.files}


def migrate_one(tmp_path: Path, src: str, name: str = "app.py") -> str:
    return migrate_tree(tmp_path, {name: src})[name]


def python313() -> str | None:
    """The Python 3.13 interpreter of the project's second venv, or None."""
    env = os.environ.get("F2Q_PYTHON313")
    candidates = [env, str(ROOT / ".venv313" / "bin" / "python")]
    for c in candidates:
        if c and Path(c).exists():
            return c
    return None


def interpreters() -> list[tuple[str, str]]:
    """(label, python) pairs: this interpreter (Quart 0.22 on 3.11) and the 3.13 venv."""
    out = [(f"py{sys.version_info.major}{sys.version_info.minor}", sys.executable)]
    p = python313()
    if p and Path(p).resolve() != Path(sys.executable).resolve():
        out.append(("py313", p))
    return out


def copy_fixture_app(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(FIXTURES / "apps" / name, target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "instance"))
    return target


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask2quart", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
