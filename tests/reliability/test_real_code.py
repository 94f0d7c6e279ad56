"""Real code: a sample of installed packages through every phase (the full set is
``benchmarks/reliability_scale.py``; figures in benchmarks/README.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.reliability_scale import check_package  # noqa: E402

SAMPLE = ["flask", "itsdangerous", "blinker"]


@pytest.mark.parametrize("name", SAMPLE)
def test_installed_package(name):
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} not installed")
    r = check_package(name)
    assert r["files"] > 0
    assert r["crashes"] == 0, r["crash"]
    assert r["compile_failures"] == [] and r["compile_rejected"] == [], r
    assert r["not_idempotent"] == [] and r["untouched_changed"] == [], r
    if name == "flask":  # Flask's own source uses Flask APIs: the rules did run
        assert r["changed"] > 0
