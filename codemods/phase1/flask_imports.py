"""F2Q101: every ``flask`` import becomes its Quart counterpart; ``Flask`` → ``Quart``.

Quart depends on Flask, so a leftover ``from flask import request`` imports fine and
fails at runtime (Flask's globals are unbound in a Quart request; quart_api.md §0).
Module map and renames: ``catalogue.MODULES`` / ``RENAMES``; names without an
equivalent (``catalogue.NO_EQUIVALENT``) keep their import and get F2Q190.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.extensions import uses_bridge
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, marker, rule

NO_EQUIVALENT = marker(
    "F2Q190", "no-quart-equivalent", 1,
    "A Flask name with no Quart equivalent is imported; the import is left as it was",
    "Flask objects do not work inside a Quart app (their context is never pushed). Replace the "
    "use by hand; see the reason in the marker.",
)


_is_flask = C.is_flask_module


@rule(
    "F2Q101", "flask-imports", 1,
    "Rewrite flask imports to quart (Flask → Quart, FlaskClient → QuartClient, …)",
    examples=(
        Example("from flask import Flask, request\n\napp = Flask(__name__)\n",
                "from quart import Quart, request\n\napp = Quart(__name__)\n"),
        Example("import flask\n\napp = flask.Flask(__name__)\n",
                "import quart\n\napp = quart.Quart(__name__)\n"),
    ),
)
class FlaskImports(Rule):
    """Rewrites ``from flask... import`` and ``import flask...`` statements, renames the
    references to renamed names (resolved through scopes, so a local ``Flask`` is left
    alone), and rewrites ``flask.X`` attribute chains."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        code = self.info.code
        renamed_bindings: dict[str, str] = {}  # local name → new local name (module scope)
        module_aliases: dict[str, str] = {}    # local name bound to a flask module → new name
        for node in ctx.index.walk(ctx.source.tree):
            if isinstance(node, ast.ImportFrom) and not node.level and _is_flask(node.module):
                mapped = C.quart_name(node.module + ".x")
                missing = [a.name for a in node.names
                           if a.name != "*" and C.quart_name(f"{node.module}.{a.name}") is None]
                if mapped is None or missing:
                    why = C.NO_EQUIVALENT.get(f"{node.module}.{missing[0]}" if missing else node.module,
                                              C.NO_EQUIVALENT.get(node.module, "no Quart counterpart"))
                    yield E.Marker(NO_EQUIVALENT.code, node.lineno,
                                   f"`{node.module}.{', '.join(missing) or '*'}`: {why}")
                    continue
                new_module = mapped.rsplit(".", 1)[0]
                names = []
                for a in node.names:
                    if a.name == "*":
                        continue
                    new = C.quart_name(f"{node.module}.{a.name}").rsplit(".", 1)[1]
                    if new != a.name:
                        names.append((a.name, new))
                        if a.asname is None:
                            renamed_bindings[a.name] = new
                bridged = [a for a in node.names if a.name != "*" and (
                    _is_app_class(node.module, a.name) or f"{node.module}.{a.name}" in X.BRIDGE_KEEP_FLASK)]
                if bridged and uses_bridge(ctx.index):
                    # an extension runs on flask2quart.bridge: the app class comes from there
                    if len(bridged) < len(node.names) or any(
                            _is_app_class(node.module, a.name) for a in bridged):
                        yield _bridge_import(code, node, new_module)
                    continue
                yield E.RewriteImport(code, node.lineno, ctx.source.lines.col(node.lineno, node.col_offset),
                                      new_module, tuple(names))
            elif isinstance(node, ast.Import):
                names = []
                for a in node.names:
                    if not _is_flask(a.name):
                        continue
                    new = C.quart_name(a.name + ".x")
                    if new is None:
                        yield E.Marker(NO_EQUIVALENT.code, node.lineno,
                                       f"`{a.name}`: {C.NO_EQUIVALENT.get(a.name, 'no Quart counterpart')}")
                        continue
                    names.append((a.name, new.rsplit(".", 1)[0]))
                    local = a.asname or a.name.split(".")[0]
                    module_aliases[local] = a.asname or new.split(".")[0]
                if names:
                    yield E.RewriteImport(code, node.lineno,
                                          ctx.source.lines.col(node.lineno, node.col_offset),
                                          None, tuple(names))
        yield from self._references(ctx, renamed_bindings, module_aliases)

    def _references(self, ctx: RuleContext, renamed: dict[str, str], aliases: dict[str, str]):
        if not renamed and not aliases:
            return  # every branch below starts from a renamed name or a flask module alias
        code = self.info.code
        index = ctx.index
        for scope in ctx.scopes():
            for node in index.own_nodes(scope):
                if not isinstance(node, (ast.Name, ast.Attribute)):
                    continue  # only names and attributes are looked at below
                ev = ctx.eval_scope(scope, node)
                if isinstance(node, ast.Name) and node.id in renamed:
                    found = index.lookup(node.id, ev)
                    if (found and found[1].kind == "import" and _is_flask(found[1].target)
                            and (C.quart_name(found[1].target) or "").endswith("." + renamed[node.id])):
                        yield E.Replace(code, ctx.span(node), renamed[node.id])
                elif (isinstance(node, ast.Name) and node.id in aliases
                      and aliases[node.id] != node.id
                      and not isinstance(ctx.parent(node), ast.Attribute)):
                    found = index.lookup(node.id, ev)
                    if found and found[1].kind == "import":
                        yield E.Replace(code, ctx.span(node), aliases[node.id])
                elif (isinstance(node, ast.Name) and node.id in aliases
                      and aliases[node.id] != node.id
                      and isinstance(ctx.parent(node), ast.Attribute)):
                    # the module alias itself: `flask.request` → `quart.request`
                    found = index.lookup(node.id, ev)
                    if found and found[1].kind == "import":
                        yield E.Replace(code, ctx.span(node), aliases[node.id])
                elif isinstance(node, ast.Attribute) and _root_name(node) in aliases:
                    qual = index.qualify(node, ev)
                    if qual is None or not _is_flask(qual) or isinstance(ctx.parent(node), ast.Attribute) \
                            and C.quart_name(qual) is not None and qual not in C.RENAMES:
                        continue
                    new = C.quart_name(qual)
                    if new is None:
                        if not isinstance(ctx.parent(node), ast.Attribute):
                            yield E.Marker(NO_EQUIVALENT.code, node.lineno,
                                           f"`{qual}`: {C.NO_EQUIVALENT.get(qual, 'no Quart counterpart')}")
                        continue
                    new_attr = new.rsplit(".", 1)[1]
                    if new == X.BRIDGE_REPLACES and uses_bridge(index):
                        yield E.AddImport(code, X.BRIDGE_MODULE)
                        yield E.Replace(code, ctx.span(node), X.BRIDGE_APP)
                        continue
                    if new_attr != node.attr:  # Flask → Quart, FlaskClient → QuartClient, …
                        yield E.Replace(code, ctx.span(node), "{v}." + new_attr,
                                        (("v", ctx.span(node.value)),))


def _is_app_class(module: str, name: str) -> bool:
    return C.quart_name(f"{module}.{name}") == X.BRIDGE_REPLACES


def _bridge_import(code: str, node: ast.ImportFrom, new_module: str) -> E.Edit:
    """``from flask import Flask, request`` → ``from quart import request`` +
    ``from flask2quart.bridge import Quart`` (the bridge's Quart subclass); names Flask's own
    form must keep under the bridge (``X.BRIDGE_KEEP_FLASK``) stay imported from flask."""
    def alias(a: ast.alias, new: str) -> str:
        return new if a.asname is None else f"{new} as {a.asname}"

    def keep(a: ast.alias) -> bool:
        return f"{node.module}.{a.name}" in X.BRIDGE_KEEP_FLASK

    rest = [alias(a, C.quart_name(f"{node.module}.{a.name}").rsplit(".", 1)[1])
            for a in node.names if not _is_app_class(node.module, a.name) and not keep(a)]
    app = [alias(a, X.BRIDGE_APP.rsplit(".", 1)[1])
           for a in node.names if _is_app_class(node.module, a.name)]
    kept = [alias(a, a.name) for a in node.names if keep(a)]
    lines = []
    if rest:
        lines.append(f"from {new_module} import {', '.join(rest)}")
    if kept:
        lines.append(f"from {node.module} import {', '.join(kept)}")
    if app:
        lines.append(f"from {X.BRIDGE_MODULE} import {', '.join(app)}")
    return E.ReplaceStatement(code, node.lineno, "\n".join(lines))


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
