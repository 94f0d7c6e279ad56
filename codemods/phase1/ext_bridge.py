"""F2Q170/F2Q171: every Flask extension phase 1 does not swap is listed for a person.

The verdict per extension comes from :func:`flask2quart.analysis.extensions.extension_usage`
(facts: ``catalogue/extensions.py`` and ``bridge/supported.py``). An extension on the bridge
keeps running unchanged (F2Q101 imports ``Quart`` from ``flask2quart.bridge``); the marker at
its import lists it as remaining work with the native option. An extension with no automatic
form gets F2Q171 with the advice.
"""

from __future__ import annotations

from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.analysis import extensions as AX
from flask2quart.bridge import supported as S
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, marker, rule

ON_BRIDGE = marker(
    "F2Q170", "extension-on-bridge", 1,
    "A Flask extension keeps running through flask2quart.bridge (remaining work)",
    "The extension runs unchanged because the app class is flask2quart.bridge.Quart. It is "
    "synchronous code inside an async app: see docs/bridge.md for its hazards, and move to "
    "the native option named in the marker when you can (docs/extensions.md).",
)

NEEDS_PERSON = marker(
    "F2Q171", "extension-needs-person", 1,
    "A Flask extension has no automatic Quart form and does not run on the bridge",
    "Neither a mechanical swap nor flask2quart.bridge covers this extension; the marker says "
    "what to use instead (docs/extensions.md).",
)


def bridge_message(flask_module: str, reason: str = "") -> str:
    entry = S.EXTENSIONS.get(flask_module) or {}
    native = entry.get("native")
    fact = X.EXTENSIONS.get(flask_module)
    if fact is not None and fact.verdict == X.SWAP and fact.quart_requirement:
        option = f"native: {fact.quart_requirement.split('==')[0]}"
    elif native:
        option = f"native: {native['pypi']}"
    else:
        option = "no native Quart extension"
    why = f" ({reason})" if reason else ""
    return f"`{flask_module}` runs through flask2quart.bridge; {option}{why}"


@rule(
    "F2Q130", "extension-verdicts", 1,
    "List each Flask extension left on flask2quart.bridge or for a person at its import",
    safe=False,
    examples=(Example(
        "from flask_sqlalchemy import SQLAlchemy\n",
        "# flask2quart: F2Q170 `flask_sqlalchemy` runs through flask2quart.bridge; native: "
        "SQLAlchemy[asyncio]\nfrom flask_sqlalchemy import SQLAlchemy\n",
    ),),
)
class ExtensionVerdicts(Rule):
    """Leaves F2Q170 (on the bridge) or F2Q171 (needs a person) once per extension that is not
    swapped in this project, above its first import outside the tests (module order)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        usage = AX.extension_usage(ctx.index)
        for imp in AX.home_imports(ctx.index).values():
            if imp.module != ctx.source.module:
                continue
            verdict = usage.get(imp.flask_module)
            if _already_marked(ctx, imp.line, imp.flask_module):
                continue  # a second run (comments above a module's first statement are its header)
            if verdict == X.BRIDGE:
                reason = ""
                unhandled = [u for u in AX.uses(ctx.index, imp.flask_module) if not u.handled]
                if unhandled:
                    u = unhandled[0]
                    reason = f"not swapped: {u.why} at {u.module}:{u.line}"
                yield E.Marker(ON_BRIDGE.code, imp.line, bridge_message(imp.flask_module, reason))
            elif verdict == X.PERSON:
                fact = X.EXTENSIONS.get(imp.flask_module)
                advice = fact.advice if fact is not None else X.UNKNOWN_ADVICE
                yield E.Marker(NEEDS_PERSON.code, imp.line, f"`{imp.flask_module}`: {advice}")


def _already_marked(ctx: RuleContext, line: int, flask_module: str) -> bool:
    n = line - 1
    while n > 0:
        text = ctx.source.lines.line_text(n).strip()
        if not text.startswith("#"):
            return False
        if text.startswith(E.MARKER_PREFIX) and f"`{flask_module}`" in text:
            return True
        n -= 1
    return False
