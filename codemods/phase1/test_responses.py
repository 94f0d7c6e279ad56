"""F2Q121, F2Q122, F2Q124, F2Q127, F2Q128: test responses, view exceptions and the CLI runner
in ported test suites; F2Q133: the suite's client becomes ``flask2quart.testing``'s when tests
read Flask-only client members; markers F2Q181, F2Q186 where that cannot be proven.

Facts: ``catalogue`` section 6 (quart/wrappers/response.py:320-373 ``get_data``/``get_json``,
asgi.py:394 traceback 500 under TESTING, app.py:1070 ``got_request_exception``, cli.py:305
``asyncio.run`` in ``with_appcontext``, testing/client.py:131 only the request context is
preserved). The ``await`` of a rewritten expression is added by F2Q102 from the await sites
this module provides, so precedence and "must stay sync" markers are handled in one place.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext, await_site_provider
from codemods.phase1.test_client import _Call
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.facts import AwaitSite, ProjectFacts
from flask2quart.analysis.index import Scope
from flask2quart.catalogue import Kind
from flask2quart.rules import Example, marker, rule

TEXT_CODE = "F2Q121"

NO_RESPONSE_EQUIVALENT = marker(
    "F2Q181", "test-response-attribute-without-equivalent", 1,
    "A Flask test-response attribute with no Quart equivalent (`request`, `is_streamed`, "
    "`history`) where the tool could not give the suite `flask2quart.testing` (F2Q133)",
    "Quart's client returns a plain Response built after the body was read. Create the "
    "client with `flask2quart.testing.test_client(app)` (it has `request`, `history`, "
    "`is_streamed` as in Flask), or assert on the response (status, `location`, body).",
)
PRESERVED_G = marker(
    "F2Q186", "g-after-request-in-with-client", 1,
    "`g` read after a request inside `async with client:` where the tool could not give the "
    "suite `flask2quart.testing` (F2Q133)",
    "Quart preserves the request context of the last request, not its app context: `g` is "
    "not available there. Create the client with `flask2quart.testing.test_client(app)` "
    "(it keeps the request's app context as Flask does), or assert on `session`/the response.",
)
SHIM_CODE = "F2Q133"
_SHIM_HINT = "; create the client with `flask2quart.testing.test_client(app)` to keep it"


def _is_text(index, scope: Scope, node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
            and node.attr == C.TEST_RESPONSE_TEXT[0]
            and index.kind(node.value, index.innermost_scope(scope, node)) is Kind.TEST_RESPONSE)


@await_site_provider(1)
def text_sites(facts: ProjectFacts, scope: Scope) -> Iterable[AwaitSite]:
    """``rv.text`` becomes ``await rv.get_data(as_text=True)``: an await site."""
    index = facts.index
    for node in index.own_nodes(scope):
        if _is_text(index, scope, node):
            yield AwaitSite(node, "test_response.text", TEXT_CODE)


@rule(
    TEXT_CODE, "test-response-text", 1,
    "`rv.text` on a test response → `await rv.get_data(as_text=True)`",
    examples=(Example(
        "def test_x(client):\n    assert client.get('/').text == 'ok'\n",
        "async def test_x(client):\n    assert await (await client.get('/')).get_data(as_text=True) == 'ok'\n",
    ),),
)
class TestResponseText(Rule):
    """Quart's Response has no ``text`` property; ``get_data(as_text=True)`` is a coroutine."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        _, method, arg = C.TEST_RESPONSE_TEXT
        for scope in ctx.functions():
            if not ctx.facts.is_async(scope):
                continue  # F2Q191 marks it
            for node in ctx.index.own_nodes(scope):
                if _is_text(ctx.index, scope, node):
                    # a call value is awaited by F2Q102 inside the template: keep its parentheses
                    v = "({v})" if isinstance(node.value, (ast.Call, ast.Await)) else "{v}"
                    yield E.Replace(self.info.code, ctx.span(node), v + "." + method + "(" + arg + ")",
                                    (("v", ctx.span(node.value)),))


@rule(
    "F2Q122", "test-response-get-json-silent", 1,
    "`rv.get_json(silent=...)` on a test response: Quart's `silent` is inverted",
    examples=(Example(
        "def test_x(client):\n    assert client.get('/').get_json(silent=True) is None\n",
        "async def test_x(client):\n    assert await (await client.get('/')).get_json() is None\n",
    ),),
)
class TestResponseSilent(Rule):
    """Flask: ``silent=True`` returns None on bad JSON, the default raises. Quart
    (wrappers/response.py:371): ``silent=True`` raises, the default returns None."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        for scope in ctx.functions():
            for node in ctx.index.own_nodes(scope):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "get_json"
                        and ctx.index.kind(node.func.value, ctx.eval_scope(scope, node))
                        is Kind.TEST_RESPONSE):
                    continue
                silent = [kw for kw in node.keywords if kw.arg == C.TEST_RESPONSE_SILENT]
                if ctx.is_awaited(node):
                    continue  # already Quart code (Flask's get_json is never awaited)
                if not silent or any(kw.arg is None for kw in node.keywords):
                    continue
                b = _Call(ctx, node)
                for a in node.args:
                    b.parts.append(b.sub(a))
                for kw in node.keywords:
                    if kw is not silent[0]:
                        b.parts.append(f"{kw.arg}=" + b.sub(kw.value))
                        continue
                    v = kw.value
                    if isinstance(v, ast.Constant) and v.value in (True, False):
                        if v.value is False:
                            b.parts.append("silent=True")
                        # silent=True → Quart's default (None on bad JSON)
                    else:
                        b.parts.append("silent=not (" + b.sub(v) + ")")
                yield b.replace(self.info.code)


@rule(
    "F2Q124", "test-response-close", 1,
    "`rv.close()` on a test response is dropped (Quart's test response holds its body in "
    "memory and has no `close`)",
    examples=(Example(
        "def test_x(client):\n    rv = client.get('/f')\n    rv.close()\n",
        "async def test_x(client):\n    rv = await client.get('/f')\n",
    ),),
)
class TestResponseClose(Rule):
    """A bare ``rv.close()`` statement is removed (``pass`` when alone in its block); any other
    use, and the attributes of ``TEST_RESPONSE_NO_EQUIVALENT``, get marker F2Q181; ``g`` read
    inside ``with client:`` gets marker F2Q186 (Quart preserves the request context only,
    testing/client.py:131)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        shim = test_shim(ctx.index).applies
        if not shim:
            yield from self._preserved_g(ctx)
        for scope in ctx.functions():
            for node in ctx.index.own_nodes(scope):
                if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)):
                    continue
                ev = ctx.eval_scope(scope, node)
                attr = node.attr
                if attr not in C.TEST_RESPONSE_NO_EQUIVALENT and attr != C.TEST_RESPONSE_CLOSE:
                    continue
                if ctx.index.kind(node.value, ev) is not Kind.TEST_RESPONSE:
                    continue
                call = ctx.parent(node)
                if attr == C.TEST_RESPONSE_CLOSE:
                    stmt = ctx.parent(call) if isinstance(call, ast.Call) else None
                    if isinstance(stmt, ast.Expr) and not call.args and not call.keywords \
                            and stmt.lineno == stmt.end_lineno:
                        block = next((getattr(p, f) for p in [ctx.parent(stmt)]
                                      for f in ("body", "orelse", "finalbody")
                                      if stmt in getattr(p, f, ())), [stmt])
                        # an empty template removes the statement; alone in its block: `pass`
                        yield E.ReplaceStatement(self.info.code, stmt.lineno,
                                                 "" if len(block) > 1 else "pass")
                    else:
                        yield E.Marker(NO_RESPONSE_EQUIVALENT.code, node.lineno,
                                       "Quart's test response has no `close()`")
                    continue
                if not shim:  # F2Q133 gives the client Flask's members
                    yield E.Marker(NO_RESPONSE_EQUIVALENT.code, node.lineno,
                                   f"`.{attr}`: {C.TEST_RESPONSE_NO_EQUIVALENT[attr]}"
                                   + _SHIM_HINT)

    @staticmethod
    def _preserved_g(ctx: RuleContext) -> Iterable[E.Edit]:
        seen: set[int] = set()
        for scope in ctx.functions():
            for sub in _preserved_g_reads(ctx.index, scope):
                if sub.lineno not in seen:
                    seen.add(sub.lineno)
                    yield E.Marker(PRESERVED_G.code, sub.lineno,
                                   "`g` is not preserved after a request in Quart" + _SHIM_HINT)


def _preserved_g_reads(index, scope: Scope) -> Iterable[ast.AST]:
    """``g`` read inside ``with client:`` (a test client) in the body of ``scope``."""
    for node in index.own_nodes(scope):
        if not isinstance(node, ast.With) or not any(
                index.kind(i.context_expr, scope) is Kind.TEST_CLIENT for i in node.items):
            continue
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if (isinstance(sub, (ast.Name, ast.Attribute)) and isinstance(sub.ctx, ast.Load)
                        and index.canonical(sub, scope) in C.TEST_PRESERVED_APP_GLOBALS):
                    yield sub


class TestShim:
    """Does the project's suite get ``flask2quart.testing`` (F2Q133), and where.

    ``applies``: some test reads a Flask-only test-client member (``C.TEST_RESPONSE_NO_EQUIVALENT``
    on a test response, ``g`` inside ``with client:``) and every test client of the project is
    made by ``<app>.test_client()`` with at most ``use_cookies`` (the only origin of the kind
    ``TEST_CLIENT``, ``C.TEST_FACTORY_KINDS``), and the project never touches
    ``app.test_client_class`` (``C.TEST_CLIENT_CLASS_ATTR``). ``calls``: the factory calls.
    """

    def __init__(self, index):
        self.calls: list[tuple[object, ast.Call]] = []   # (ModuleInfo, call)
        needed = blocked = False
        for scope in index.iter_scopes():
            for node in index.own_nodes(scope):
                if not isinstance(node, (ast.Attribute, ast.Call)):
                    continue  # only attributes and calls are looked at below
                ev = index.innermost_scope(scope, node)
                if isinstance(node, ast.Attribute):
                    if node.attr == C.TEST_CLIENT_CLASS_ATTR and \
                            index.kind(node.value, ev) is Kind.APP:
                        blocked = True
                    elif node.attr in C.TEST_RESPONSE_NO_EQUIVALENT and \
                            isinstance(node.ctx, ast.Load) and \
                            index.kind(node.value, ev) is Kind.TEST_RESPONSE:
                        needed = True
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                        C.TEST_FACTORY_KINDS.get(node.func.attr) is Kind.TEST_CLIENT and \
                        index.kind(node.func.value, ev) is Kind.APP:
                    if _shim_args(node) is None:
                        blocked = True
                    else:
                        self.calls.append((index.module_of(scope), node))
            if not needed and any(True for _ in _preserved_g_reads(index, scope)):
                needed = True
        self.applies = needed and not blocked and bool(self.calls)


def _shim_args(call: ast.Call) -> list[ast.expr] | None:
    """The ``use_cookies`` argument of ``app.test_client(...)`` ([] or [expr]), None if the
    call passes anything else (Flask forwards extra arguments to its client class)."""
    if len(call.args) + len(call.keywords) > 1 or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if call.keywords:
        kw = call.keywords[0]
        return [kw.value] if kw.arg == C.TEST_CLIENT_SHIM[2] else None
    return list(call.args)


def test_shim(index) -> TestShim:
    """The project's :class:`TestShim`, computed once per index."""
    plan = getattr(index, "_f2q_test_shim", None)
    if plan is None:
        plan = TestShim(index)
        index._f2q_test_shim = plan
    return plan


test_shim.__test__ = False  # not a pytest test (this module is imported by tests)
TestShim.__test__ = False


@rule(
    SHIM_CODE, "test-client-flask-like", 1,
    "The suite reads Flask-only test-client members (`rv.request`, `rv.history`, "
    "`rv.is_streamed`, `g` inside `with client:`): `app.test_client()` → "
    "`flask2quart.testing.test_client(app)`",
    examples=(Example(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "def test_x():\n    client = app.test_client()\n"
        "    assert client.get('/a', follow_redirects=True).request.path == '/b'\n",
        "from quart import Quart\nimport flask2quart.testing\n\napp = Quart(__name__)\n\n\n"
        "async def test_x():\n    client = flask2quart.testing.test_client(app)\n"
        "    assert (await client.get('/a', follow_redirects=True)).request.path == '/b'\n",
    ),),
)
class TestClientFlaskLike(Rule):
    """Every ``app.test_client()`` of the project becomes ``flask2quart.testing.test_client(app)``
    when :class:`TestShim` applies: the shim's client (a ``QuartClient``) adds ``request``,
    ``history``, ``is_streamed`` to its responses and keeps the request's app context (``g``)
    inside ``async with client:``; ``flask2quart`` is added to the test requirements."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        plan = test_shim(ctx.index)
        if not plan.applies:
            return
        module, func = C.TEST_CLIENT_SHIM[:2]
        for info, call in plan.calls:
            if info is not ctx.module:
                continue
            args = _shim_args(call)
            subs = [("app", ctx.span(call.func.value))]
            template = f"{module}.{func}({{app}})"
            if args:
                subs.append(("cookies", ctx.span(args[0])))
                template = f"{module}.{func}({{app}}, {C.TEST_CLIENT_SHIM[2]}={{cookies}})"
            yield E.Replace(self.info.code, ctx.span(call), template, tuple(subs))
            yield E.AddImport(self.info.code, module)


def _raises_with(ctx: RuleContext, scope: Scope, node: ast.AST) -> bool:
    return isinstance(node, ast.With) and any(
        isinstance(item.context_expr, ast.Call)
        and ctx.index.qualify(item.context_expr.func, scope) in C.PYTEST_RAISES
        for item in node.items)


@rule(
    "F2Q127", "pytest-raises-view-exception", 1,
    "A request inside `pytest.raises(...)`: re-raise the view's exception from "
    "`got_request_exception` (Quart answers 500 under TESTING)",
    examples=(Example(
        "def test_x(client):\n    with pytest.raises(KeyError):\n        client.get('/boom')\n",
        "async def test_x(client):\n    with pytest.raises(KeyError):\n        view_errors = []\n"
        "        with got_request_exception.connected_to(lambda _app, exception, **_: "
        "view_errors.append(exception)):\n            await client.get('/boom')\n"
        "        if view_errors:\n            raise view_errors[0]\n",
    ),),
)
class PytestRaisesViewException(Rule):
    """Flask's client re-raises an unhandled view exception when ``TESTING`` is set, so
    ``pytest.raises(KeyError)`` around a request passes; Quart's ASGI layer turns it into a
    traceback 500. The ported test listens to ``got_request_exception`` (sent before that
    500) and raises the recorded exception after the request: the assertion is the same."""

    TEMPLATE = (
        "view_errors = []\n"
        "with {sig}.connected_to(lambda _app, exception, **_: view_errors.append(exception)):\n"
        "    {stmt}\n"
        "if view_errors:\n"
        "    raise view_errors[0]\n"
    )

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        mod, name = C.GOT_REQUEST_EXCEPTION
        for scope in ctx.functions():
            if not ctx.facts.is_async(scope):
                continue
            for node in ctx.index.own_nodes(scope):
                if not _raises_with(ctx, scope, node):
                    continue
                for stmt in node.body:
                    value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
                    if isinstance(value, ast.Await):
                        value = value.value
                    if not isinstance(value, ast.Call) or \
                            ctx.index.kind(value, scope) is not Kind.TEST_RESPONSE:
                        continue
                    subs = [("call", ctx.span(stmt.value))]
                    if isinstance(stmt, ast.Assign):
                        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                            continue
                        line = stmt.targets[0].id + " = {call}"
                    else:
                        line = "{call}"
                    tmpl = self.TEMPLATE.replace("{sig}", name).replace("{stmt}", line)
                    yield E.ReplaceStatement(self.info.code, stmt.lineno, tmpl, tuple(subs))
                    yield E.AddImport(self.info.code, mod, name)


@rule(
    "F2Q128", "cli-runner-in-thread", 1,
    "`runner.invoke(...)` in a test that became async → `await asyncio.to_thread(runner.invoke, ...)`",
    examples=(Example(
        "def test_x(app, runner):\n    with app.app_context():\n        runner.invoke(args=['init-db'])\n",
        "async def test_x(app, runner):\n    async with app.app_context():\n"
        "        await asyncio.to_thread(runner.invoke, args=['init-db'])\n",
    ),),
)
class CliRunnerInThread(Rule):
    """Quart commands that push an app context call ``asyncio.run`` (cli.py:305), which
    fails inside the test's event loop; in a worker thread it works, and ``to_thread``
    copies the context (an app context the test pushed stays visible)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        mod, fn = C.CLI_RUNNER_THREAD
        for scope in ctx.functions():
            if not ctx.facts.is_async(scope):
                continue
            for node in ctx.index.own_nodes(scope):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in C.CLI_RUNNER_SYNC_METHODS
                        and ctx.index.kind(node.func.value, ctx.eval_scope(scope, node))
                        is Kind.CLI_RUNNER):
                    continue
                if ctx.is_awaited(node) or ctx.eval_scope(scope, node) is not scope:
                    continue
                b = _Call(ctx, node)
                parts = [b.sub(node.func)]
                for a in node.args:
                    parts.append(("*" if isinstance(a, ast.Starred) else "") +
                                 b.sub(a.value if isinstance(a, ast.Starred) else a))
                for kw in node.keywords:
                    parts.append((f"{kw.arg}=" if kw.arg else "**") + b.sub(kw.value))
                yield E.Replace(self.info.code, ctx.span(node),
                                f"{mod}.{fn}(" + ", ".join(parts) + ")", tuple(b.subs))
                yield E.Await(self.info.code, ctx.span(node))
                yield E.AddImport(self.info.code, mod)
