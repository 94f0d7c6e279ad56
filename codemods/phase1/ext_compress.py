"""F2Q134: Flask-Compress → quart-compress, where quart-compress reads the same settings.

``from flask_compress import Compress`` → ``from quart_compress import Compress``; the
constructor ``Compress(app=None)`` and ``init_app(app)`` are the same. Facts (which COMPRESS_*
keys quart-compress 0.2.1 honours, which algorithms it takes): ``catalogue/extensions.py``
(COMPRESS_*), read from flask_compress 1.25 and quart_compress 0.2.1.

The project keeps Flask-Compress (F2Q171: it is not on the bridge) when it uses
``@compress.compressed()``, uses ``Compress`` other than by calling it, uses another
flask_compress name, or sets a COMPRESS_* key quart-compress ignores or a COMPRESS_ALGORITHM it
cannot take (anything but a literal "gzip"/"br"). Each swapped ``Compress(...)`` call gets F2Q173
for what still differs (algorithm negotiation, default mimetypes, Vary, ETags, streaming).
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

FLASK_MODULE = "flask_compress"
CODE = "F2Q134"

COMPRESS_DIFFERENCE = marker(
    "F2Q173", "compress-swap-difference", 1,
    "A swapped quart-compress negotiates encodings differently from Flask-Compress",
    "quart-compress 0.2.1 compresses with one configured algorithm and 5 default mimetypes, "
    "sends Vary: Accept-Encoding only on compressed responses, leaves ETags alone and buffers "
    "streamed responses. Bodies decode to the same bytes; set COMPRESS_ALGORITHM and "
    "COMPRESS_MIMETYPES explicitly if clients or caches depend on the encoding.",
)


@dataclass
class _Plan:
    uses: list[AX.ExtensionUse] = field(default_factory=list)
    imports: dict[str, list[tuple[ast.ImportFrom, tuple[tuple[str, str], ...]]]] = \
        field(default_factory=dict)
    calls: dict[str, list[ast.Call]] = field(default_factory=dict)


def _build(index: ProjectIndex) -> _Plan:
    plan = _Plan()

    def use(module: str, node: ast.AST, qual: str, why: str = "") -> None:
        plan.uses.append(AX.ExtensionUse(module, getattr(node, "lineno", 0), qual, not why, why))

    for imp in AX.extension_imports(index):
        if imp.flask_module != FLASK_MODULE:
            continue
        node = imp.node
        if not isinstance(node, ast.ImportFrom) or node.module != FLASK_MODULE:
            use(imp.module, node, FLASK_MODULE, "module import of flask_compress")
            continue
        names = []
        for a in node.names:
            qual = f"{node.module}.{a.name}"
            new = X.COMPRESS_NAMES.get(qual)
            if new is None:
                use(imp.module, node, qual, f"`{qual}` has no quart-compress counterpart")
                continue
            use(imp.module, node, qual)
            names.append((a.name, new))
        plan.imports.setdefault(imp.module, []).append((node, tuple(names)))

    instances: set[tuple[str, str]] = set()   # (module, name) bound to Compress(...)
    for ref in AX.references(index, FLASK_MODULE):
        info = index.modules[ref.module]
        node = ref.node
        call = info.parents.get(node)
        why = ""
        if ref.qualname not in X.COMPRESS_NAMES or not isinstance(call, ast.Call) \
                or call.func is not node:
            why = f"`{ref.qualname}` used other than called"
        elif call.keywords or len(call.args) > 1 or any(isinstance(a, ast.Starred)
                                                        for a in call.args):
            why = "`Compress(...)` with other arguments than one app"
        else:
            stmt = info.parents.get(call)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name):
                instances.add((ref.module, stmt.targets[0].id))
            elif not isinstance(stmt, ast.Expr):
                why = "`Compress(...)` whose result is kept other than in a name"
        if not why:
            plan.calls.setdefault(ref.module, []).append(call)
        use(ref.module, node, ref.qualname, why)

    names = {n for _, n in instances}
    for name, info in index.modules.items():
        for node in index.walk(info.source.tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in names and node.attr not in X.COMPRESS_METHODS:
                use(name, node, f"{FLASK_MODULE}.Compress.{node.attr}",
                    f"`{node.value.id}.{node.attr}` has no quart-compress counterpart")
            for key, value in _settings(node):
                why = _setting_problem(key, value)
                if why:
                    use(name, node, FLASK_MODULE, why)
    return plan


_plan = AX.per_index(_build)


def _settings(node: ast.AST) -> Iterable[tuple[str, ast.expr | None]]:
    """COMPRESS_* keys this node names, with the value it sets (None: read or unknown)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and node.value.startswith(X.COMPRESS_PREFIX):
        yield node.value, None                      # value found by the checks below
    elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith(X.COMPRESS_PREFIX):
        yield node.arg, node.value
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            if isinstance(t, ast.Name) and t.id.startswith(X.COMPRESS_PREFIX):
                yield t.id, node.value
            if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) \
                    and isinstance(t.slice.value, str) \
                    and t.slice.value.startswith(X.COMPRESS_PREFIX):
                yield t.slice.value, node.value
    elif isinstance(node, ast.Call) and len(node.args) == 2 \
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) \
            and node.args[0].value.startswith(X.COMPRESS_PREFIX):
        yield node.args[0].value, node.args[1]      # config.setdefault("COMPRESS_…", v)
    elif isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, str) \
                    and k.value.startswith(X.COMPRESS_PREFIX):
                yield k.value, v


def _setting_problem(key: str, value: ast.expr | None) -> str:
    if key not in X.COMPRESS_HONOURED:
        return f"setting `{key}` is ignored by quart-compress 0.2.1"
    if key == X.COMPRESS_ALGORITHM_KEY and value is not None:
        try:
            algo = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            algo = None
        if not (isinstance(algo, str) and algo in X.COMPRESS_ALGORITHMS):
            return (f"`{key}` is not a literal " + " or ".join(
                repr(a) for a in sorted(X.COMPRESS_ALGORITHMS))
                + " (quart-compress 0.2.1 takes one of these)")
    return ""


@AX.swap_analyser(FLASK_MODULE)
def analyse(index: ProjectIndex) -> list[AX.ExtensionUse]:
    return _plan(index).uses


@rule(
    CODE, "flask-compress-to-quart-compress", 1,
    "Swap Flask-Compress for quart-compress where it reads the same settings",
    examples=(Example(
        "from flask_compress import Compress\n\nCompress(app)\n",
        "from quart_compress import Compress\n\n"
        f"# flask2quart: F2Q173 {X.COMPRESS_SWAP_NOTE}\n"
        "Compress(app)\n",
    ),),
)
class FlaskCompressSwap(Rule):
    """Rewrites the import and marks each ``Compress(...)`` call; nothing unless every use in
    the project can be swapped."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        mod = ctx.source.module
        if not AX.extension_imports(index) or not AX.swap_applies(index, FLASK_MODULE):
            return
        plan = _plan(index)
        for node, names in plan.imports.get(mod, ()):
            yield E.RewriteImport(CODE, node.lineno,
                                  ctx.source.lines.col(node.lineno, node.col_offset),
                                  X.COMPRESS_MODULE, names)
        for call in plan.calls.get(mod, ()):
            yield E.Marker(COMPRESS_DIFFERENCE.code, call.lineno, X.COMPRESS_SWAP_NOTE)
