"""F2Q103: views, hooks, helpers and decorator wrappers that await become ``async def``.

The set comes from the whole-project fixpoint in :mod:`flask2quart.analysis.facts`.
Quart awaits views and most hooks through ``ensure_async`` (quart/app.py:1156-1182), so a
sync function may become async; hooks Quart calls directly stay sync
(``catalogue.REGISTRATION_METHODS`` MUST_SYNC, quart_api.md §1f).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.rules import Example, marker, rule

SYNC_CONFLICT = marker(
    "F2Q193", "sync-only-needs-async", 1,
    "Code that must stay sync calls or is wrapped by something that became async",
    "Quart calls url_value_preprocessor/url_defaults/shell_context_processor, CLI commands and "
    "thread targets synchronously. Restructure so the async work happens in a view or an async hook.",
)


@rule(
    "F2Q103", "async-def", 1,
    "Make views, hooks and helpers that await (directly or through callees) `async def`",
    examples=(
        Example(
            "def load(): return request.get_json()\n\n@bp.route('/x')\ndef view():\n    return load()\n",
            "async def load(): return await request.get_json()\n\n@bp.route('/x')\nasync def view():\n    return await load()\n",
        ),
    ),
)
class AsyncDefs(Rule):
    """Adds ``async`` to every function of this module in the async frontier and
    leaves a marker where sync-only code would need to await."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        facts = ctx.facts
        for scope in ctx.functions():
            if scope in facts.async_funcs and not scope.is_async:
                yield E.MakeAsync(self.info.code, scope.node.lineno, scope.name)
        for scope, node, why in facts.conflicts:
            if scope.module is ctx.source:
                yield E.Marker(SYNC_CONFLICT.code, getattr(node, "lineno", scope.node.lineno), why)
