"""F2Q203: a call to a project sync helper that blocks → ``await asyncio.to_thread(helper, ...)``."""

from __future__ import annotations

from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase2._common import findings, markers, to_thread
from flask2quart import edits as E
from flask2quart.analysis import blocking as A
from flask2quart.rules import Example, marker, rule

HELPER_UNSAFE = marker(
    A.M_HELPER, "blocking-helper-kept-on-loop", 2,
    "A project helper blocks but cannot move to a thread (mutates g/session, thread-affine "
    "object, Flask-SQLAlchemy session, generator)",
    "The marker names the chain from the call site to the blocking call and the reason. Make the "
    "helper self-contained (create and close its connection inside, return plain data, leave "
    "`g` alone) and the next run moves it.",
)


@rule(
    "F2Q203", "blocking-helper-to-thread", 2,
    "A sync project helper that blocks runs in one worker thread: await asyncio.to_thread(helper, ...)",
    examples=(Example(
        "def read_report(path):\n    with open(path) as f:\n        return f.read()\n\n\n"
        "async def report():\n    return read_report('r.txt')\n",
        "import asyncio\n\ndef read_report(path):\n    with open(path) as f:\n        return f.read()\n\n\n"
        "async def report():\n    return await asyncio.to_thread(read_report, 'r.txt')\n"),),
)
class BlockingHelperToThread(Rule):
    """Blocking is followed through the project's own sync functions, across modules; the call
    site in async code moves the whole helper (one thread hop instead of one per call)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        found = findings(ctx)
        for f in found:
            if f.action == A.HELPER:
                yield from to_thread(ctx, self.info.code, f.call)
        yield from markers(ctx, found, {A.M_HELPER})
