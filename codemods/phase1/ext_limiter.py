"""F2Q135: Flask-Limiter → quart-rate-limiter, for the remote-address limiter with literal limits.

``limiter = Limiter(get_remote_address, app=app, default_limits=["100 per day"])`` →
``limiter = RateLimiter(app, key_function=_remote_address, default_limits=[RateLimit(100,
timedelta(days=1))])`` with a generated ``_remote_address`` that keys like Flask-Limiter's
``get_remote_address`` (quart-rate-limiter's own default key trusts X-Forwarded-For), and
``@limiter.limit("5 per minute; 2/second")`` → ``@rate_limit(limits=[RateLimit(5,
timedelta(minutes=1)), RateLimit(2, timedelta(seconds=1))])``. Limit strings are parsed with
limits' grammar (``catalogue/extensions.py`` LIMIT_*).

Anything else (another key function, storage or strategy options, RATELIMIT_* settings,
``exempt``/``shared_limit``, options to ``limit()``, default limits together with route limits,
a limiter bound inside a function) keeps Flask-Limiter for a person (F2Q171; it is not on the
bridge). Each swapped limiter gets F2Q174: the algorithm, the 429 body and the headers differ.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.analysis import extensions as AX
from flask2quart.analysis.index import ProjectIndex
from flask2quart import catalogue as C
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, marker, rule

FLASK_MODULE = "flask_limiter"
CODE = "F2Q135"

LIMITER_DIFFERENCE = marker(
    "F2Q174", "limiter-swap-difference", 1,
    "A swapped quart-rate-limiter limits and answers 429 differently from Flask-Limiter",
    "quart-rate-limiter uses GCRA where Flask-Limiter defaults to a fixed window, answers 429 "
    "with a generic description and Retry-After, sends RateLimit-* headers on limited routes "
    "and also limits the static route with default limits. Check clients that read the 429 "
    "body, and tests that count requests across a window.",
)

_SEP = re.compile(X.LIMIT_SEPARATORS)
_EXPR = re.compile(X.LIMIT_EXPR, re.IGNORECASE)


@dataclass
class _Plan:
    uses: list[AX.ExtensionUse] = field(default_factory=list)
    imports: dict[str, list[tuple[ast.ImportFrom, tuple[tuple[str, str], ...]]]] = \
        field(default_factory=dict)
    removed_imports: dict[str, list[ast.ImportFrom]] = field(default_factory=dict)
    # module → (statement, call, app expr or None, defaults [(count, unit, n)] or None)
    limiters: dict[str, list[tuple[ast.stmt, ast.Call, ast.expr | None, list | None]]] = \
        field(default_factory=dict)
    decorators: dict[str, list[tuple[ast.Call, list]]] = field(default_factory=dict)


def parse_limits(text: object) -> list[tuple[int, str, int]] | None:
    """``"5 per minute; 2/10 seconds"`` → ``[(5, "minutes", 1), (2, "seconds", 10)]``, or None
    when limits would read it otherwise or quart-rate-limiter has no period for it."""
    if not isinstance(text, str):
        return None
    out = []
    for part in _SEP.split(text):
        m = _EXPR.fullmatch(part)
        if m is None:
            return None
        count, multiple, unit = int(m.group(1)), int(m.group(2) or 1), m.group(3).lower()
        unit = unit[:-1] if unit.endswith("s") and unit[:-1] in X.LIMIT_UNITS else unit
        if unit not in X.LIMIT_UNITS or count < 1 or multiple < 1:
            return None
        out.append((count, X.LIMIT_UNITS[unit], multiple))
    return out or None


def _limit_source(limit: tuple[int, str, int]) -> str:
    count, unit, n = limit
    return f"{X.LIMITER_LIMIT}({count}, timedelta({unit}={n}))"


def _literal(expr: ast.expr):
    try:
        return True, ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _binding_ok(index: ProjectIndex, module: str, name: str, allowed: Iterable[str]) -> bool:
    b = index.modules[module].scope.bindings.get(name)
    return b is None or (b.kind == "import" and b.target in set(allowed))


def _build(index: ProjectIndex) -> _Plan:
    plan = _Plan()

    def use(module: str, node: ast.AST, qual: str, why: str = "") -> None:
        plan.uses.append(AX.ExtensionUse(module, getattr(node, "lineno", 0), qual, not why, why))

    for imp in AX.extension_imports(index):
        if imp.flask_module != FLASK_MODULE:
            continue
        node = imp.node
        if not isinstance(node, ast.ImportFrom):
            use(imp.module, node, FLASK_MODULE, "module import of flask_limiter")
            continue
        names, removed = [], True
        for a in node.names:
            qual = f"{node.module}.{a.name}"
            if a.asname is not None:
                use(imp.module, node, qual, f"`{qual}` imported under another name")
            elif qual in X.LIMITER_NAMES and node.module == FLASK_MODULE:
                use(imp.module, node, qual)
                names.append((a.name, X.LIMITER_NAMES[qual]))
                removed = False
            elif qual == X.LIMITER_REMOTE_ADDRESS:
                use(imp.module, node, qual)
            else:
                use(imp.module, node, qual, f"`{qual}` has no quart-rate-limiter counterpart")
        if removed:
            plan.removed_imports.setdefault(imp.module, []).append(node)
        else:
            if len(names) != len(node.names):
                use(imp.module, node, FLASK_MODULE, "flask_limiter names imported together")
            plan.imports.setdefault(imp.module, []).append((node, tuple(names)))

    instances: dict[str, str] = {}       # qualname of a module-level limiter → its module
    key_calls: set[int] = set()          # get_remote_address nodes passed as key_func
    for ref in AX.references(index, FLASK_MODULE):
        if ref.qualname != X.LIMITER_CLASS:
            continue
        info = index.modules[ref.module]
        call = info.parents.get(ref.node)
        if not isinstance(call, ast.Call) or call.func is not ref.node:
            use(ref.module, ref.node, ref.qualname, f"`{ref.qualname}` used other than called")
            continue
        why, app, defaults, key = _constructor(index, ref, call)
        stmt = info.parents.get(call)
        if not why and not isinstance(info.parents.get(stmt), ast.Module):
            why = "a Limiter built inside a function or block"
        if not why and isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                why = "`Limiter(...)` assigned other than to one name"
            else:
                instances[f"{ref.module}.{stmt.targets[0].id}"] = ref.module
        elif not why and not isinstance(stmt, ast.Expr):
            why = "`Limiter(...)` whose result is kept other than in a name"
        if not why:
            why = _names_problem(index, ref.module, [X.LIMITER_KEY_HELPER],
                                 ["request"], defaults is not None)
        if not why:
            key_calls.add(id(key))
            plan.limiters.setdefault(ref.module, []).append((stmt, call, app, defaults))
        use(ref.module, ref.node, ref.qualname, why)

    for ref in AX.references(index, FLASK_MODULE):
        if ref.qualname == X.LIMITER_REMOTE_ADDRESS and id(ref.node) not in key_calls:
            use(ref.module, ref.node, ref.qualname,
                "`get_remote_address` used other than as the Limiter's key_func")

    has_defaults = any(d is not None for lims in plan.limiters.values() for *_, d in lims)
    for module, info in index.modules.items():
        # uses of a limiter instance: none to find when no Limiter(...) is bound to a name
        stack = [info.scope] if instances else []
        while stack:
            scope = stack.pop()
            stack.extend(scope.children)
            for node in index.own_nodes(scope):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    qual = index.qualify(node.value, index.innermost_scope(scope, node))
                    if qual in instances:
                        _instance_use(index, plan, module, node, has_defaults, use)
                elif isinstance(node, ast.Name) and index.qualify(
                        node, index.innermost_scope(scope, node)) in instances:
                    parent = info.parents.get(node)
                    if not (isinstance(parent, ast.Attribute) and parent.value is node) \
                            and not (isinstance(parent, ast.Assign) and node in parent.targets):
                        use(module, node, FLASK_MODULE,
                            f"the limiter `{node.id}` used other than through limit/init_app")
        for node in index.walk(info.source.tree):
            key = _config_key(node)
            if key:
                use(module, node, FLASK_MODULE,
                    f"setting `{key}` (quart-rate-limiter reads no RATELIMIT_* settings)")
    return plan


_plan = AX.per_index(_build)


def _constructor(index, ref, call: ast.Call):
    """(why, app expr, parsed default limits, key node) for ``Limiter(...)``."""
    scope = ref.scope
    key = app = None
    defaults = None
    args = list(call.args)
    kws = {}
    for kw in call.keywords:
        if kw.arg is None:
            return "`**options` (cannot check them)", None, None, None
        if kw.arg not in X.LIMITER_KWARGS:
            return (f"Limiter option `{kw.arg}=` has no quart-rate-limiter counterpart",
                    None, None, None)
        kws[kw.arg] = kw.value
    if any(isinstance(a, ast.Starred) for a in args) or len(args) > 1:
        return "positional arguments to Limiter", None, None, None
    if args:
        if index.qualify(args[0], scope) == X.LIMITER_REMOTE_ADDRESS:
            key = args[0]
        elif X.LIMITER_KEY_KWARG in kws and X.LIMITER_APP_KWARG not in kws:
            app = args[0]               # Flask-Limiter < 3: Limiter(app, key_func=...)
        else:
            key = args[0]               # Flask-Limiter >= 3: Limiter(key_func, ...)
    if X.LIMITER_KEY_KWARG in kws:
        if key is not None:
            return "two key functions", None, None, None
        key = kws[X.LIMITER_KEY_KWARG]
    if key is None or index.qualify(key, scope) != X.LIMITER_REMOTE_ADDRESS:
        return ("a key_func other than get_remote_address (no known quart-rate-limiter form)",
                None, None, None)
    app = kws.get(X.LIMITER_APP_KWARG, app)
    if X.LIMITER_DEFAULTS_KWARG in kws:
        ok, value = _literal(kws[X.LIMITER_DEFAULTS_KWARG])
        if not ok or not isinstance(value, (list, tuple)):
            return "`default_limits` not a literal list", None, None, None
        defaults = []
        for text in value:
            parsed = parse_limits(text)
            if parsed is None:
                return f"default limit {text!r} has no quart-rate-limiter form", None, None, None
            defaults.extend(parsed)
    return "", app, defaults, key


def _names_problem(index: ProjectIndex, module: str, fresh: list[str], request: list[str],
                   needs_limit: bool) -> str:
    for name in fresh:
        if index.modules[module].scope.bindings.get(name) is not None:
            return f"`{name}` is already a name in {module}"
    for name in request:
        if not _binding_ok(index, module, name, (f"{C.FLASK_PACKAGE}.request", X.LIMITER_REQUEST)):
            return f"`{name}` is another name in {module}"
    checks = [(X.LIMITER_NEW_CLASS, f"{X.LIMITER_MODULE}.{X.LIMITER_NEW_CLASS}")]
    if needs_limit:
        checks += [(X.LIMITER_LIMIT, f"{X.LIMITER_MODULE}.{X.LIMITER_LIMIT}"),
                   ("timedelta", X.LIMITER_PERIOD)]
    for name, qual in checks:
        if not _binding_ok(index, module, name, (qual,)):
            return f"`{name}` is already a name in {module}"
    return ""


def _instance_use(index, plan: _Plan, module: str, node: ast.Attribute, has_defaults: bool,
                  use) -> None:
    info = index.modules[module]
    qual = f"{FLASK_MODULE}.Limiter.{node.attr}"
    if node.attr not in X.LIMITER_METHODS:
        use(module, node, qual, f"`{node.value.id}.{node.attr}` has no quart-rate-limiter form")
        return
    call = info.parents.get(node)
    if not isinstance(call, ast.Call) or call.func is not node:
        use(module, node, qual, f"`{node.value.id}.{node.attr}` used other than called")
        return
    if node.attr != X.LIMITER_LIMIT_METHOD:
        use(module, node, qual)
        return
    owner = info.parents.get(call)
    if not (isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef))
            and call in owner.decorator_list):
        use(module, node, qual, "`limit(...)` used other than as a function decorator")
        return
    if call.keywords or len(call.args) != 1:
        use(module, node, qual, "options to `limit(...)` have no quart-rate-limiter form")
        return
    ok, text = _literal(call.args[0])
    limits = parse_limits(text) if ok else None
    if limits is None:
        use(module, node, qual, "a limit that is not a literal quart-rate-limiter can take")
        return
    if has_defaults:
        use(module, node, qual, "default_limits together with a route limit "
            "(quart-rate-limiter adds the defaults; Flask-Limiter replaces them)")
        return
    names = [(X.LIMITER_DECORATOR, f"{X.LIMITER_MODULE}.{X.LIMITER_DECORATOR}"),
             ("timedelta", X.LIMITER_PERIOD)]
    if len(limits) > 1:
        names.append((X.LIMITER_LIMIT, f"{X.LIMITER_MODULE}.{X.LIMITER_LIMIT}"))
    for name, q in names:
        if not _binding_ok(index, module, name, (q,)):
            use(module, node, qual, f"`{name}` is already a name in {module}")
            return
    plan.decorators.setdefault(module, []).append((call, limits))
    use(module, node, qual)


def _config_key(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and node.value.startswith(X.LIMITER_CONFIG_PREFIX):
        return node.value
    if isinstance(node, ast.keyword) and node.arg and node.arg.startswith(X.LIMITER_CONFIG_PREFIX):
        return node.arg
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) \
            and node.id.startswith(X.LIMITER_CONFIG_PREFIX):
        return node.id
    return ""


@AX.swap_analyser(FLASK_MODULE)
def analyse(index: ProjectIndex) -> list[AX.ExtensionUse]:
    return _plan(index).uses


@rule(
    CODE, "flask-limiter-to-quart-rate-limiter", 1,
    "Swap Flask-Limiter for quart-rate-limiter (remote-address key, literal limits)",
    examples=(Example(
        "from flask_limiter import Limiter\n"
        "from flask_limiter.util import get_remote_address\n\n"
        "limiter = Limiter(get_remote_address, app=app)\n\n\n"
        "@limiter.limit(\"5 per minute\")\n"
        "def login():\n"
        "    return ''\n",
        "from quart_rate_limiter import rate_limit, RateLimiter\n"
        "from datetime import timedelta\n"
        "from quart import request\n\n"
        f"# flask2quart: F2Q174 {X.LIMITER_SWAP_NOTE}\n"
        "async def _remote_address():\n"
        "    return request.remote_addr or \"127.0.0.1\"\n\n\n"
        "limiter = RateLimiter(app, key_function=_remote_address)\n\n\n"
        "@rate_limit(5, timedelta(minutes=1))\n"
        "def login():\n"
        "    return ''\n",
    ),),
)
class FlaskLimiterSwap(Rule):
    """Rewrites the imports, the ``Limiter(...)`` statement and each ``@limiter.limit(...)``;
    nothing unless every use in the project can be swapped."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        mod = ctx.source.module
        if not AX.extension_imports(index) or not AX.swap_applies(index, FLASK_MODULE):
            return
        plan = _plan(index)
        for node, names in plan.imports.get(mod, ()):
            yield E.RewriteImport(CODE, node.lineno,
                                  ctx.source.lines.col(node.lineno, node.col_offset),
                                  X.LIMITER_MODULE, names)
        for node in plan.removed_imports.get(mod, ()):
            yield E.ReplaceStatement(CODE, node.lineno, "")
        for stmt, call, app, defaults in plan.limiters.get(mod, ()):
            args, subs = [], []
            if app is not None:
                args.append("{app}")
                subs.append(("app", ctx.span(app)))
            args.append(f"{X.LIMITER_NEW_KWARGS[X.LIMITER_KEY_KWARG]}={X.LIMITER_KEY_HELPER}")
            if defaults is not None:
                args.append(f"{X.LIMITER_NEW_KWARGS[X.LIMITER_DEFAULTS_KWARG]}=["
                            + ", ".join(_limit_source(d) for d in defaults) + "]")
                yield E.AddImport(CODE, X.LIMITER_MODULE, X.LIMITER_LIMIT)
                yield E.AddImport(CODE, *X.LIMITER_PERIOD.rsplit(".", 1))
            target = (f"{stmt.targets[0].id} = " if isinstance(stmt, ast.Assign) else "")
            helper = X.LIMITER_KEY_HELPER_SOURCE.format(name=X.LIMITER_KEY_HELPER)
            template = (helper + "\n\n" + target
                        + f"{X.LIMITER_NEW_CLASS}({', '.join(args)})")
            yield E.ReplaceStatement(CODE, stmt.lineno, template, tuple(subs))
            yield E.AddImport(CODE, *X.LIMITER_REQUEST.rsplit(".", 1))
            yield E.Marker(LIMITER_DIFFERENCE.code, stmt.lineno, X.LIMITER_SWAP_NOTE)
        for call, limits in plan.decorators.get(mod, ()):
            yield E.AddImport(CODE, X.LIMITER_MODULE, X.LIMITER_DECORATOR)
            yield E.AddImport(CODE, *X.LIMITER_PERIOD.rsplit(".", 1))
            if len(limits) == 1:
                count, unit, n = limits[0]
                text = f"{X.LIMITER_DECORATOR}({count}, timedelta({unit}={n}))"
            else:
                yield E.AddImport(CODE, X.LIMITER_MODULE, X.LIMITER_LIMIT)
                text = (f"{X.LIMITER_DECORATOR}(limits=["
                        + ", ".join(_limit_source(lim) for lim in limits) + "])")
            yield E.Replace(CODE, ctx.span(call), text)
