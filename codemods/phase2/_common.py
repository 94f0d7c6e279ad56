"""Shared by the phase-2 rules: findings for one module, and the rewrite templates."""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import RuleContext
from flask2quart import edits as E
from flask2quart.analysis.blocking import Finding, analysis_for
from flask2quart.catalogue import blocking as B


def findings(ctx: RuleContext) -> list[Finding]:
    out = []
    for f in analysis_for(ctx.facts).findings(ctx.module.source.module):
        if f.scope.module is not ctx.source:
            continue
        if ctx.phase >= 3 and f.entry is not None and B.handled_by_phase3(f.entry.name):
            continue  # phase 3 rewrites it to httpx
        out.append(f)
    return out


def chain_text(f: Finding) -> str:
    return " → ".join(f.chain)


def to_thread(ctx: RuleContext, code: str, call: ast.Call) -> Iterable[E.Edit]:
    """``fn(a, *b, k=c, **d)`` → ``await asyncio.to_thread(fn, a, *b, k=c, **d)``."""
    parts, subs = ["{fn}"], [("fn", ctx.span(call.func))]
    items: list[tuple[tuple[int, int], str, ast.expr]] = []
    for a in call.args:
        if isinstance(a, ast.Starred):
            items.append(((a.lineno, a.col_offset), "*", a.value))
        else:
            items.append(((a.lineno, a.col_offset), "", a))
    for k in call.keywords:
        prefix = f"{k.arg}=" if k.arg is not None else "**"
        items.append(((k.lineno, k.col_offset), prefix, k.value))
    for i, (_pos, prefix, expr) in enumerate(sorted(items, key=lambda t: t[0])):
        parts.append(f"{prefix}{{a{i}}}")
        subs.append((f"a{i}", ctx.span(expr)))
    template = f"await {B.TO_THREAD}(" + ", ".join(parts) + ")"
    yield E.Replace(code, ctx.span(call), template, tuple(subs))
    yield E.AddImport(code, B.ASYNCIO)


def _statement(ctx: RuleContext, node: ast.AST) -> ast.AST:
    cur = node
    while cur is not None and not isinstance(cur, ast.stmt):
        cur = ctx.parent(cur)
    return cur if cur is not None else node


def markers(ctx: RuleContext, found: list[Finding], codes: set[str]) -> Iterable[E.Edit]:
    """One phase-2 marker per statement (every rule picks the same one: the lowest code, then
    the first in source order), with the chain from the call site to the blocking call."""
    best: dict[int, Finding] = {}
    for f in found:
        if f.code is None:
            continue
        key = id(_statement(ctx, f.call))
        cur = best.get(key)
        if cur is None or (f.code, f.line, f.call.col_offset) < (cur.code, cur.line, cur.call.col_offset):
            best[key] = f
    for f in best.values():
        if f.code in codes:
            chain = f" [{chain_text(f)}]" if len(f.chain) > 1 else ""
            yield E.Marker(f.code, f.line, f"{f.reason}{chain}")
