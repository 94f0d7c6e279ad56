"""flask2quart.apply.positions: LibCST's PositionProvider pass run directly.

The applier reads LibCST's positions without ``MetadataWrapper`` (which walks the tree once
more for batchable providers even when there are none) and takes the code printed by that
pass as the round-trip check. Both must stay exactly what LibCST's public API gives.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flask2quart import edits as E
from flask2quart.apply import ApplyError, apply_edits, positions

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "fixtures" / "apps").rglob("*.py"))[:40] + [
    ROOT / "flask2quart" / "apply.py", ROOT / "flask2quart" / "segments.py"]

ODD = [
    "x = 1",  # no final newline
    "if a:\r\n\tb = (1 +\r\n\t     2)  # c\r\n",  # CRLF, tabs
    "\ufeffdef f():\n    return [i async for i in g()]\n",  # BOM
    "@d\n# c\nclass C(B, metaclass=M):\n    def f(self, /, a, *, b=1) -> 'T': ...\n",
    "a = f'{x!r:>{w}}' \\\n    'y'\n",
]


@pytest.mark.parametrize("src", [p.read_text(encoding="utf-8") for p in SOURCES] + ODD,
                         ids=[p.name for p in SOURCES] + [f"odd{i}" for i in range(len(ODD))])
def test_same_positions_and_code_as_libcst(src):
    module = cst.parse_module(src)
    where, code = positions(module)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert code == module.code
    assert len(where) == len(expected) > 0
    assert all(where[node] == rng for node, rng in expected.items())


def test_source_mismatch_is_an_apply_error():
    module = cst.parse_module("x = 1\n")
    with pytest.raises(ApplyError, match="byte for byte"):
        apply_edits(module, [E.Marker("F2Q999", 1, "m")], source="x  = 1\n")
    assert "F2Q999" in apply_edits(module, [E.Marker("F2Q999", 1, "m")], source="x = 1\n").code
