"""F2Q107: streamed responses the way Quart requires.

Quart's ``stream_with_context`` needs an async-generator *function* and is called as
``stream_with_context(gen)()`` (quart/helpers.py:208-235); Flask's form
``stream_with_context(gen())`` passes a generator object and breaks. Every response is
cut at RESPONSE_TIMEOUT (quart/asgi.py:106-111) unless ``response.timeout = None``;
Flask has no limit, so returned streaming responses get ``timeout = None``.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext, is_generator
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.rules import Example, marker, rule

STREAM_TIMEOUT = marker(
    "F2Q197", "stream-timeout", 1,
    "A streamed response is returned in a form the tool cannot attach `timeout = None` to",
    "Quart cuts responses at RESPONSE_TIMEOUT (60 s). Build the response with "
    "`await make_response(...)` and set `response.timeout = None` for long streams.",
)


@rule(
    "F2Q107", "async-streaming", 1,
    "Generators streamed with stream_with_context become async generators; streams get timeout=None",
    examples=(Example(
        "@app.route('/csv')\ndef export():\n    def generate():\n        yield request.args['a']\n"
        "    return Response(stream_with_context(generate()), mimetype='text/csv')\n",
        "@app.route('/csv')\ndef export():\n    async def generate():\n        yield request.args['a']\n"
        "    response = Response(stream_with_context(generate)(), mimetype='text/csv')\n"
        "    response.timeout = None\n    return response\n",
    ),),
)
class AsyncStreaming(Rule):
    """Converts ``stream_with_context`` generators to async generators and disables
    Quart's response timeout on returned streams."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        code = self.info.code
        index, facts = ctx.index, ctx.facts
        for scope in ctx.functions():
            # @stream_with_context on a generator function
            if is_generator(scope.node) and any(
                index.canonical(d, scope.parent) == C.STREAM_WITH_CONTEXT
                for d in scope.node.decorator_list
            ) and not scope.is_async:
                yield E.MakeAsync(code, scope.node.lineno, scope.name)
            streamed_names: set[str] = set()
            for node in index.own_nodes(scope):
                if not isinstance(node, ast.Call):
                    continue
                ev = ctx.eval_scope(scope, node)
                if index.canonical(node.func, ev) != C.STREAM_WITH_CONTEXT or len(node.args) != 1:
                    continue
                arg = node.args[0]
                if not isinstance(arg, ast.Call):
                    continue
                gen = index.function_for_qualname(index.qualify(arg.func, ev))
                if gen is None or not is_generator(gen.node):
                    continue
                if not gen.is_async and gen not in facts.async_funcs:
                    yield E.MakeAsync(code, gen.node.lineno, gen.name)
                subs = [("swc", ctx.span(node.func)), ("g", ctx.span(arg.func))]
                parts = []
                for i, a in enumerate(arg.args):
                    subs.append((f"a{i}", ctx.span(a.value if isinstance(a, ast.Starred) else a)))
                    parts.append(("*" if isinstance(a, ast.Starred) else "") + f"{{a{i}}}")
                for j, kw in enumerate(arg.keywords, start=len(arg.args)):
                    subs.append((f"a{j}", ctx.span(kw.value)))
                    parts.append(f"{kw.arg}={{a{j}}}" if kw.arg else f"**{{a{j}}}")
                yield E.Replace(code, ctx.span(node), "{swc}({g})(" + ", ".join(parts) + ")",
                                tuple(subs))
                streamed_names.add(gen.name)
            yield from self._timeouts(ctx, scope, streamed_names)

    def _timeouts(self, ctx: RuleContext, scope, streamed_names: set[str]):
        """``return Response(<stream>, ...)`` → set ``timeout = None`` on it."""
        index = ctx.index
        if "view" not in ctx.facts.roles.get(scope, ()):
            return
        local_gens = {c.name for c in scope.children if is_generator(c.node)}
        for node in index.own_nodes(scope):
            if not isinstance(node, ast.Return) or node.value is None:
                continue
            value = node.value
            if not (isinstance(value, ast.Call) and index.canonical(value.func, scope) == C.RESPONSE_CLASS
                    and value.args and _is_stream(value.args[0], local_gens | streamed_names, index, scope)):
                continue
            name = "response" if "response" not in scope.bindings else "streamed_response"
            if name in scope.bindings:
                yield E.Marker(STREAM_TIMEOUT.code, node.lineno, "set `timeout = None` on this stream")
                continue
            yield E.ReplaceStatement(
                self.info.code, node.lineno,
                f"{name} = {{value}}\n{name}.{C.RESPONSE_TIMEOUT_ATTR} = None\nreturn {name}\n",
                (("value", ctx.span(value)),),
            )


def _is_stream(expr: ast.expr, gens: set[str], index, scope) -> bool:
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Name) and expr.func.id in gens:
            return True
        # stream_with_context(gen)() after rewrite, or stream_with_context(gen()) before
        inner = expr.func if isinstance(expr.func, ast.Call) else expr
        if index.canonical(inner.func, scope) == C.STREAM_WITH_CONTEXT:
            return True
    return False
