"""F2Q336: ``import requests`` is removed from a module where phase 3 rewrote every use.

Every ``requests`` name in the module must be part of something phase 3 replaced: a rewritten
call (``requests.get`` → ``http.get``), an auth class inside one, a Session construction moved
into the app-owned client factory, or an except-clause type mapped to httpx alone. One use
left (sync code, a kept call, ``requests.codes``) keeps the import.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase3 import _http as P
from codemods.phase3.exceptions import handler_types
from codemods.phase3.sessions import _active_sessions
from flask2quart import edits as E
from flask2quart.catalogue import http as H
from flask2quart.rules import rule


@rule("F2Q336", "unused-requests-import", 3,
      "`import requests` is dropped from modules where every use was rewritten to httpx")
class DropRequestsImport(Rule):
    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        stmt = unused_requests_import(ctx)
        if stmt is None:
            return
        from codemods.phase3.calls import ssl_anchor  # that rule rewrites the line when it anchors there

        anchor = ssl_anchor(ctx) if _has_call_clients(ctx) else None
        if anchor is not None and anchor[0] is stmt:
            return
        yield E.ReplaceStatement("F2Q336", stmt.lineno, "")


def _has_call_clients(ctx) -> bool:
    plans = [p for p in getattr(ctx.facts, "_f2q_plans", {}).values() if p.session is None and p.problem is None]
    if not plans:
        return False
    nodes = {id(n) for n in ctx.index.walk(ctx.module.source.tree) if isinstance(n, ast.Call)}
    return any(id(p.call) in nodes for p in plans)


def unused_requests_import(ctx: RuleContext) -> ast.stmt | None:
    """The module's ``import requests`` when every use of it is rewritten by phase 3."""
    cache = ctx.facts.__dict__.setdefault("_f2q_unused_import", {})
    key = ctx.module.source.module
    if key not in cache:
        cache[key] = _unused(ctx)
    return cache[key]


def _unused(ctx):
    imports = [n for n in ctx.module.source.tree.body
               if isinstance(n, ast.Import) and [(a.name, a.asname) for a in n.names] == [(H.REQUESTS, None)]]
    if len(imports) != 1:
        return None
    covered = _Covered._covered(ctx)
    if covered is None:
        return None
    for scope in ctx.scopes():
        for node in ctx.index.own_nodes(scope):
            if isinstance(node, ast.Name) and node.id == H.REQUESTS and id(node) not in covered:
                found = ctx.index.lookup(H.REQUESTS, ctx.eval_scope(scope, node))
                if found is not None and found[1].kind == "import":
                    return None  # a use that stays
    return imports[0]


class _Covered:  # noqa: D101
    @staticmethod
    def _covered(ctx: RuleContext) -> set[int] | None:
        covered: set[int] = set()

        def names(node):
            covered.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == H.REQUESTS)

        for scope in ctx.functions():
            for node in ctx.index.own_nodes(scope):
                if isinstance(node, ast.Call):
                    plan = P.plan_call(ctx.facts, scope, node)
                    if plan is not None and plan.problem is None and ctx.facts.is_async(scope):
                        names(node.func)
                        for k in node.keywords:
                            if k.arg == "auth" and isinstance(k.value, ast.Call):
                                names(k.value.func)
        for s in _active_sessions(ctx):
            if s.module == ctx.module.source.module:
                names(s.stmt.value.func)
        for _try, t, name, both in handler_types(ctx):
            if both:
                return None
            names(t)
        return covered
