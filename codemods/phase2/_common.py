"""Shared by the phase-2 rules: findings for one module, and the rewrite templates."""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import RuleContext
from flask2quart import edits as E
from flask2quart.analysis.blocking import Finding, analysis_for
from flask2quart.catalogue import blocking as B

NO_REWRITE_CODE = "F2Q286"


def findings(ctx: RuleContext) -> list[Finding]:
    out = []
    for f in analysis_for(ctx.facts, ctx.phase).findings(ctx.module.source.module):
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
    if any(isinstance(expr, ast.GeneratorExp) for _p, _x, expr in items):
        # a bare generator argument has no span of its own in LibCST's terms: leave it be
        yield E.Marker(NO_REWRITE_CODE, call.lineno,
                       "blocking call with a generator-expression argument: not rewritten")
        return
    for i, (_pos, prefix, expr) in enumerate(sorted(items, key=lambda t: t[0])):
        piece, span = _arg(ctx, expr, f"a{i}")
        parts.append(prefix + piece)
        subs.append((f"a{i}", span))
    template = f"await {B.TO_THREAD}(" + ", ".join(parts) + ")"
    yield E.Replace(code, ctx.span(call), template, tuple(subs))
    yield E.AddImport(code, B.ASYNCIO)


def _statement(ctx: RuleContext, node: ast.AST) -> ast.AST:
    cur = node
    while cur is not None and not isinstance(cur, ast.stmt):
        cur = ctx.parent(cur)
    return cur if cur is not None else node


def _arg(ctx: RuleContext, expr: ast.expr, name: str) -> tuple[str, E.Span]:
    """Template piece and span of one argument. ``ast`` counts a tuple's parentheses as part of
    the tuple, LibCST does not (its node still prints them): the span is the inside."""
    span = ctx.span(expr)
    if isinstance(expr, ast.Tuple) and span.line == span.end_line:
        text = ctx.source.lines.line_text(span.line)
        if text[span.col:span.col + 1] == "(" and text[span.end_col - 1:span.end_col] == ")":
            return f"{{{name}}}", E.Span(span.line, span.col + 1, span.end_line, span.end_col - 1)
    elif isinstance(expr, ast.Tuple):
        first = ctx.source.lines.line_text(span.line)[span.col:span.col + 1]
        last = ctx.source.lines.line_text(span.end_line)[span.end_col - 1:span.end_col]
        if first == "(" and last == ")":
            return f"{{{name}}}", E.Span(span.line, span.col + 1, span.end_line, span.end_col - 1)
    return f"{{{name}}}", span


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
