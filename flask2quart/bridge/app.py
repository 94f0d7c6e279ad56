"""The bridge's ``Quart`` application class."""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
import weakref
from collections.abc import Callable
from typing import Any

import quart
from quart import request as quart_request

from . import _compat, _contexts, _signals
from ._cli import BridgeAppGroup
from ._integrations import integrate_extensions, sqlalchemy_pool_limit
from ._request import _NO_PRELOAD_ATTR, sync_request
from ._response import BridgeResponse
from ._sync import (
    PendingCoroutine,
    await_sync,
    call_in_greenlet,
    for_caller,
    in_bridge_greenlet,
    wraps_coroutine_function,
)
from ._templating import BridgeTemplate

_UNSET = object()
_CO_COROUTINE = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE


class _ReplaceableAsyncMethod:
    """Data descriptor for an async Quart method that Flask extensions replace on the app.

    Flask-CORS (``app.handle_exception = wrapper``) and Flask-RESTful install *sync* wrappers
    over the app's error handlers; Quart awaits them. Assigned sync callables are wrapped so they
    run in a bridge greenlet (where the Flask code may call the original async method and
    ``app.make_response`` synchronously), and a returned coroutine is awaited.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = f"_f2q_replaced_{name}"

    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return getattr(quart.Quart, self.name)
        replaced = obj.__dict__.get(self.key)
        if replaced is not None:
            return replaced
        return getattr(quart.Quart, self.name).__get__(obj, owner)

    def __set__(self, obj: Any, value: Any) -> None:
        if not inspect.iscoroutinefunction(value):
            value = obj.sync_to_async_in_greenlet(value)
        obj.__dict__[self.key] = value

    def __delete__(self, obj: Any) -> None:
        obj.__dict__.pop(self.key, None)


class Quart(quart.Quart):
    """``quart.Quart`` that lets unported Flask extensions run unchanged.

    Use it instead of ``quart.Quart``::

        from flask2quart.bridge import Quart

    Configuration (``app.config``):

    ``BRIDGE_SYNC_IN_LOOP`` (default ``True``)
        Run every sync function Quart would send to its thread pool (sync views, ``before_request``
        / ``after_request`` / teardown hooks, sync signal receivers, sync session interfaces) in a
        greenlet on the event loop instead. Flask extensions' hooks are short and this keeps one
        request on one thread (one Flask-SQLAlchemy session), avoids thread hops and the
        deadlock of a full executor. Blocking I/O in those functions blocks the loop. ``False``
        restores Quart's executor for them (sync wrappers around ``async def`` views, such as
        ``login_required`` or ``cache.cached``, still run in a greenlet).
    ``BRIDGE_MAX_CONCURRENT_REQUESTS`` (default ``"auto"``)
        Let at most this many requests run at once; the others wait *asynchronously* before
        their context is pushed, so a request never waits for a pooled database connection on the
        loop thread (which stalls every request until ``pool_timeout``). ``"auto"``: the
        smallest ``pool_size + max_overflow`` of the app's Flask-SQLAlchemy ``QueuePool``
        engines, read at the first request (no limit without Flask-SQLAlchemy or with
        ``NullPool``/``StaticPool``). An int sets the limit; ``None``/``0`` disables it.
    ``BRIDGE_PRELOAD_BODY`` (default ``True``)
        Read the request body before the ``before_request`` hooks run, so the synchronous
        ``flask.request.form`` / ``files`` / ``get_json()`` / ``get_data()`` work everywhere.
        Opt a streaming-upload view out with :func:`flask2quart.bridge.no_preload`.
    """

    response_class = BridgeResponse
    handle_exception = _ReplaceableAsyncMethod("handle_exception")
    handle_user_exception = _ReplaceableAsyncMethod("handle_user_exception")
    handle_http_exception = _ReplaceableAsyncMethod("handle_http_exception")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _compat.require_supported()
        super().__init__(*args, **kwargs)
        self.config.setdefault("BRIDGE_SYNC_IN_LOOP", True)
        self.config.setdefault("BRIDGE_PRELOAD_BODY", True)
        self.config.setdefault("BRIDGE_MAX_CONCURRENT_REQUESTS", "auto")
        self._f2q_limits: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._f2q_request_limit: Any = _UNSET
        self._f2q_extension_count = -1
        self._f2q_sa_registries: list = []
        old_cli = self.cli
        self.cli = BridgeAppGroup(app=self)
        self.cli.name = old_cli.name
        self.cli.commands.update(old_cli.commands)
        self._f2q_signal_forwarders = _signals.install(self)

    # ------------------------------------------------------------------ contexts
    def app_context(self) -> Any:
        return _contexts.make_app_context(self)

    def request_context(self, request: Any) -> Any:
        return _contexts.make_request_context(self, request)

    def websocket_context(self, websocket: Any) -> Any:
        return _contexts.make_websocket_context(self, websocket)

    def _f2q_before_push(self) -> None:
        integrate_extensions(self)

    # ------------------------------------------------------------------ sync <-> async
    def sync_to_async(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """How Quart runs a sync callable: in a greenlet on the loop (default) or a thread.

        A sync function returning a coroutine (a hand-written sync decorator that calls an
        ``async def`` view directly, an async ``unauthorized_handler`` returned by
        ``login_required``) has that coroutine awaited.
        """
        if self.config.get("BRIDGE_SYNC_IN_LOOP", True) or wraps_coroutine_function(func):
            return self.sync_to_async_in_greenlet(func)

        threaded = super().sync_to_async(func)

        async def in_thread(*args: Any, **kwargs: Any) -> Any:
            rv = await threaded(*args, **kwargs)
            if inspect.iscoroutine(rv):
                rv = await rv
            return rv

        return in_thread

    @staticmethod
    def sync_to_async_in_greenlet(func: Callable[..., Any]) -> Callable[..., Any]:
        """An ``async def`` that runs sync ``func`` in a bridge greenlet (awaiting a returned coroutine)."""

        async def in_greenlet(*args: Any, **kwargs: Any) -> Any:
            rv = await call_in_greenlet(func, *args, **kwargs)
            if inspect.iscoroutine(rv) or isinstance(rv, PendingCoroutine):
                rv = await rv
            return rv

        return functools.update_wrapper(in_greenlet, func, updated=())

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's API (used by Flask-Login's ``login_required``, Flask-Caching's ``cached``):
        return a sync callable. ``async def`` functions, and sync functions that return a
        coroutine, are waited for with :func:`~flask2quart.bridge.await_sync`."""
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)

        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            rv = func(*args, **kwargs)
            if inspect.iscoroutine(rv):
                rv = await_sync(rv)
            return rv

        return call

    def async_to_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            return await_sync(func(*args, **kwargs))

        return call

    # ------------------------------------------------------------------ concurrency limit
    async def handle_request(self, request: Any) -> Any:
        limit = self._f2q_request_limit
        if limit is _UNSET:
            limit = self._f2q_request_limit = await self._f2q_compute_request_limit()
        if not limit:
            return await super().handle_request(request)
        loop = asyncio.get_running_loop()
        semaphore = self._f2q_limits.get(loop)
        if semaphore is None:
            semaphore = self._f2q_limits[loop] = asyncio.Semaphore(limit)
        async with semaphore:
            return await super().handle_request(request)

    async def _f2q_compute_request_limit(self) -> int | None:
        setting = self.config.get("BRIDGE_MAX_CONCURRENT_REQUESTS", "auto")
        if setting != "auto":
            return int(setting) if setting else None
        if "sqlalchemy" not in self.extensions:
            return None
        async with self.app_context():
            return sqlalchemy_pool_limit(self)

    # ------------------------------------------------------------------ request body
    async def preprocess_request(self, *args: Any, **kwargs: Any) -> Any:
        if self.config.get("BRIDGE_PRELOAD_BODY", True):
            req = quart_request._get_current_object()
            rule = req.url_rule
            view = self.view_functions.get(rule.endpoint) if rule is not None else None
            if view is None or not _no_preload(view):
                await sync_request(req).preload()
        return await super().preprocess_request(*args, **kwargs)

    # ------------------------------------------------------------------ Flask-style sync calls
    def make_response(self, rv: Any) -> Any:  # type: ignore[override]
        """``await app.make_response(rv)`` as in Quart; from sync Flask code (``flask.make_response``
        in a sync view, hook or extension) the response itself."""
        if sys._getframe(1).f_code.co_flags & _CO_COROUTINE and not (
            inspect.iscoroutine(rv) or isinstance(rv, PendingCoroutine)
        ):
            return quart.Quart.make_response(self, rv)  # Quart's own `await self.make_response(rv)`
        return for_caller(self._f2q_make_response(rv), "flask.make_response() / app.make_response()")

    async def _f2q_make_response(self, rv: Any) -> Any:
        if inspect.iscoroutine(rv) or isinstance(rv, PendingCoroutine):
            rv = await rv  # a view/handler returned an un-awaited coroutine
        return await quart.Quart.make_response(self, rv)

    def make_default_options_response(self, *args: Any) -> Any:  # type: ignore[override]
        """Awaitable for Quart's dispatch; from sync Flask code (Flask-CORS's ``cross_origin``
        answering a preflight calls ``current_app.make_default_options_response()``) the response."""
        if sys._getframe(1).f_code.co_flags & _CO_COROUTINE:
            return quart.Quart.make_default_options_response(self, *args)
        coro = quart.Quart.make_default_options_response(self, *_compat.default_options_args(args))
        return for_caller(coro, "app.make_default_options_response()")

    def update_template_context(self, *args: Any) -> Any:  # type: ignore[override]
        """Awaitable for Quart's renderer; applied synchronously for Flask's ``render_template``."""
        if sys._getframe(1).f_code.co_flags & _CO_COROUTINE:
            return quart.Quart.update_template_context(self, *args)
        if not in_bridge_greenlet() and _loop_running():
            return None  # Flask's renderer on the loop: BridgeTemplate.render() raises the error
        coro = quart.Quart.update_template_context(self, *_compat.template_context_args(args))
        return for_caller(coro, "flask.render_template()")

    def create_jinja_environment(self) -> Any:
        env = super().create_jinja_environment()
        env.template_class = BridgeTemplate
        return env


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _no_preload(view: Any) -> bool:
    while view is not None:
        if getattr(view, _NO_PRELOAD_ATTR, False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False
