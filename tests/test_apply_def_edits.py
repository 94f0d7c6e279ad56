"""The def-signature edits of flask2quart.edits (RemoveParam, PrependStatement) on their own."""

from __future__ import annotations

import libcst as cst
import pytest

from flask2quart import edits as E
from flask2quart.apply import ApplyError, apply_edits


def _run(src: str, *script: E.Edit) -> str:
    return apply_edits(cst.parse_module(src), script).code


@pytest.mark.parametrize("before,after", [
    ("def h(ws):\n    pass\n", "def h():\n    pass\n"),
    ("def h(ws, room):\n    pass\n", "def h(room):\n    pass\n"),
    ("def h(a, ws):\n    pass\n", "def h(a):\n    pass\n"),
    ("def h(ws, /, room):\n    pass\n", "def h(room):\n    pass\n"),
])
def test_remove_param(before, after):
    got = _run(before, E.RemoveParam("T", 1, "h", "ws"))
    assert got == after
    compile(got, "<t>", "exec")


@pytest.mark.parametrize("src", ["def h(x):\n    pass\n", "def h(*, ws):\n    pass\n"])
def test_remove_param_missing_is_an_error(src):
    with pytest.raises(ApplyError):
        _run(src, E.RemoveParam("T", 1, "h", "ws"))


def test_prepend_statement_after_docstring_and_idempotent():
    src = 'def h():\n    """doc"""\n    # keep\n    x = 1\n'
    once = _run(src, E.PrependStatement("T", 1, "h", "await y()"))
    assert once == 'def h():\n    """doc"""\n    # keep\n    await y()\n    x = 1\n'
    assert _run(once, E.PrependStatement("T", 1, "h", "await y()")) == once


def test_prepend_statement_only_touches_the_named_def():
    src = "def g():\n    pass\ndef h():\n    pass\n"
    assert _run(src, E.PrependStatement("T", 3, "h", "a = 1")) == \
        "def g():\n    pass\ndef h():\n    a = 1\n    pass\n"
