"""F2Q312: a pytest fixture returning ``app.test_client()`` starts the app with ``app.test_app()``.

When phase 3 gives the app serving hooks (F2Q311: the Session clients are opened in
``before_serving``), a bare Quart ``app.test_client()`` never runs them (quart/testing/client.py
has no lifespan; ``QuartClient.__aenter__`` only preserves the context), so the client would be
``None``. ``app.test_app()`` runs startup/shutdown around the test (quart/testing/app.py).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase3.sessions import TEST_APP_CODE, app_gets_hooks
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.index import FuncNode
from flask2quart.catalogue import Kind
from flask2quart.rules import Example, marker, rule

NO_TEST_APP = marker(
    "F2Q389", "test-client-without-serving-hooks", 3,
    "app.test_client() outside the fixture shape F2Q312 ports, in a project whose app now opens its "
    "HTTP clients in before_serving",
    "Quart's bare test client does not run before_serving, so the client would be None: use "
    "`async with app.test_app() as test_app: client = test_app.test_client()`.",
)

TEMPLATE = "async with {app}.test_app() as test_app:\n    yield test_app.test_client()"


def _is_fixture(ctx: RuleContext, fn) -> bool:
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if ctx.index.qualify(target, ctx.module.scope) in C.PYTEST_FIXTURE_DECORATORS:
            return True
    return False


@rule(
    TEST_APP_CODE, "test-client-through-test-app", 3,
    "A pytest fixture returning app.test_client() runs the serving hooks (async with app.test_app())",
    examples=(Example(
        "@pytest.fixture\ndef client(app):\n    return app.test_client()\n",
        "@pytest.fixture\nasync def client(app):\n    async with app.test_app() as test_app:\n"
        "        yield test_app.test_client()\n"),),
)
class FixtureThroughTestApp(Rule):
    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        if not app_gets_hooks(ctx):
            return
        fixtures = [s for s in ctx.functions() if isinstance(s.node, FuncNode) and _is_fixture(ctx, s.node)]
        ported = set()
        for s in fixtures:
            body = [b for b in s.node.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
            if len(body) != 1:
                continue
            stmt = body[0]
            value = stmt.value.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Yield) \
                else stmt.value if isinstance(stmt, ast.Return) else None
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "test_client" and not value.args and not value.keywords
                    and ctx.index.kind(value.func.value, s) is Kind.APP):
                continue
            ported.add(id(value))
            yield E.ReplaceStatement(TEST_APP_CODE, stmt.lineno, TEMPLATE,
                                     (("app", ctx.span(value.func.value)),))
            if not isinstance(s.node, ast.AsyncFunctionDef):
                yield E.MakeAsync(TEST_APP_CODE, s.node.lineno, s.node.name)

        for s in ctx.functions():
            for node in ctx.index.own_nodes(s):
                if (isinstance(node, ast.Call) and id(node) not in ported and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "test_client"
                        and ctx.index.kind(node.func.value, ctx.eval_scope(s, node)) is Kind.APP):
                    yield E.Marker(NO_TEST_APP.code, node.lineno,
                                   "this test client does not run before_serving: the HTTP clients stay None")
