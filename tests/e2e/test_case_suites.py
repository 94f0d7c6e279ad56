"""End-to-end: before/after case trees that carry a test suite run it — ``before/`` on Flask,
``after/`` (the expected migration, checked by tests/phase1/test_case_trees.py) on Quart 0.22
and 0.23.1 — and every test passes on all three."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers import FIXTURES, interpreters

pytestmark = pytest.mark.e2e

#: case → tests its suite has
SUITES = {"phase1/test-unittest-pushed-context": 4}


def _passed(python: str, cwd) -> tuple[int, str]:
    proc = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    m = re.search(r"(\d+) passed", proc.stdout)
    return (int(m.group(1)) if m else 0), proc.stdout[-2000:] + proc.stderr[-2000:]


@pytest.mark.parametrize("case", sorted(SUITES))
def test_before_suite_passes_on_flask(case, tmp_path):
    work = shutil.copytree(FIXTURES / "cases" / case / "before", tmp_path / "before")
    passed, out = _passed(sys.executable, work)
    assert passed == SUITES[case], out


@pytest.mark.parametrize("label,python", interpreters())
@pytest.mark.parametrize("case", sorted(SUITES))
def test_after_suite_passes_on_quart(case, label, python, tmp_path):
    work = shutil.copytree(FIXTURES / "cases" / case / "after", tmp_path / "after")
    passed, out = _passed(python, work)
    assert passed == SUITES[case], out
