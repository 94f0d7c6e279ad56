"""F2Q126: unittest ``TestCase`` classes whose tests became async → ``IsolatedAsyncioTestCase``.

A plain ``TestCase`` calls an ``async def test_*`` method, gets a coroutine and reports a pass
without running it (CPython only warns). ``unittest.IsolatedAsyncioTestCase`` (3.8+) awaits
async test methods and runs sync ``setUp``/``tearDown`` unchanged; an async ``setUp`` must be
named ``asyncSetUp`` (marker F2Q185).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.index import FuncNode, Scope
from flask2quart.rules import Example, marker, rule

ASYNC_SETUP = marker(
    "F2Q185", "unittest-async-setup", 1,
    "A unittest `setUp`/`tearDown` became async",
    "IsolatedAsyncioTestCase only awaits `asyncSetUp`/`asyncTearDown`: rename the method.",
)
_RENAMES = {"setUp": "asyncSetUp", "tearDown": "asyncTearDown"}


def _subclasses_chain(index, cls: Scope, _depth: int = 0) -> list[Scope]:
    return index._class_chain(cls)


@rule(
    "F2Q126", "unittest-isolated-asyncio", 1,
    "unittest TestCase suites with async tests (or async helpers) → IsolatedAsyncioTestCase",
    examples=(Example(
        "class T(unittest.TestCase):\n    def test_x(self):\n        self.client.get('/')\n",
        "class T(unittest.IsolatedAsyncioTestCase):\n    async def test_x(self):\n        await self.client.get('/')\n",
    ),),
)
class UnittestAsync(Rule):
    """Rewrites the ``unittest.TestCase`` base of every project class one of whose subclasses
    (or itself) has an async method after migration."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index, facts = ctx.index, ctx.facts
        async_classes: set[str] = set()
        for cls in index.classes.values():
            if any(isinstance(c.node, FuncNode) and facts.is_async(c) for c in cls.children):
                async_classes.update(c.qualname for c in index._class_chain(cls))
        for scope in ctx.scopes():
            if scope.kind != "class" or scope.qualname not in async_classes:
                continue
            node = scope.node
            for base in node.bases:
                if index.qualify(base, scope.parent or scope) != C.UNITTEST_TESTCASE:
                    continue
                mod, name = C.UNITTEST_ASYNC_TESTCASE.rsplit(".", 1)
                if isinstance(base, ast.Attribute):
                    src = ast.get_source_segment(ctx.source.text, base.value) or mod
                    yield E.Replace(self.info.code, ctx.span(base), f"{src}.{name}")
                else:
                    yield E.Replace(self.info.code, ctx.span(base), name)
                    yield E.AddImport(self.info.code, mod, name)
            for child in scope.children:
                if child.name in _RENAMES and facts.is_async(child) and not child.is_async:
                    yield E.Marker(ASYNC_SETUP.code, child.node.lineno,
                                   f"rename `{child.name}` to `{_RENAMES[child.name]}`")
