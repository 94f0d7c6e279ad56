"""F2Q325: ``except requests.exceptions.X`` → the httpx class(es) that fire in the same failures.

Facts: ``catalogue.http.EXCEPTIONS`` (reference §3.2/§3.3, pairs S11, S12, S14, S24, F11, F12).
Only in async functions whose ``try`` body sends no request that stayed on requests (a direct
call kept by F2Q380/F2Q381 keeps its except clause). Approximate maps get a marker (F2Q384).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase3 import _http as P
from flask2quart import edits as E
from flask2quart.catalogue import http as H
from flask2quart.rules import marker, rule

APPROX = marker(
    "F2Q384", "exception-map-approximate", 3,
    "An except clause mapped to httpx classes that catch almost, not exactly, the same failures",
    "The message names the difference (reference §3.2).",
)
NO_EQUIV = marker(
    "F2Q385", "exception-without-httpx-equivalent", 3,
    "An except clause for a requests exception httpx never raises (RetryError, ...)",
    "Left in place; decide by hand what should be caught now.",
)


def _exc_name(ctx, scope, expr) -> str | None:
    q = P.qual(ctx.index, expr, scope)
    if not q:
        return None
    for prefix in H.EXCEPTION_MODULES:
        if q.startswith(prefix):
            name = q[len(prefix):]
            if name in H.EXCEPTIONS or name in H.EXCEPTIONS_WITHOUT_EQUIVALENT:
                return name
    return None


@rule("F2Q325", "except-requests-to-httpx", 3,
      "except requests.exceptions.X → the httpx classes raised in the same failures")
class ExceptClauses(Rule):
    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        for try_node, t, name, both in handler_types(ctx):
            fact = H.EXCEPTIONS.get(name)
            if fact is None:
                yield E.Marker(NO_EQUIV.code, try_node.lineno, f"`{name}`: httpx has no counterpart")
                continue
            classes = fact.httpx
            if both:
                classes = (ast.get_source_segment(ctx.source.text, t), *classes)
            text = classes[0] if len(classes) == 1 else "(" + ", ".join(classes) + ")"
            yield E.Replace("F2Q325", ctx.span(t), text)
            for cls in fact.httpx:
                yield E.AddImport("F2Q325", cls.split(".")[0])
            if not fact.exact:
                yield E.Marker(APPROX.code, try_node.lineno, f"`{name}` → {text}: {fact.note}")


def handler_types(ctx: RuleContext):
    """(try statement, exception type node, requests name, keep the requests class too) for each
    requests exception in an except clause whose try block reaches a rewritten call."""
    for scope in ctx.functions():
        if not ctx.facts.is_async(scope):
            continue
        for node in ctx.index.own_nodes(scope):
            if not isinstance(node, ast.Try) or not any(h.type is not None for h in node.handlers):
                continue
            reached: set[str] = set()
            for n in P._body_nodes(node.body):
                if isinstance(n, ast.Call):
                    reached |= _reach_call(ctx, scope, n)
            if "new" not in reached:
                continue  # nothing in this try block sends through httpx
            both = "kept" in reached  # requests and httpx both send from here: catch both
            for h in node.handlers:
                types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type] if h.type else []
                for t in types:
                    name = _exc_name(ctx, scope, t)
                    if name is not None:
                        yield node, t, name, both


def _reach_call(ctx, scope, call: ast.Call) -> set[str]:
    """{"new", "kept"}: does this call send a request through httpx (rewritten) or requests
    (kept), itself or through the project functions it calls?"""
    plan = P.plan_call(ctx.facts, scope, call)
    if plan is not None:
        return {"kept" if plan.problem else "new"}
    for c, callee, _ev in ctx.facts.calls.get(scope, ()):
        if c is call:
            return _reach_fn(ctx, callee, set())
    return set()


def _reach_fn(ctx, fn, seen) -> set[str]:
    cache = ctx.facts.__dict__.setdefault("_f2q_reach", {})
    if fn in cache:
        return cache[fn]
    if fn in seen:
        return set()
    seen.add(fn)
    out: set[str] = set()
    for n in ctx.index.own_nodes(fn):
        if isinstance(n, ast.Call):
            plan = P.plan_call(ctx.facts, fn, n)
            if plan is not None:
                out.add("kept" if plan.problem else "new")
    for _c, callee, _ev in ctx.facts.calls.get(fn, ()):
        out |= _reach_fn(ctx, callee, seen)
    cache[fn] = out
    return out
