"""F2Q201: ``time.sleep(x)`` in async code → ``await asyncio.sleep(x)``."""

from __future__ import annotations

from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase2._common import findings, markers
from flask2quart import edits as E
from flask2quart.analysis import blocking as A
from flask2quart.catalogue import blocking as B
from flask2quart.rules import Example, marker, rule

NO_REWRITE = marker(
    A.M_NO_REWRITE, "blocking-no-rewrite", 2,
    "A blocking call the tool does not rewrite (no faithful form, or `asyncio` is taken)",
    "`subprocess.Popen`, `os.popen`, `urllib.request.urlopen`, an unusual `time.sleep` call, or a "
    "module where the name `asyncio` means something else. Move the work into a sync function "
    "and call it with `await asyncio.to_thread(...)`, or use the async alternative named.",
)


@rule(
    "F2Q201", "sleep-to-asyncio-sleep", 2,
    "time.sleep(x) in async code becomes await asyncio.sleep(x)",
    examples=(Example(
        "import time\n\n\nasync def poll():\n    time.sleep(0.5)\n",
        "import time\nimport asyncio\n\n\nasync def poll():\n    await asyncio.sleep(0.5)\n"),),
)
class SleepToAsyncioSleep(Rule):
    """``time.sleep`` (resolved through imports and aliases) in a function that is async after
    phase 1 stops the whole event loop; ``asyncio.sleep`` waits for this request only. Sync code
    (CLI commands, threads, sync helpers) is left alone."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        found = findings(ctx)
        for f in found:
            if f.action != A.SLEEP:
                continue
            yield E.Replace(self.info.code, ctx.span(f.call), f"await {B.ASYNC_SLEEP}({{x}})",
                            (("x", ctx.span(f.call.args[0])),))
            yield E.AddImport(self.info.code, B.ASYNCIO)
        yield from markers(ctx, found, {A.M_NO_REWRITE})
