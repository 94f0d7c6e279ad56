"""Jinja templates that Flask's synchronous ``render_template`` can render under the bridge.

Quart's Jinja environment is async (``enable_async=True``), so ``Template.render()`` (what
``flask.render_template`` calls) runs ``asyncio.run(render_async())``, which fails on the loop
thread. :class:`BridgeTemplate` waits for ``render_async()`` through the bridge instead when called
from a bridge greenlet (sync views, hooks, extension code), keeps Jinja's behaviour in a thread
without a loop, and raises a clear error when called directly from async code on the loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import jinja2

from ._sync import BridgeSyncError, await_sync, in_bridge_greenlet


class BridgeTemplate(jinja2.Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        if not self.environment.is_async:
            return super().render(*args, **kwargs)
        if in_bridge_greenlet():
            return await_sync(self.render_async(*args, **kwargs))
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return super().render(*args, **kwargs)  # a thread without a loop: asyncio.run is fine
        raise BridgeSyncError(
            "flask2quart.bridge: a Jinja template was rendered synchronously (flask.render_template"
            " / Template.render) from async code on the event-loop thread. Use `await "
            "quart.render_template(...)` in async code; Flask code that renders from a sync view, "
            "hook or extension callback works under the bridge."
        )
