"""Quart context classes that also bind Flask's context variables.

When the bridge app pushes a context, ``flask.globals._cv_app`` is set to the Quart app context
itself (it has ``app``, ``g``, ``url_adapter``; ``g`` is Flask's ``_AppCtxGlobals``, so
``flask.g is quart.g``) and ``flask.globals._cv_request`` to a
:class:`~flask2quart.bridge._request.FlaskRequestContext` adapter. Flask's variables are set
*before* Quart's push and reset *after* Quart's pop, so teardown functions (Flask-SQLAlchemy's
``session.remove()``) still see them.

Every request gets its *own* app context, also on Quart 0.22 when an outer ``app.app_context()``
is active (the usual pytest fixture shape): Quart 0.22 (like Flask) would re-use the outer one, so
concurrent requests would share ``g`` and the Flask-SQLAlchemy session. Quart 0.23 already pushes
a fresh merged context per request.

All contexts also work as *sync* context managers (``with app.app_context():`` in a thread or a
sync function), which Flask's ``copy_current_request_context`` relies on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from . import _compat
from ._integrations import release_thread_sessions
from ._request import FlaskRequestContext
from ._sync import BridgeSyncError, run_sync

_flask_cv_app = _compat.flask_cv_app
_flask_cv_request = _compat.flask_cv_request


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        # Sync ``with`` in a worker thread: remember the loop of the context we came from.
        outer = _flask_cv_app.get(None)
        return getattr(outer, "_f2q_loop", None)


class _SyncWith:
    """Sync ``with`` support for the async-only Quart contexts."""

    def __enter__(self) -> Any:
        run_sync(self.push(), f"entering {type(self).__name__} with a sync `with`")
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        try:
            run_sync(self.pop(exc_value), f"leaving {type(self).__name__} with a sync `with`")
        except (ValueError, RuntimeError) as error:
            message = str(error)
            # Python's ContextVar.reset (0.22 path) / Quart 0.23's pop check
            if "different Context" not in message and "there is no active context" not in message:
                raise
            raise BridgeSyncError(
                "flask2quart.bridge: a context was entered with a sync `with` in one contextvars "
                "context and left in another. This is what flask.stream_with_context does when "
                "Quart iterates a sync generator in worker threads; use quart.stream_with_context "
                "with an async generator instead."
            ) from error


if _compat.MERGED_CONTEXTS:  # ------------------------------------------------ Quart 0.23

    class BridgeAppContext(_SyncWith, _compat.QuartAppContext):
        """Quart 0.23's merged context, binding both Flask variables while pushed."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._f2q_tokens: tuple | None = None
            self._f2q_loop: asyncio.AbstractEventLoop | None = None

        async def push(self) -> None:
            first = not _compat.quart_ctx_is_pushed(self)
            if first:
                self.app._f2q_before_push()
                app_token = _flask_cv_app.set(self)
                request_token = None
                if _compat.quart_ctx_request_or_websocket(self) is not None:
                    request_token = _flask_cv_request.set(FlaskRequestContext(self))
                self._f2q_tokens = (app_token, request_token)
                self._f2q_loop = _current_loop()
            try:
                await super().push()
            except BaseException:
                if first:
                    self._f2q_unbind()
                raise

        async def pop(self, exc: BaseException | None = None) -> None:
            try:
                await super().pop(exc)
            finally:
                if self._f2q_tokens is not None and not _compat.quart_ctx_is_pushed(self):
                    try:
                        release_thread_sessions(self)
                    finally:
                        self._f2q_unbind()

        def _f2q_unbind(self) -> None:
            app_token, request_token = self._f2q_tokens
            self._f2q_tokens = None
            if request_token is not None:
                _flask_cv_request.reset(request_token)
            _flask_cv_app.reset(app_token)

    BridgeRequestContext = BridgeAppContext
    BridgeWebsocketContext = BridgeAppContext

    def make_app_context(app: Any) -> BridgeAppContext:
        return BridgeAppContext(app)

    def make_request_context(app: Any, request: Any) -> BridgeAppContext:
        return BridgeAppContext(app, request=request)

    def make_websocket_context(app: Any, websocket: Any) -> BridgeAppContext:
        return BridgeAppContext(app, websocket=websocket)

else:  # ------------------------------------------------------------------------- Quart 0.22

    class BridgeAppContext(_SyncWith, _compat.QuartAppContext):  # type: ignore[no-redef]
        """Quart 0.22 app context binding ``flask.globals._cv_app``."""

        def __init__(self, app: Any) -> None:
            super().__init__(app)
            self._f2q_tokens: list = []
            self._f2q_loop: asyncio.AbstractEventLoop | None = None

        async def push(self) -> None:
            if not self._f2q_tokens:
                self.app._f2q_before_push()
                self._f2q_loop = _current_loop()
            self._f2q_tokens.append(_flask_cv_app.set(self))
            try:
                await super().push()
            except BaseException:
                _flask_cv_app.reset(self._f2q_tokens.pop())
                raise

        async def pop(self, *args: Any) -> None:
            try:
                await super().pop(*args)
            finally:
                if self._f2q_tokens:
                    try:
                        if len(self._f2q_tokens) == 1:
                            release_thread_sessions(self)
                    finally:
                        _flask_cv_app.reset(self._f2q_tokens.pop())

    class _RequestishMixin(_SyncWith):
        """Quart 0.22 request/websocket contexts: own app context + ``flask.globals._cv_request``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._f2q_stack: list = []

        async def push(self) -> None:
            # Always a fresh app context (own ``g`` and Flask-SQLAlchemy session), even when an
            # outer app context of the same app is active; Quart would otherwise re-use it.
            app_ctx = self.app.app_context()
            await app_ctx.push()
            try:
                token = _flask_cv_request.set(FlaskRequestContext(self))
                try:
                    await super().push()
                except BaseException:
                    _flask_cv_request.reset(token)
                    raise
            except BaseException:
                await app_ctx.pop(None)
                raise
            self._f2q_stack.append((token, app_ctx))

        async def pop(self, *args: Any) -> None:
            if not self._f2q_stack:
                await super().pop(*args)
                return
            token, app_ctx = self._f2q_stack[-1]
            try:
                await super().pop(*args)
            finally:
                self._f2q_stack.pop()
                _flask_cv_request.reset(token)
                await app_ctx.pop(*args)

    class BridgeRequestContext(_RequestishMixin, _compat.QuartRequestContext):  # type: ignore[misc]
        pass

    class BridgeWebsocketContext(_RequestishMixin, _compat.QuartWebsocketContext):  # type: ignore[misc]
        pass

    def make_app_context(app: Any) -> BridgeAppContext:
        return BridgeAppContext(app)

    def make_request_context(app: Any, request: Any) -> BridgeRequestContext:
        return BridgeRequestContext(app, request)

    def make_websocket_context(app: Any, websocket: Any) -> BridgeWebsocketContext:
        return BridgeWebsocketContext(app, websocket)
