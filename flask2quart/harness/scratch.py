"""Scratch copies of the trees under test, so user files and databases are never touched.

Each worker runs from its own copy. Every copied file gets the same fixed
modification time, so ``Last-Modified`` and mtime-based ETags do not differ just
because one tree was checked out later than the other.

``git:REF`` exports that revision of the candidate's repository with
``git archive`` (no worktree is registered in the user's repository).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from flask2quart.harness.errors import HarnessError

# 2001-01-01T00:00:00Z: any fixed value works; a round one is easy to spot in a report.
FIXED_MTIME = 978307200

IGNORED = (
    ".git",
    ".hg",
    "__pycache__",
    "*.pyc",
    ".venv*",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".f2q-*",
)


def copy_tree(source: Path, dest: Path) -> Path:
    """Copy ``source`` to ``dest`` (skipping VCS, caches and virtualenvs) and fix mtimes."""
    if not source.is_dir():
        raise HarnessError(f"tree {source} is not a directory")
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED))
    fix_mtimes(dest)
    return dest


def fix_mtimes(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.utime(path, (FIXED_MTIME, FIXED_MTIME))


def parse_git_ref(spec: str) -> str | None:
    """``"git:main"`` -> ``"main"``; anything else -> None."""
    return spec[4:] if spec.startswith("git:") else None


def export_git_ref(candidate: Path, ref: str, dest: Path) -> Path:
    """Export ``ref`` of the repository containing ``candidate``.

    Returns the directory inside ``dest`` that corresponds to ``candidate`` (the
    candidate may be a sub-directory of its repository).
    """
    try:
        top = subprocess.run(
            ["git", "-C", str(candidate), "rev-parse", "--show-toplevel"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        subprocess.run(
            ["git", "-C", top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            check=True, capture_output=True, text=True,
        )
    except FileNotFoundError:
        raise HarnessError("--baseline git:REF needs the git executable") from None
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip() or f"unknown revision {ref!r}"
        raise HarnessError(f"--baseline git:{ref}: {detail}") from None
    rel = os.path.relpath(candidate.resolve(), Path(top).resolve())
    dest.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        ["git", "-C", top, "archive", "--format=tar", ref],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # Python < 3.12 without the backported filter
            tar.extractall(dest)  # noqa: S202 - our own git archive output
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.wait() != 0:
        raise HarnessError(f"git archive {ref} failed: {stderr.strip()}")
    fix_mtimes(dest)
    tree = dest / rel if rel != "." else dest
    if not tree.is_dir():
        raise HarnessError(f"{rel} does not exist at git:{ref}")
    return tree
