"""F2Q109: ``app.open_resource`` / ``open_instance_resource``.

In Quart these are coroutines returning an aiofiles context manager
(``async with await app.open_resource(p) as f: await f.read()``, quart/app.py:372-400).
In async code with that simple shape the tool writes the async form; elsewhere
(CLI commands, sync helpers, a file object passed on) it writes Flask's own
definition, which is sync and exactly equivalent:
``open(os.path.join(app.root_path, resource), mode)`` (flask/sansio/scaffold.py,
``Flask.open_resource``).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.catalogue import Kind
from flask2quart.rules import Example, rule


@rule(
    "F2Q109", "open-resource", 1,
    "app.open_resource: `async with await` in async code, Flask's sync equivalent elsewhere",
    examples=(Example(
        "def init_db():\n    with current_app.open_resource('schema.sql') as f:\n"
        "        db.executescript(f.read().decode('utf8'))\n",
        "import os\n\ndef init_db():\n    with open(os.path.join(current_app.root_path, 'schema.sql'), 'rb') as f:\n"
        "        db.executescript(f.read().decode('utf8'))\n",
    ),),
)
class OpenResource(Rule):
    """Rewrites resource opening so it works on Quart without changing what is read."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index, facts = ctx.index, ctx.facts
        code = self.info.code
        for scope in ctx.scopes():
            for node in index.own_nodes(scope):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in C.OPEN_RESOURCE_METHODS):
                    continue
                ev = ctx.eval_scope(scope, node)
                owner = index.kind(node.func.value, ev)
                if owner not in (Kind.APP, Kind.BLUEPRINT) or ctx.is_awaited(node):
                    continue
                with_stmt = self._simple_with(ctx, node)
                if with_stmt is not None and facts.is_async(scope) and ev is scope:
                    var = with_stmt.items[0].optional_vars.id
                    reads = _reads(ctx, with_stmt, var)
                    if reads is not None:
                        yield E.AsyncWith(code, with_stmt.lineno,
                                          ctx.source.lines.col(with_stmt.lineno, with_stmt.col_offset))
                        yield E.Await(code, ctx.span(node))
                        for r in reads:
                            yield E.Await(code, ctx.span(r))
                        continue
                yield from self._sync_form(ctx, node)

    @staticmethod
    def _simple_with(ctx: RuleContext, call: ast.Call) -> ast.With | None:
        item = ctx.parent(call)
        stmt = ctx.parent(item) if isinstance(item, ast.withitem) else None
        if (isinstance(stmt, ast.With) and len(stmt.items) == 1
                and isinstance(stmt.items[0].optional_vars, ast.Name)):
            return stmt
        return None

    def _sync_form(self, ctx: RuleContext, node: ast.Call):
        args = list(node.args)
        kws = {k.arg: k.value for k in node.keywords}
        if None in kws or not (args or "resource" in kws):
            return
        os_binding = ctx.module.scope.bindings.get(C.OPEN_RESOURCE_SYNC_IMPORT)
        if os_binding is not None and os_binding.target != C.OPEN_RESOURCE_SYNC_IMPORT:
            return  # `os` means something else here
        res = args[0] if args else kws["resource"]
        mode = args[1] if len(args) > 1 else kws.get("mode")
        enc = args[2] if len(args) > 2 else kws.get("encoding")
        subs = [("obj", ctx.span(node.func.value)), ("res", ctx.span(res))]
        mode_text = C.OPEN_RESOURCE_DEFAULT_MODE
        if mode is not None:
            subs.append(("mode", ctx.span(mode)))
            mode_text = "{mode}"
        if enc is not None:
            subs.append(("enc", ctx.span(enc)))
            mode_text += ", encoding={enc}"
        template = C.OPEN_RESOURCE_SYNC_TEMPLATE.replace("{mode}", mode_text)
        yield E.Replace(self.info.code, ctx.span(node), template, tuple(subs))
        yield E.AddImport(self.info.code, C.OPEN_RESOURCE_SYNC_IMPORT)


def _reads(ctx: RuleContext, with_stmt: ast.With, var: str) -> list[ast.Call] | None:
    """The ``var.read()`` calls in the block, if they are its only uses of ``var``; else None."""
    calls = []
    for stmt in with_stmt.body:
        for n in ast.walk(stmt):
            if not (isinstance(n, ast.Name) and n.id == var):
                continue
            attr = ctx.parent(n)
            call = ctx.parent(attr)
            if not (isinstance(attr, ast.Attribute) and attr.attr == C.OPEN_RESOURCE_READ
                    and isinstance(call, ast.Call) and call.func is attr
                    and isinstance(n.ctx, ast.Load)):
                return None
            calls.append(call)
    return calls
