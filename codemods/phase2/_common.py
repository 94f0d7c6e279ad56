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
    ordered = sorted(items, key=lambda t: t[0])
    for i, (_pos, prefix, expr) in enumerate(ordered):
        piece, span = _arg(ctx, expr, f"a{i}")
        parts.append(prefix + piece)
        subs.append((f"a{i}", span))
    template = f"await {B.TO_THREAD}(" + ", ".join(parts) + ")"
    if call.lineno != call.end_lineno:
        # keep the argument list's own layout and comments: the original text between the
        # parentheses, each argument replaced by its placeholder
        laid_out = _layout(ctx, call, [expr for _p, _x, expr in ordered])
        if laid_out is not None:
            # LibCST re-adds the enclosing block's indentation to continuation lines
            stmt_line = ctx.source.lines.line_text(_statement(ctx, call).lineno)
            indent = stmt_line[:len(stmt_line) - len(stmt_line.lstrip(" \t"))]
            if indent:
                laid_out = "\n".join(ln[len(indent):] if i and ln.startswith(indent) else ln
                                     for i, ln in enumerate(laid_out.split("\n")))
            sep = "," if laid_out.lstrip(" \t").startswith(("\n", "#")) else ", "
            template = f"await {B.TO_THREAD}({{fn}}{sep}" + laid_out
    yield E.Replace(code, ctx.span(call), template, tuple(subs))
    yield E.AddImport(code, B.ASYNCIO)


def _statement(ctx: RuleContext, node: ast.AST) -> ast.AST:
    cur = node
    while cur is not None and not isinstance(cur, ast.stmt):
        cur = ctx.parent(cur)
    return cur if cur is not None else node


def _offset(ctx: RuleContext, line: int, col: int) -> int:
    starts = getattr(ctx.source, "_f2q_line_starts", None)
    if starts is None:
        starts, pos = [0], 0
        for ln in ctx.source.text.splitlines(keepends=True):
            pos += len(ln)
            starts.append(pos)
        ctx.source._f2q_line_starts = starts
    return starts[line - 1] + col


def _layout(ctx: RuleContext, call: ast.Call, args: list[ast.expr]) -> str | None:
    """The call's argument list from just after ``(`` to ``)`` with every argument's text
    replaced by ``{aN}`` (braces in the rest doubled), or None when it cannot be cut out."""
    text = ctx.source.text
    fn = ctx.span(call.func)
    whole = ctx.span(call)
    start = _offset(ctx, fn.end_line, fn.end_col)
    end = _offset(ctx, whole.end_line, whole.end_col)
    if text[start:start + 1] != "(" or text[end - 1:end] != ")" or not args and call.keywords:
        return None
    pos, out = start + 1, []
    for i, expr in enumerate(args):
        sp = ctx.span(expr)
        a, b = _offset(ctx, sp.line, sp.col), _offset(ctx, sp.end_line, sp.end_col)
        if a < pos or b > end:
            return None
        out.append(text[pos:a].replace("{", "{{").replace("}", "}}"))
        out.append(f"{{a{i}}}")
        pos = b
    out.append(text[pos:end].replace("{", "{{").replace("}", "}}"))
    return "".join(out)


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
