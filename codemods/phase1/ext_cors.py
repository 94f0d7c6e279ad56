"""F2Q132: Flask-CORS → quart-cors, where quart-cors answers like Flask-CORS.

``CORS(x, origins=…, supports_credentials=…)`` → ``x = cors(x, allow_origin=…,
allow_credentials=…)``; ``@cross_origin(…)`` → ``@route_cors(…)``. Keyword map and defaults:
``catalogue/extensions.py`` (CORS_*), read from flask_cors 6.0.2 and quart_cors 0.8.0.

quart-cors cannot reproduce two Flask-CORS 6 defaults: ``always_send`` (CORS headers on requests
without an Origin header) and "no Access-Control-Expose-Headers unless configured" (quart-cors
sends an empty one). So a call is swapped only when it passes ``always_send=False`` and a
non-empty ``expose_headers``; regex or wildcard origins (quart-cors 0.8.0 sends ``*`` where Flask-CORS 6 echoes), options
without a counterpart, ``CORS()`` + ``init_app`` and names that would clash keep the whole
project on Flask-CORS through flask2quart.bridge (F2Q170 says why). Each swapped call gets F2Q172
for the Vary difference that remains.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.analysis import extensions as AX
from flask2quart.analysis.index import ProjectIndex
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, marker, rule

FLASK_MODULE = "flask_cors"
CODE = "F2Q132"

CORS_DIFFERENCE = marker(
    "F2Q172", "cors-swap-difference", 1,
    "A swapped quart-cors call answers with an extra Vary: Origin header",
    "quart-cors adds `Vary: Origin` to every response it handles; Flask-CORS only when the "
    "allowed origin varies. It only affects caches; check a CDN configuration if you have one.",
)


@dataclass
class _Plan:
    uses: list[AX.ExtensionUse] = field(default_factory=list)
    imports: dict[str, list[tuple[ast.ImportFrom, tuple[tuple[str, str], ...]]]] = \
        field(default_factory=dict)
    statements: dict[str, list[tuple[ast.Call, str]]] = field(default_factory=dict)  # CORS(x)
    decorators: dict[str, list[tuple[ast.Call, str, int]]] = field(default_factory=dict)  # cross_origin()


def _build(index: ProjectIndex) -> _Plan:
    plan = _Plan()

    def use(module: str, node: ast.AST, qual: str, why: str = "") -> None:
        plan.uses.append(AX.ExtensionUse(module, getattr(node, "lineno", 0), qual, not why, why))

    for imp in AX.extension_imports(index):
        if imp.flask_module != FLASK_MODULE:
            continue
        node = imp.node
        if not isinstance(node, ast.ImportFrom) or node.module != FLASK_MODULE:
            use(imp.module, node, FLASK_MODULE, "module import of flask_cors")
            continue
        names = []
        scope = index.modules[imp.module].scope
        for a in node.names:
            qual = f"{node.module}.{a.name}"
            new = X.CORS_NAMES.get(qual)
            if new is None:
                use(imp.module, node, qual, f"`{qual}` has no quart-cors counterpart")
                continue
            clash = scope.bindings.get(a.asname or new) if a.asname is None else None
            if clash is not None and not (clash.kind == "import" and clash.target == qual):
                use(imp.module, node, qual, f"`{new}` is already a name in {imp.module}")
                continue
            use(imp.module, node, qual)
            names.append((a.name, new))
        plan.imports.setdefault(imp.module, []).append((node, tuple(names)))

    for ref in AX.references(index, FLASK_MODULE):
        info = index.modules[ref.module]
        node = ref.node
        call = info.parents.get(node)
        new = X.CORS_NAMES.get(ref.qualname)
        local = node.id if isinstance(node, ast.Name) else None
        if new is None or local is None or not isinstance(call, ast.Call) or call.func is not node:
            use(ref.module, node, ref.qualname, f"`{ref.qualname}` used other than called")
            continue
        name = new if local == ref.qualname.rsplit(".", 1)[1] else local
        why = _options_problem(call)
        if ref.qualname == X.CORS_CLASS:
            stmt = info.parents.get(call)
            if not why and not isinstance(stmt, ast.Expr):
                why = "`CORS(...)` whose result is kept (CORS() + init_app has no quart-cors form)"
            if not why and (len(call.args) != 1 or not _simple_target(call.args[0])):
                why = "`CORS(...)` without one app/blueprint name as its argument"
            if not why:
                plan.statements.setdefault(ref.module, []).append((call, name))
        else:
            owner = info.parents.get(call)
            if not why and not (hasattr(owner, "decorator_list") and call in owner.decorator_list):
                why = "`cross_origin(...)` used other than as a decorator"
            if not why and call.args:
                why = "positional arguments to `cross_origin`"
            if not why:
                why = X.CORS_DECORATOR_BROKEN
            if not why:
                plan.decorators.setdefault(ref.module, []).append((call, name, owner.lineno))
        use(ref.module, node, ref.qualname, why)
    return plan


_plan = AX.per_index(_build)


def _simple_target(expr: ast.expr) -> bool:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _literal(expr: ast.expr):
    try:
        return True, ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _options_problem(call: ast.Call) -> str:
    """Why quart-cors would answer differently for this call ("" when it answers the same)."""
    kws = {}
    for kw in call.keywords:
        if kw.arg is None:
            return "`**options` (cannot check them)"
        kws[kw.arg] = kw.value
    for name, value in kws.items():
        if name in X.CORS_KWARGS:
            continue
        if name in X.CORS_DROPPED:
            ok, v = _literal(value)
            if ok and v == X.CORS_DROPPED[name]:
                continue
        return f"Flask-CORS option `{name}=` has no quart-cors counterpart"
    for name in X.CORS_REQUIRED:
        if name not in kws:
            return (f"no `{name}=`: quart-cors cannot reproduce Flask-CORS's default "
                    + ("(CORS headers without an Origin header)" if name == "always_send"
                       else "(no Access-Control-Expose-Headers)"))
    ok, expose = _literal(kws["expose_headers"])
    if not ok or not expose:
        return "`expose_headers` not a non-empty literal"
    for name in X.CORS_SORTED:
        if name in kws and not (_literal(kws[name])[0] and isinstance(
                _literal(kws[name])[1], (str, list, tuple))):
            return f"`{name}` not a literal (Flask-CORS sorts it; quart-cors does not)"
    ok, origins = _literal(kws["origins"]) if "origins" in kws else (True, "*")
    if not ok:
        return "`origins` not a literal (cannot check for regexes)"
    origins = [origins] if isinstance(origins, str) else origins
    if not isinstance(origins, (list, tuple)) or not all(isinstance(o, str) for o in origins):
        return "`origins` not a string or list of strings"
    if any(o != "*" and set(o) & X.CORS_REGEX_CHARS for o in origins):
        return "a regex origin (Flask-CORS matches strings as regexes)"
    ok, creds = _literal(kws["supports_credentials"]) if "supports_credentials" in kws \
        else (True, False)
    if not ok or not isinstance(creds, bool):
        return "`supports_credentials` not a literal bool"
    if X.CORS_WILDCARD in origins:
        return ("a wildcard origin (Flask-CORS echoes the origin; quart-cors 0.8.0 always "
                "sends `*`)")
    return ""


def _arguments(ctx: RuleContext, call: ast.Call, start: int = 0) -> tuple[list[str], list]:
    args, subs = [], []
    for i, kw in enumerate(call.keywords):
        if kw.arg in X.CORS_DROPPED and kw.arg not in X.CORS_KWARGS:
            continue
        if kw.arg in X.CORS_SORTED:
            value = _literal(kw.value)[1]
            if not isinstance(value, str):
                value = sorted(v.upper() if kw.arg == "methods" else v for v in value)
            elif kw.arg == "methods":
                value = value.upper()
            args.append(f"{X.CORS_KWARGS[kw.arg]}={value!r}".replace("'", '"'))
            continue
        subs.append((f"a{start + i}", ctx.span(kw.value)))
        args.append(f"{X.CORS_KWARGS[kw.arg]}={{a{start + i}}}")
    if not any(kw.arg == "methods" for kw in call.keywords):
        args.append(f"{X.CORS_KWARGS['methods']}={X.CORS_DEFAULT_METHODS!r}".replace("'", '"'))
    return args, subs


@AX.swap_analyser(FLASK_MODULE)
def analyse(index: ProjectIndex) -> list[AX.ExtensionUse]:
    return _plan(index).uses


@rule(
    CODE, "flask-cors-to-quart-cors", 1,
    "Swap Flask-CORS for quart-cors where it answers the same (CORS(x, …) → x = cors(x, …))",
    examples=(Example(
        "from flask_cors import CORS\n\n"
        "CORS(bp, origins=['https://a.example'], supports_credentials=True,\n"
        "     expose_headers=['X-Total'], always_send=False)\n",
        "from quart_cors import cors\n\n"
        "# flask2quart: F2Q172 quart-cors adds Vary: Origin to every response of this "
        "app/blueprint (Flask-CORS only when the origin varies)\n"
        "bp = cors(bp, allow_origin=['https://a.example'], allow_credentials=True, "
        "expose_headers=['X-Total'])\n",
    ),),
)
class FlaskCorsSwap(Rule):
    """Rewrites the import, each ``CORS(x, …)`` statement and each ``@cross_origin(…)``
    decorator; nothing unless every use in the project can be swapped."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        mod = ctx.source.module
        if not AX.extension_imports(index) or not AX.swap_applies(index, FLASK_MODULE):
            return
        plan = _plan(index)
        for node, names in plan.imports.get(mod, ()):
            yield E.RewriteImport(CODE, node.lineno, ctx.source.lines.col(node.lineno, node.col_offset),
                                  X.CORS_MODULE, names)
        for call, name in plan.statements.get(mod, ()):
            args, subs = _arguments(ctx, call, 1)
            template = f"{{t}} = {name}({', '.join(['{t}', *args])})"
            yield E.ReplaceStatement(CODE, call.lineno, template,
                                     (("t", ctx.span(call.args[0])), *subs))
            yield E.Marker(CORS_DIFFERENCE.code, call.lineno, X.CORS_SWAP_NOTE)
        for call, name, def_line in plan.decorators.get(mod, ()):
            args, subs = _arguments(ctx, call)
            yield E.Replace(CODE, ctx.span(call), f"{name}({', '.join(args)})", tuple(subs))
            yield E.Marker(CORS_DIFFERENCE.code, def_line, X.CORS_SWAP_NOTE)
