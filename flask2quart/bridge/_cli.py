"""``app.cli`` for the bridge: every app command runs inside a bridged app context.

Flask gives all ``app.cli`` commands an app context (``FlaskGroup.get_command`` pushes one), and
Flask's ``with_appcontext`` (used by Flask-Migrate) only pushes its own when ``flask.current_app``
is unbound, and then looks the app up through a ``flask.cli.ScriptInfo`` that cannot find a Quart
app ("Failed to find Flask application or factory"). Quart's ``AppGroup`` pushes nothing unless
``with_appcontext=True`` is passed.

:class:`BridgeAppGroup` hands out, for every command looked up on ``app.cli`` (``quart db
upgrade``, ``app.test_cli_runner().invoke(args=[...])``), a shallow copy whose ``invoke`` runs
inside ``async with app.app_context()`` on an event loop, with the command's sync code in a bridge
greenlet (so it may use :func:`~flask2quart.bridge.await_sync`). ``flask.current_app`` is bound,
so Flask's ``with_appcontext`` steps aside and Flask-Migrate's ``g.directory`` set by the group
callback is seen by the sub-command. Opt out per command with
``@app.cli.command(with_appcontext=False)``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import copy
from typing import Any

import click
from quart.cli import AppGroup

from . import _compat
from ._sync import await_sync, call_in_greenlet, in_bridge_greenlet

_NO_CTX = "_flask2quart_no_appcontext"


class BridgeAppGroup(AppGroup):
    def __init__(self, *args: Any, app: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._f2q_app = app

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """Like Flask: commands get an app context unless ``with_appcontext=False``."""
        wants_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: Any) -> Any:
            cmd = click.Group.command(self, *args, **kwargs)(f)
            if not wants_ctx:
                setattr(cmd, _NO_CTX, True)
            return cmd

        return decorator

    def get_command(self, ctx: click.Context, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None or self._f2q_app is None or getattr(cmd, _NO_CTX, False):
            return cmd
        return bridged_command(self._f2q_app, cmd)


def bridged_command(app: Any, cmd: click.Command) -> click.Command:
    """A shallow copy of ``cmd`` whose invocation runs in a bridged app context of ``app``."""
    bridged = copy.copy(cmd)
    original_invoke = type(cmd).invoke

    def invoke(click_ctx: click.Context) -> Any:
        return run_in_app_context(app, original_invoke, bridged, click_ctx)

    bridged.invoke = invoke  # type: ignore[method-assign]
    return bridged


def run_in_app_context(app: Any, fn: Any, *args: Any) -> Any:
    """Call sync ``fn(*args)`` inside ``async with app.app_context()`` from sync code."""
    current = _compat.flask_cv_app.get(None)
    if current is not None and current.app is app:
        return fn(*args)

    async def main() -> Any:
        async with app.app_context():
            return await call_in_greenlet(fn, *args)

    if in_bridge_greenlet():
        return await_sync(main())
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    # Invoked from async code (e.g. ``app.test_cli_runner().invoke`` in an async test): the loop
    # of this thread is busy running us, so use a private loop in a helper thread.
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="flask2quart-cli") as pool:
        return pool.submit(context.run, asyncio.run, main()).result()
