"""Markers are reported in line order (console, JSON, JUnit...), whichever rule left them."""

from __future__ import annotations

from flask2quart import engine
from tests.helpers import FIXTURES


def test_markers_are_listed_in_line_order():
    result = engine.run([FIXTURES / "apps" / "shelf"], 2)
    per_file = [[m.line for m in f.markers] for f in result.files if len(f.markers) > 1]
    codes = {m.code for f in result.files for m in f.markers}
    assert per_file and len(codes) > 1  # several rules, several markers in one file
    assert all(lines == sorted(lines) for lines in per_file), per_file
