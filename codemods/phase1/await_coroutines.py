"""F2Q102: await every Quart coroutine and awaitable property.

Facts: ``catalogue.AWAITABLE_FUNCTIONS`` / ``AWAITABLE_MEMBERS`` (quart/templating.py:48,
quart/helpers.py:69-304, quart/wrappers/request.py:251-368, response.py:320-479,
datastructures.py:26). Precedence: ``request.form['x']`` → ``(await request.form)['x']``
(pallets/quart#61). Calls to project functions that become async are awaited too
(F2Q104), as are the views a decorator wrapper calls.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext, await_site_provider, is_generator
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.facts import AwaitSite, ProjectFacts
from flask2quart.analysis.index import Scope
from flask2quart.catalogue import Kind
from flask2quart.rules import Example, RuleInfo, marker, register, rule

AWAIT_CODE = "F2Q102"
PROJECT_CALL_CODE = "F2Q104"

register(RuleInfo(
    PROJECT_CALL_CODE, "await-project-async-calls", 1,
    "Await calls to project functions (and wrapped views) that became async, in every module",
    True,
    "Async-ness propagates through the whole project: once a helper becomes `async def`, every "
    "call site that the analysis can resolve (imports, re-exports, `self.method`) is awaited.",
    (Example("def view():\n    data = helpers.load()\n", "async def view():\n    data = await helpers.load()\n"),),
))

NO_AWAIT_HERE = marker(
    "F2Q191", "await-in-sync-code", 1,
    "A Quart coroutine is used where the code must stay sync (CLI command, thread, sync hook, lambda, module level)",
    "The tool cannot add `await` here without breaking the caller. Move the call into an async "
    "function (a view or an async hook) or run it with `asyncio.run` from a true sync entry point.",
)
MAYBE_ASYNC_METHOD = marker(
    "F2Q195", "unresolved-call-to-async-name", 1,
    "A call the tool cannot resolve has the name of a project function that became async",
    "If the call reaches that function it returns a coroutine now: add `await` (and make the "
    "caller async) by hand.",
)


_MEMBER_NAMES: frozenset[str] | None = None


def _member_names() -> frozenset[str]:
    """Every member name of ``C.AWAITABLE_MEMBERS``, over all kinds."""
    global _MEMBER_NAMES
    if _MEMBER_NAMES is None:
        _MEMBER_NAMES = frozenset(n for members in C.AWAITABLE_MEMBERS.values() for n in members)
    return _MEMBER_NAMES


@await_site_provider(1)
def direct_sites(facts: ProjectFacts, scope: Scope) -> Iterable[AwaitSite]:
    """Expressions in ``scope`` that need ``await`` because of the catalogue."""
    index = facts.index
    for node in index.own_nodes(scope):
        if isinstance(node, ast.Call):
            ev = index.innermost_scope(scope, node)
            canon = index.canonical(node.func, ev)
            if canon in C.AWAITABLE_FUNCTIONS:
                yield AwaitSite(node, canon.split(".", 1)[1], AWAIT_CODE)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.attr not in _member_names():
                continue  # no kind has an awaitable member of this name: skip resolving it
            ev = index.innermost_scope(scope, node)
            kind = index.kind(node.value, ev)
            if kind is None:
                continue
            fact = C.AWAITABLE_MEMBERS.get(kind, {}).get(node.attr)
            if fact is None or node.attr in C.OPEN_RESOURCE_METHODS:
                continue
            if fact.is_property:
                yield AwaitSite(node, f"{kind.value}.{node.attr}", AWAIT_CODE)
            else:
                parent = index.parent(scope, node)
                if isinstance(parent, ast.Call) and parent.func is node:
                    yield AwaitSite(parent, f"{kind.value}.{node.attr}()", AWAIT_CODE)
        elif isinstance(node, ast.With):
            for item in node.items:
                expr = item.context_expr
                if index.kind(expr, index.innermost_scope(scope, node)) is Kind.TEST_CLIENT:
                    yield AwaitSite(node, "with test_client", "F2Q105")
                    continue
                if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
                    ev = index.innermost_scope(scope, node)
                    kind = index.kind(expr.func.value, ev)
                    if expr.func.attr in C.ASYNC_CONTEXT_METHODS.get(kind, ()):
                        yield AwaitSite(node, f"with {kind.value}.{expr.func.attr}()", "F2Q105")


@rule(
    AWAIT_CODE, "await-quart-coroutines", 1,
    "Await Quart coroutines and awaitable properties (request.form, render_template, …)",
    examples=(
        Example(
            "from flask import request, render_template\n\n"
            "@app.route('/')\ndef index():\n    name = request.form['name']\n"
            "    return render_template('i.html', name=name)\n",
            "from quart import request, render_template\n\n"
            "@app.route('/')\nasync def index():\n    name = (await request.form)['name']\n"
            "    return await render_template('i.html', name=name)\n",
        ),
    ),
)
class AwaitCoroutines(Rule):
    """Wraps each awaitable Quart API use in ``await``, with parentheses where a
    primary follows (``(await request.form)['x']``). Also awaits calls to project
    functions that became async and, in view-decorator wrappers, the wrapped view."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        facts, index = ctx.facts, ctx.index
        wrapper_params = facts.memo("await.wrapper_params", lambda: {
            w: fname for (w, fname) in facts.decorator_wrappers.values()})
        # methods only: module functions are reached by name, not through unknown objects
        async_names = facts.memo("await.async_method_names", lambda: {
            s.name for s in facts.async_funcs
            if not s.is_async and s.enclosing_class() is not None
            and s.name not in C.VIEW_METHODS})
        for scope in [ctx.module.scope, *ctx.functions()]:
            is_async = facts.is_async(scope)
            sites = list(facts.direct_sites.get(scope, ())) if scope.kind == "function" else \
                list(direct_sites(facts, scope))
            for call, callee, _ev in facts.calls.get(scope, ()):
                if callee in facts.async_funcs and not callee.is_async and not is_generator(callee.node):
                    sites.append(AwaitSite(call, f"call to {callee.qualname}", PROJECT_CALL_CODE))
            if scope in wrapper_params:
                fname = wrapper_params[scope]
                for node in index.own_nodes(scope):
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                            and node.func.id == fname
                            and (index.lookup(fname, scope) or (scope,))[0] is not scope):
                        sites.append(AwaitSite(node, "the wrapped view", PROJECT_CALL_CODE))
            for site in sites:
                if site.code == "F2Q105":
                    continue  # `with` statements: app_context rule
                if ctx.is_awaited(site.node):
                    continue
                ev = ctx.eval_scope(scope, site.node)
                if not is_async or ev is not scope and isinstance(ev.node, (ast.Lambda, ast.GeneratorExp)):
                    yield E.Marker(NO_AWAIT_HERE.code, site.node.lineno,
                                   f"needs `await` ({site.reason}) but this code must stay sync")
                    continue
                guard = _json_guard(ctx, site.node, ev)
                if guard is not None:
                    yield from guard
                    continue
                yield E.Await(site.code, ctx.span(site.node))
            # calls we cannot resolve that carry the name of an async project function
            if async_names:
                resolved = {id(c) for c, _, _ in facts.calls.get(scope, ())}
                for node in index.own_nodes(scope) if scope.kind == "function" else ():
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                            and node.func.attr in async_names and id(node) not in resolved
                            and not ctx.is_awaited(node)
                            and index.qualify(node.func, ctx.eval_scope(scope, node)) is None
                            and not _external_super(node)):
                        yield E.Marker(MAYBE_ASYNC_METHOD.code, node.lineno,
                                       f"`.{node.func.attr}()` may be a project function that is async now")


def _external_super(call: ast.Call) -> bool:
    """``super().m()`` left unresolved: the index resolves ``super()`` through the project's
    base classes, so the method lives outside the project (``unittest.TestCase.setUp``)."""
    v = call.func.value
    return (isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "super"
            and not v.args)


JSON_CODE = "F2Q111"
register(RuleInfo(
    JSON_CODE, "json-415-kept", 1,
    "request.json / get_json() keep Flask's 415 answer for a non-JSON Content-Type",
    True,
    "Flask answers 415 Unsupported Media Type when a view reads `request.json` (or calls "
    "`get_json()` without force/silent) and the body is not JSON; Quart returns None instead "
    "(quart/wrappers/request.py:374). The await is guarded so the migrated app answers the same.",
    (Example("data = request.json\n",
             "data = (await request.json if request.is_json else quart.abort(415, \"...\"))\n"),),
))

_BARE_PARENTS = (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr, ast.keyword, ast.NamedExpr)


def _json_guard(ctx: RuleContext, node: ast.expr, scope: Scope):
    """Edits that await a strict JSON read and keep Flask's 415, or None if not one."""
    if isinstance(node, ast.Attribute):
        attr, call = node, None
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        attr, call = node.func, node
    else:
        return None
    if attr.attr not in C.JSON_STRICT_MEMBERS or ctx.index.kind(attr.value, scope) is not C.Kind.REQUEST:
        return None
    if (call is None) != (attr.attr == "json"):
        return None
    if call is not None:
        if call.args:
            return None
        for kw in call.keywords:
            if kw.arg not in ("force", "silent", "cache"):
                return None
            if kw.arg in ("force", "silent") and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False):
                return None  # force/silent (or unknown): Quart and Flask agree already
    b = ctx.module.scope.bindings.get(C.ABORT_MODULE)
    if b is not None and not (b.kind == "import" and b.target == C.ABORT_MODULE):
        return None
    parent = ctx.parent(node)
    bare = isinstance(parent, _BARE_PARENTS) or (isinstance(parent, ast.Call) and node in parent.args)
    inner = "await {expr} if {r}.is_json else " + C.ABORT + "(415, " + repr(C.JSON_415_DESCRIPTION) + ")"
    template = inner if bare else "(" + inner + ")"
    return [
        E.Replace(JSON_CODE, ctx.span(node), template,
                  (("expr", ctx.span(node)), ("r", ctx.span(attr.value)))),
        E.AddImport(JSON_CODE, C.ABORT_MODULE),
    ]
