"""F2Q320-F2Q323: members of a rewritten call's response keep requests' meaning.

Facts: ``catalogue.http`` RESPONSE_* (reference §2, pairs S13, S15, S16). Only responses of
calls that phase 3 rewrote are touched; ``plan_call`` already refused calls whose response
is used in a way these rules do not cover.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase3 import _http as P
from flask2quart import edits as E
from flask2quart.catalogue import http as H
from flask2quart.rules import RuleInfo, register, rule

OK_CODE, REASON_CODE, RAISE_CODE, URL_CODE = "F2Q320", "F2Q321", "F2Q322", "F2Q323"
register(RuleInfo(REASON_CODE, "response-reason", 3, "r.reason → r.reason_phrase (S16)", True))
register(RuleInfo(RAISE_CODE, "response-raise-for-status", 3,
                  "r.raise_for_status() → `if r.is_error: r.raise_for_status()` (httpx raises on 3xx too; S13)", True))
register(RuleInfo(URL_CODE, "response-url-str", 3, "r.url → str(r.url): requests' url is a str (S16)", True))


@rule(OK_CODE, "response-ok", 3, "r.ok → (not r.is_error): 400-599 only, like requests (S15)")
class ResponseMembers(Rule):
    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        for scope in ctx.functions():
            for node in ctx.index.own_nodes(scope):
                if not isinstance(node, ast.Call):
                    continue
                plan = P.plan_call(ctx.facts, scope, node)
                if plan is None or plan.problem is not None or not ctx.facts.is_async(scope):
                    continue
                parent = ctx.index.parent(scope, node)
                if isinstance(parent, ast.Attribute):
                    yield from _member(ctx, scope, parent, node, direct=True)
                elif plan.response_name:
                    for n in ctx.index.own_nodes(scope):
                        if isinstance(n, ast.Name) and n.id == plan.response_name and isinstance(n.ctx, ast.Load):
                            p = ctx.index.parent(scope, n)
                            if isinstance(p, ast.Attribute):
                                yield from _member(ctx, scope, p, n, direct=False)


def _member(ctx, scope, attr: ast.Attribute, value: ast.expr, direct: bool):
    r = "({r})" if direct else "{r}"
    subs = (("r", ctx.span(value)),)
    if attr.attr == "ok":
        yield E.Replace(OK_CODE, ctx.span(attr), H.RESPONSE_ATTRS["ok"].replace("{r}", r), subs)
    elif attr.attr == "reason":
        yield E.Replace(REASON_CODE, ctx.span(attr), H.RESPONSE_ATTRS["reason"].replace("{r}", r), subs)
    elif attr.attr == H.RESPONSE_URL[0]:
        yield E.Replace(URL_CODE, ctx.span(attr), H.RESPONSE_URL[1].replace("{r}", r), subs)
    elif attr.attr == H.RAISE_FOR_STATUS and not direct:
        stmt = P.enclosing_stmt(ctx.index, scope, attr)
        yield E.ReplaceStatement(RAISE_CODE, stmt.lineno, H.RAISE_FOR_STATUS_STATEMENT, subs)
