"""Which Flask extensions a project uses, and what phase 1 does with each in THIS project.

Stable interface (used by the dependency rule of phase 1 and by the extension rules):

* :func:`extension_usage(index) -> dict[str, str]` — each top-level ``flask_*`` extension module
  the project imports → ``"swap"`` | ``"bridge"`` | ``"person"``. ``"swap"`` only when the swap
  rule handles every use of the extension in the project; a swap extension with a use the rule
  cannot rewrite stays on the bridge when the bridge runs it (else ``"person"``).
* :func:`uses_bridge(index) -> bool` — phase 1 imports ``Quart`` from ``flask2quart.bridge``.

Swap rules register an analyser with :func:`swap_analyser`; it returns every use of the
extension with ``handled`` set, so the rule and this module take the same decision.
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass
from typing import Callable, Iterable

from flask2quart.analysis.index import ProjectIndex
from flask2quart.bridge import supported as S
from flask2quart.catalogue import extensions as X


@dataclass(frozen=True)
class ExtensionUse:
    """One use of an extension name in the project."""

    module: str           # project module (dotted)
    line: int
    qualname: str         # what the use resolves to: "flask_cors.CORS"
    handled: bool         # the swap rule rewrites it
    why: str = ""         # for an unhandled use: what the rule cannot do


@dataclass(frozen=True)
class ExtensionImport:
    module: str           # project module importing the extension
    line: int
    col: int
    node: ast.stmt
    flask_module: str     # top-level extension module ("flask_wtf" for flask_wtf.csrf)


Analyser = Callable[[ProjectIndex], Iterable[ExtensionUse]]
_ANALYSERS: dict[str, Analyser] = {}
_CACHE: "weakref.WeakKeyDictionary[ProjectIndex, dict]" = weakref.WeakKeyDictionary()


def per_index(build):
    """``build(index)`` computed once per project index (a swap rule's plan, shared by its
    analyser and its detector); the cache dies with the index."""
    plans: "weakref.WeakKeyDictionary[ProjectIndex, object]" = weakref.WeakKeyDictionary()

    def get(index: ProjectIndex):
        plan = plans.get(index)
        if plan is None:
            plan = plans[index] = build(index)
        return plan

    get.__doc__ = build.__doc__
    return get


def swap_analyser(flask_module: str):
    """Register ``fn(index) -> Iterable[ExtensionUse]`` for a swap extension."""

    def deco(fn: Analyser) -> Analyser:
        _ANALYSERS[flask_module] = fn
        return fn

    return deco


def _cache(index: ProjectIndex) -> dict:
    try:
        return _CACHE.setdefault(index, {})
    except TypeError:  # pragma: no cover - not weak-referenceable
        return {}


def extension_imports(index: ProjectIndex) -> list[ExtensionImport]:
    """Every import statement of a Flask extension in the project, in module order."""
    cache = _cache(index)
    if "imports" in cache:
        return cache["imports"]
    out: list[ExtensionImport] = []
    for name, info in index.modules.items():
        src = info.source
        for node in index.walk(src.tree):
            mods: list[str] = []
            if isinstance(node, ast.ImportFrom) and not node.level:
                mods = [node.module or ""]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            for m in mods:
                if X.is_extension_module(m):
                    out.append(ExtensionImport(name, node.lineno,
                                               src.lines.col(node.lineno, node.col_offset),
                                               node, m.split(".", 1)[0]))
                    break
    out.sort(key=lambda i: (i.module, i.line, i.col))
    cache["imports"] = out
    return out


def imported(index: ProjectIndex) -> set[str]:
    """The Flask extension modules some module of the project imports."""
    cache = _cache(index)
    if "imported" not in cache:
        cache["imported"] = {i.flask_module for i in extension_imports(index)}
    return cache["imported"]


def uses(index: ProjectIndex, flask_module: str) -> list[ExtensionUse]:
    """The swap analyser's view of every use (empty without an analyser, or when no module
    imports the extension: nothing to swap, no project walk)."""
    cache = _cache(index)
    key = ("uses", flask_module)
    if key not in cache:
        _load_rules()
        fn = _ANALYSERS.get(flask_module)
        cache[key] = list(fn(index)) if fn and flask_module in imported(index) else []
    return cache[key]


def swap_applies(index: ProjectIndex, flask_module: str) -> bool:
    """Does the swap rule of ``flask_module`` handle every use in this project?"""
    fact = X.EXTENSIONS.get(flask_module)
    if fact is None or fact.verdict != X.SWAP:
        return False
    _load_rules()
    if flask_module not in _ANALYSERS or flask_module not in imported(index):
        return False
    cache = _cache(index)
    key = ("applies", flask_module)
    if key not in cache:
        cache[key] = all(u.handled for u in uses(index, flask_module))
    return cache[key]


def verdict(index: ProjectIndex, flask_module: str) -> str:
    """The verdict for one imported extension in this project."""
    fact = X.EXTENSIONS.get(flask_module)
    bridged = S.status(flask_module) == "bridged"
    if fact is not None and fact.verdict == X.SWAP:
        if swap_applies(index, flask_module):
            return X.SWAP
        return X.BRIDGE if bridged else X.PERSON
    if bridged:
        return X.BRIDGE
    return X.PERSON


def extension_usage(index: ProjectIndex) -> dict[str, str]:
    """Each Flask extension module the project imports → the verdict in this project."""
    cache = _cache(index)
    if "usage" not in cache:
        mods = dict.fromkeys(i.flask_module for i in extension_imports(index))
        cache["usage"] = {m: verdict(index, m) for m in sorted(mods)}
    return dict(cache["usage"])


def uses_bridge(index: ProjectIndex) -> bool:
    """Does any extension of this project stay on ``flask2quart.bridge``?"""
    return X.BRIDGE in extension_usage(index).values()


_RULES_LOADED = False


def _load_rules() -> None:
    # swap analysers live next to their rules (codemods/phase1/ext_*.py); importing them
    # once per process registers every analyser, later calls would only re-list packages
    global _RULES_LOADED
    if _RULES_LOADED:
        return
    from flask2quart.rules import load_all

    load_all()
    _RULES_LOADED = True


@dataclass(frozen=True)
class Reference:
    """A name or attribute chain that resolves into an extension module."""

    module: str
    scope: object         # the analysis Scope the node evaluates in
    node: ast.expr
    qualname: str


def references(index: ProjectIndex, flask_module: str) -> list[Reference]:
    """Every outermost Name/Attribute in the project resolving to ``flask_module[.…]``.

    Import statements themselves are not references.
    """
    cache = _cache(index)
    key = ("refs", flask_module)
    if key in cache:
        return cache[key]
    importing = {i.module for i in extension_imports(index) if i.flask_module == flask_module}
    out: list[Reference] = []
    for name in sorted(importing):
        info = index.modules[name]
        stack = [info.scope]
        while stack:
            scope = stack.pop()
            stack.extend(reversed(scope.children))
            for node in index.own_nodes(scope):
                if not isinstance(node, (ast.Name, ast.Attribute)):
                    continue
                parent = info.parents.get(node)
                if isinstance(parent, ast.Attribute) and parent.value is node:
                    continue  # the outermost chain decides
                ev = index.innermost_scope(scope, node)
                qual = _qualify_prefix(index, node, ev, flask_module)
                if qual is not None:
                    out.append(Reference(name, ev, node, qual))
    cache[key] = out
    return out


def _qualify_prefix(index: ProjectIndex, node: ast.expr, scope, flask_module: str) -> str | None:
    """The qualname of ``node`` or of its longest prefix chain inside ``flask_module``."""
    cur: ast.expr = node
    while True:
        qual = index.qualify(cur, scope)
        if qual is not None and (qual == flask_module or qual.startswith(flask_module + ".")):
            return qual
        if isinstance(cur, ast.Attribute):
            cur = cur.value
            continue
        return None


def home_imports(index: ProjectIndex) -> dict[str, ExtensionImport]:
    """One import per extension, where the report lists it: the first outside test modules
    (module order), else the first."""
    out: dict[str, ExtensionImport] = {}
    for imp in sorted(extension_imports(index), key=lambda i: (_is_test_module(i.module), i.module,
                                                                i.line)):
        out.setdefault(imp.flask_module, imp)
    return out


def _is_test_module(module: str) -> bool:
    parts = module.split(".")
    return any(p in ("tests", "test", "conftest") or p.startswith("test_") for p in parts)
