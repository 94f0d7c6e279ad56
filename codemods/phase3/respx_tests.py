"""F2Q330: tests that mock ``requests`` with ``responses`` → the ``respx`` equivalents.

Facts: ``catalogue.http`` section 6 (reference §6.4, 10 equivalent tests verified): bare
``@respx.mock`` (like ``@responses.activate``: unused routes are fine), a URL without a query
matches any query in both, ``respx.calls`` records the calls. respx patches httpcore, so it also
intercepts the AsyncClient the app opened in ``before_serving``.

Converted only when the whole module uses the common shapes (``@responses.activate``,
``responses.add(responses.GET, url, json=…, status=…, body=…, headers=…)``,
``responses.get/post/…(url, …)``, ``len(responses.calls)``, ``responses.calls[i].request.url``)
and no project request stays on ``requests`` (respx would not see it); otherwise a marker.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.catalogue import http as H
from flask2quart.rules import Example, marker, rule

CODE = "F2Q330"
KEPT = marker(
    "F2Q386", "responses-mock-kept", 3,
    "A `responses` mock the tool did not convert to respx",
    "The message names the shape (or the requests calls that stay, which respx would not see). "
    "See the responses → respx table in docs/phase3.md.",
)
_METHODS = {m.lower() for m in H.RESPONSES_METHODS}
_RESPONSE_KW = {"json": "json", "body": "content", "headers": "headers", "status": None}


def _q(ctx, scope, node):
    return ctx.index.qualify(node, ctx.eval_scope(scope, node))


@rule(CODE, "responses-to-respx", 3,
      "Tests mocking requests with `responses` → the same mocks with `respx` (httpx)",
      examples=(Example(
          "@responses.activate\ndef test_x(client):\n"
          "    responses.add(responses.GET, URL, json={'a': 1}, status=200)\n",
          "@respx.mock\ndef test_x(client):\n"
          "    respx.get(URL).mock(return_value=httpx.Response(200, json={'a': 1}))\n"),))
class ResponsesToRespx(Rule):
    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        imp = None
        for node in ctx.module.source.tree.body:
            if isinstance(node, ast.Import) and any(a.name == "responses" and a.asname is None for a in node.names):
                imp = node
        if imp is None:
            return
        edits, problem = [], None
        scopes = [ctx.module.scope, *ctx.functions()]
        for scope in scopes:
            for node in ctx.index.own_nodes(scope):
                if not (isinstance(node, ast.Name) and node.id == "responses"):
                    continue
                if _q(ctx, scope, node) != "responses":
                    continue
                parent = ctx.index.parent(scope, node)
                if not isinstance(parent, ast.Attribute):
                    problem = problem or f"`responses` used as a value (line {node.lineno})"
                    continue
                got = _convert(ctx, scope, parent)
                if isinstance(got, str):
                    problem = problem or got
                elif got is not None:
                    edits.extend(got)
        if problem is None:
            kept = _kept_requests(ctx)
            if kept:
                problem = f"{kept} request(s) in the project stay on requests (respx would not see them)"
        if problem is not None:
            yield E.Marker(KEPT.code, imp.lineno, f"`responses` kept: {problem}")
            return
        yield from edits
        yield E.RewriteImport(CODE, imp.lineno, ctx.source.lines.col(imp.lineno, imp.col_offset), None,
                              (("responses", "respx"),))
        yield E.AddImport(CODE, H.HTTPX)


def _kept_requests(ctx) -> int:
    plans = getattr(ctx.facts, "_f2q_plans", {}).values()
    n = 0
    for p in plans:
        if p.problem and not p.problem.startswith("kept sync"):
            n += 1
    return n


def _convert(ctx, scope, attr: ast.Attribute):
    """Edits for one ``responses.X`` use, None for a part handled by its parent, or a problem."""
    parent = ctx.index.parent(scope, attr)
    name = attr.attr
    if name == "activate":
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and attr in parent.decorator_list:
            return [E.Replace(CODE, ctx.span(attr), "respx.mock")]
        return f"`responses.activate` used other than as a bare decorator (line {attr.lineno})"
    if name.upper() in H.RESPONSES_METHODS and name.isupper():
        call = parent
        if isinstance(call, ast.Call) and call.args and call.args[0] is attr and isinstance(call.func, ast.Attribute) \
                and call.func.attr == "add":
            return None  # converted with its add() call
        return f"`responses.{name}` outside responses.add(...) (line {attr.lineno})"
    if name == "calls":
        up = parent
        if isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id == "len":
            return [E.Replace(CODE, ctx.span(attr), "respx.calls")]
        if isinstance(up, ast.Subscript):
            req = ctx.index.parent(scope, up)
            if isinstance(req, ast.Attribute) and req.attr == "request":
                leaf = ctx.index.parent(scope, req)
                if isinstance(leaf, ast.Attribute) and leaf.attr in ("url", "method"):
                    tpl = "str({x})" if leaf.attr == "url" else "{x}"
                    return [E.Replace(CODE, ctx.span(attr), "respx.calls"),
                            E.Replace(CODE, ctx.span(leaf), tpl, (("x", ctx.span(leaf)),))]
        return f"`responses.calls` shape not converted (line {attr.lineno})"
    if name == "add" or name in _METHODS:
        call = parent
        if not (isinstance(call, ast.Call) and call.func is attr and isinstance(ctx.index.parent(scope, call), ast.Expr)):
            return f"`responses.{name}` not called as a statement (line {attr.lineno})"
        args = list(call.args)
        if name == "add":
            if not args or not (isinstance(args[0], ast.Attribute) and args[0].attr in H.RESPONSES_METHODS):
                return f"responses.add without a responses.METHOD first argument (line {call.lineno})"
            method = args.pop(0).attr.lower()
        else:
            method = name
        if len(args) != 1 or any(k.arg not in _RESPONSE_KW for k in call.keywords):
            return f"responses.{name}(...) arguments not converted (line {call.lineno})"
        subs = [("url", ctx.span(args[0]))]
        status = "200"
        parts = []
        for k in call.keywords:
            if k.arg == "status":
                status = "{status}"
                subs.append(("status", ctx.span(k.value)))
            elif k.arg == "body" and not (isinstance(k.value, ast.Constant) and isinstance(k.value.value, (str, bytes))):
                return f"responses body= that is not a str/bytes literal (line {call.lineno})"
            else:
                parts.append(f"{_RESPONSE_KW[k.arg]}={{k_{k.arg}}}")
                subs.append((f"k_{k.arg}", ctx.span(k.value)))
        inner = ", ".join([status, *parts])
        tpl = f"respx.{method}({{url}}).mock(return_value=httpx.Response({inner}))"
        return [E.Replace(CODE, ctx.span(call), tpl, tuple(subs))]
    return f"`responses.{name}` not converted (line {attr.lineno})"
