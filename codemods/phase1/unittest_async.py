"""F2Q126: unittest ``TestCase`` classes whose tests became async → ``IsolatedAsyncioTestCase``.

A plain ``TestCase`` calls an ``async def test_*`` method, gets a coroutine and reports a pass
without running it (CPython only warns). ``unittest.IsolatedAsyncioTestCase`` (3.8+) awaits
async test methods and runs sync ``setUp``/``tearDown`` unchanged. A ``setUp``/``tearDown``
that needs ``await`` is renamed ``asyncSetUp``/``asyncTearDown`` (awaited after ``setUp`` /
before ``tearDown``, unittest/async_case.py); its ``super().setUp()`` call becomes ``await
super().asyncSetUp()`` when it is the first (``tearDown``: last) statement, since the base
``setUp`` is then run by the framework in the same order. Anything else: marker F2Q185.
"""

from __future__ import annotations

import ast
import re
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
_RENAMES = C.UNITTEST_ASYNC_HOOKS


def _name_span(ctx: RuleContext, fn: Scope) -> E.Span | None:
    """The span of the name in ``def name(`` (ast has no node for it)."""
    line = fn.node.lineno
    text = ctx.source.lines.line_text(line)
    m = re.search(r"\bdef\s+(" + re.escape(fn.name) + r")\b", text)
    if m is None:
        return None
    return E.Span(line, m.start(1), line, m.end(1))


def _super_hook_calls(ctx: RuleContext, fn: Scope, hook: str) -> list[ast.Call]:
    return [n for n in ctx.index.own_nodes(fn)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == hook
            and isinstance(n.func.value, ast.Call) and isinstance(n.func.value.func, ast.Name)
            and n.func.value.func.id == "super" and not n.func.value.args]


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
        classes_here = [s for s in ctx.scopes() if s.kind == "class"]
        if not classes_here:  # no class in this module: skip the project-wide class scan
            return
        async_classes = facts.memo("unittest.async_classes", lambda: _async_classes(facts))
        for scope in classes_here:
            if scope.qualname not in async_classes:
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
                    yield from self._rename_hook(ctx, child)

    def _rename_hook(self, ctx: RuleContext, fn: Scope) -> Iterable[E.Edit]:
        hook, new = fn.name, _RENAMES[fn.name]
        span = _name_span(ctx, fn)
        calls = _super_hook_calls(ctx, fn, hook)
        body = fn.node.body
        edge = body[0] if hook == "setUp" else body[-1]
        base_hook = ctx.index.method_for_call(calls[0].func, fn) if calls else None
        inherited = any(ctx.index.method(b, hook) is not None for b in ctx.index._bases(fn.enclosing_class()))
        ok = span is not None and (
            (len(calls) == 1 and isinstance(edge, ast.Expr) and edge.value is calls[0])
            or (not calls and not inherited))
        if not ok:
            yield E.Marker(ASYNC_SETUP.code, fn.node.lineno,
                           f"rename `{hook}` to `{new}` (IsolatedAsyncioTestCase awaits only "
                           f"`{new}`) and check the order of the `super()` calls")
            return
        yield E.Replace(self.info.code, span, new)
        if calls:
            call = calls[0]
            # base hook stays sync (run by the framework): await the base's async hook instead
            yield E.Replace(self.info.code, ctx.span(call.func), "{s}." + new,
                            (("s", ctx.span(call.func.value)),))
            if base_hook is None or not ctx.facts.is_async(base_hook):
                yield E.Await(self.info.code, ctx.span(call))


def _async_classes(facts) -> set[str]:
    """Qualified names of the project classes (and their project bases) that have a method
    that is async after migration."""
    index = facts.index
    out: set[str] = set()
    for cls in index.classes.values():
        if any(isinstance(c.node, FuncNode) and facts.is_async(c) for c in cls.children):
            out.update(c.qualname for c in index._class_chain(cls))
    return out
