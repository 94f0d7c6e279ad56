"""Whole-tree before/after cases in ``fixtures/cases/phaseN/<case>/{before,after}/``.

Each case is a small project; the tool migrates a copy of ``before/`` and the result must equal
``after/`` file by file (a unified diff is printed on failure), and migrating ``after/`` again
must change nothing.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from flask2quart import engine
from tests.helpers import FIXTURES

CASES = sorted(p for p in (FIXTURES / "cases").glob("phase*/*") if (p / "before").is_dir())


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _migrate_copy(src: Path, tmp_path: Path, phase: int) -> dict[str, str]:
    work = tmp_path / "work"
    shutil.copytree(src, work)
    result = engine.run([work], phase)
    assert not result.failed, [f.error for f in result.failed]
    for f in result.changed:
        f.path.write_bytes(f.new)
    return _tree(work)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_case_tree(case, tmp_path):
    phase = int(case.parent.name.removeprefix("phase"))
    got = _migrate_copy(case / "before", tmp_path, phase)
    want = _tree(case / "after")
    if got != want:
        diff = []
        for rel in sorted(set(got) | set(want)):
            diff += difflib.unified_diff(want.get(rel, "").splitlines(True), got.get(rel, "").splitlines(True),
                                         f"expected/{rel}", f"got/{rel}")
        pytest.fail("".join(diff))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_case_tree_is_idempotent(case, tmp_path):
    phase = int(case.parent.name.removeprefix("phase"))
    assert _migrate_copy(case / "after", tmp_path, phase) == _tree(case / "after")
