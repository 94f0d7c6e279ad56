"""What ``flask2quart explain F2Q20x`` shows is what phase 2 does."""

from __future__ import annotations

import pytest

from flask2quart.rules import load_all
from tests.helpers import migrate_tree

CODES = [c for c, info in load_all().items() if info.phase == 2 and info.examples]


def test_every_phase2_rule_has_an_example():
    assert set(CODES) == {"F2Q201", "F2Q202", "F2Q203"}


@pytest.mark.parametrize("code", CODES)
def test_phase2_rule_examples_are_true(code, tmp_path):
    for i, ex in enumerate(load_all()[code].examples):
        out = migrate_tree(tmp_path / str(i), {"m.py": ex.before}, phase=2)
        assert out["m.py"] == ex.after
