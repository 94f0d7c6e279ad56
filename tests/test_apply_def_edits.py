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


def test_edits_on_decorators_of_nested_defs_are_placed():
    """A def's position starts at ``def``, after its decorators: the applier still walks
    them (it skips subtrees without edits by position)."""
    src = ("def outer(app):\n    x = 1\n\n    @app.cli.command('seed')\n"
           "    @other\n    def seed():\n        pass\n")
    span = E.Span(4, 5, 4, 28)
    got = _run(src, E.AddKeyword("T", span, "with_appcontext", "True"))
    assert "@app.cli.command('seed', with_appcontext=True)" in got
    got = _run("class A:\n    @deco(1)\n    class B:\n        pass\n",
               E.Replace("T", E.Span(2, 5, 2, 12), "deco(2)"))
    assert "@deco(2)" in got
