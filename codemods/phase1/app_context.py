"""F2Q105: ``with app.app_context()`` / ``test_request_context()`` → ``async with``.

Quart's contexts are async-only: a sync ``with`` raises TypeError (quart/ctx.py:243-253).
Facts: ``catalogue.ASYNC_CONTEXT_METHODS``. In code that must stay sync a marker is left.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase1.await_coroutines import NO_AWAIT_HERE, direct_sites
from flask2quart import edits as E
from flask2quart.rules import Example, rule


@rule(
    "F2Q105", "async-with-context", 1,
    "`with app.app_context()` and `app.test_request_context()` become `async with`",
    examples=(Example(
        "def seed(app):\n    with app.app_context():\n        init()\n",
        "async def seed(app):\n    async with app.app_context():\n        init()\n",
    ),),
)
class AsyncWithContext(Rule):
    """Turns framework context managers into ``async with`` inside async code."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        facts = ctx.facts
        for scope in [ctx.module.scope, *ctx.functions()]:
            sites = facts.direct_sites.get(scope, ()) if scope.kind == "function" \
                else list(direct_sites(facts, scope))
            for site in sites:
                if site.code != self.info.code or not isinstance(site.node, ast.With):
                    continue
                if not facts.is_async(scope):
                    yield E.Marker(NO_AWAIT_HERE.code, site.node.lineno,
                                   f"`{site.reason}` needs `async with` but this code must stay sync")
                    continue
                node = site.node
                yield E.AsyncWith(self.info.code, node.lineno,
                                  ctx.source.lines.col(node.lineno, node.col_offset))
