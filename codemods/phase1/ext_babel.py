"""F2Q136: Flask-Babel → quart-babel (a port of Flask-Babel 4 with the same names).

``from flask_babel import Babel, gettext, lazy_gettext as _l`` → ``from quart_babel import …``
(names: ``catalogue/extensions.py`` BABEL_NAMES, the exports both packages share). Calls stay as
they are: quart-babel's functions are synchronous like Flask-Babel's.

quart-babel calls ``locale_selector``/``timezone_selector`` synchronously, so a selector must
stay a sync function after phase 1: the swap needs each selector to be a project ``def`` or a
lambda that reads no awaitable request member (``request.form``, ``get_json()``, …), awaits
nothing and calls no project function (which could become async). Otherwise — and for
``import flask_babel`` or ``get_domain``/``get_translations`` — the project keeps Flask-Babel
for a person (F2Q171: it is not on the bridge).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis import extensions as AX
from flask2quart.analysis.index import ProjectIndex, Scope
from flask2quart.catalogue import Kind
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, rule

FLASK_MODULE = "flask_babel"
CODE = "F2Q136"


@dataclass
class _Plan:
    uses: list[AX.ExtensionUse] = field(default_factory=list)
    imports: dict[str, list[tuple[ast.ImportFrom, tuple[tuple[str, str], ...]]]] = \
        field(default_factory=dict)


def _build(index: ProjectIndex) -> _Plan:
    plan = _Plan()

    def use(module: str, node: ast.AST, qual: str, why: str = "") -> None:
        plan.uses.append(AX.ExtensionUse(module, getattr(node, "lineno", 0), qual, not why, why))

    importing = set()
    for imp in AX.extension_imports(index):
        if imp.flask_module != FLASK_MODULE:
            continue
        importing.add(imp.module)
        node = imp.node
        if not isinstance(node, ast.ImportFrom) or node.module != FLASK_MODULE:
            use(imp.module, node, FLASK_MODULE,
                "module import of flask_babel" if not isinstance(node, ast.ImportFrom)
                else f"import from {node.module}")
            continue
        names = []
        for a in node.names:
            qual = f"{node.module}.{a.name}"
            if a.name not in X.BABEL_NAMES:
                use(imp.module, node, qual, f"`{qual}` is not exported by quart_babel")
                continue
            use(imp.module, node, qual)
            names.append((a.name, a.name))
        plan.imports.setdefault(imp.module, []).append((node, tuple(names)))

    if not importing:
        return plan
    for module, info in index.modules.items():
        stack = [info.scope]
        while stack:
            scope = stack.pop()
            stack.extend(scope.children)
            for node in index.own_nodes(scope):
                if isinstance(node, ast.keyword) and node.arg in X.BABEL_SELECTORS:
                    why = _selector_problem(index, node.value, index.innermost_scope(scope, node))
                    use(module, node.value, f"{FLASK_MODULE}.Babel.{node.arg}",
                        f"`{node.arg}=`: {why}" if why else "")
    return plan


_plan = AX.per_index(_build)


def _selector_problem(index: ProjectIndex, expr: ast.expr, scope: Scope) -> str:
    """Why the selector could be (or become) a coroutine function ("" when it stays sync)."""
    if isinstance(expr, ast.Lambda):
        return _body_problem(index, expr.body, scope)
    if isinstance(expr, ast.Constant) and expr.value is None:
        return ""
    fn = index.function_for_qualname(index.qualify(expr, scope)) \
        if isinstance(expr, (ast.Name, ast.Attribute)) else None
    if fn is None:
        return "not a function of the project (cannot check it stays sync)"
    if not isinstance(fn.node, ast.FunctionDef):
        return "an async function (quart-babel calls the selector synchronously)"
    for stmt in fn.node.body:
        why = _body_problem(index, stmt, fn)
        if why:
            return why
    return ""


def _body_problem(index: ProjectIndex, tree: ast.AST, scope: Scope) -> str:
    request_members = C.AWAITABLE_MEMBERS[Kind.REQUEST]
    for node in ast.walk(tree):
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return "awaits (quart-babel calls the selector synchronously)"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) \
                and node is not tree:
            return "defines nested functions (cannot check they stay sync)"
        ev = index.innermost_scope(scope, node) if hasattr(node, "lineno") else scope
        if isinstance(node, ast.Attribute) and node.attr in request_members \
                and index.kind(node.value, ev) == Kind.REQUEST:
            return (f"reads `request.{node.attr}`, awaited in Quart (quart-babel calls the "
                    f"selector synchronously)")
        if isinstance(node, ast.Call):
            qual = index.qualify(node.func, ev)
            if index.function_for_qualname(qual) is not None:
                return f"calls project function `{qual}` (it could become async)"
            if C.canonical(qual) in C.AWAITABLE_FUNCTIONS:
                return f"calls `{qual}`, a coroutine in Quart"
    return ""


@AX.swap_analyser(FLASK_MODULE)
def analyse(index: ProjectIndex) -> list[AX.ExtensionUse]:
    return _plan(index).uses


@rule(
    CODE, "flask-babel-to-quart-babel", 1,
    "Swap Flask-Babel for quart-babel (same names; selectors that stay synchronous)",
    examples=(Example(
        "from flask_babel import Babel, gettext, lazy_gettext as _l\n",
        "from quart_babel import Babel, gettext, lazy_gettext as _l\n",
    ),),
)
class FlaskBabelSwap(Rule):
    """Moves the imports to quart_babel; nothing unless every use in the project can be
    swapped."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        if not AX.extension_imports(index) or not AX.swap_applies(index, FLASK_MODULE):
            return
        for node, names in _plan(index).imports.get(ctx.source.module, ()):
            yield E.RewriteImport(CODE, node.lineno,
                                  ctx.source.lines.col(node.lineno, node.col_offset),
                                  X.BABEL_MODULE, names)
