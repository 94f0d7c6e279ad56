"""Run sync code that must wait for async code, without a second thread.

The technique is the one SQLAlchemy's asyncio layer uses (``greenlet_spawn`` / ``await_only``):
sync code runs in a child greenlet *on the event-loop thread*; when it needs the result of a
coroutine it switches back to the parent (the task that spawned it), the parent ``await``\\ s the
coroutine like any other task would, and switches back into the child with the result. The child
shares the task's ``contextvars.Context``, so ``flask.request`` / ``quart.request`` / ``g`` are the
task's. No thread blocks, so nothing can deadlock on a full executor.

* :func:`call_in_greenlet` (async): run a sync callable that way.
* :func:`await_sync` (sync): wait for an awaitable from sync code. Inside a bridge greenlet it
  switches to the parent; in a worker thread (``asyncio.to_thread``, an executor, a
  ``threading.Thread``) it hands the coroutine to the loop of the bridged context with
  ``run_coroutine_threadsafe``; with no loop anywhere it uses ``asyncio.run``. On the loop thread
  outside a bridge greenlet it cannot wait without blocking the loop forever, so it raises
  :class:`BridgeSyncError` with a hint instead.
* :func:`run_sync` (sync): run a coroutine that normally completes without suspending (pushing a
  copied context, calling sync teardown hooks) from sync code, e.g. ``with app.app_context():`` in
  a thread.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import greenlet

from . import _compat

T = TypeVar("T")


class BridgeSyncError(RuntimeError):
    """Sync code asked for async work in a place where the bridge cannot wait for it."""


class _Finished:
    __slots__ = ("ok", "value")

    def __init__(self, ok: bool, value: Any) -> None:
        self.ok = ok
        self.value = value


class BridgeGreenlet(greenlet.greenlet):
    """A reusable greenlet that runs sync code on behalf of a task (its ``driver``).

    Starting a fresh greenlet costs ~15 us, switching into a parked one ~1 us, so finished
    workers wait in a small per-thread pool for the next call.
    """

    def __init__(self, driver: greenlet.greenlet) -> None:
        super().__init__(self._work, driver)
        self.driver = driver

    def _work(self, job: Any) -> None:
        while True:
            fn, args, kwargs = job
            try:
                outcome = _Finished(True, fn(*args, **kwargs))
            except greenlet.GreenletExit:
                raise
            except BaseException as exc:  # noqa: BLE001 - handed to the driver
                outcome = _Finished(False, exc)
            job = fn = args = kwargs = None
            job = self.driver.switch(outcome)  # parked here until the next call


_MAX_IDLE = 64
_local = threading.local()


def _idle_pool() -> list:
    try:
        return _local.pool
    except AttributeError:
        _local.pool = []
        return _local.pool


def in_bridge_greenlet() -> bool:
    return isinstance(greenlet.getcurrent(), BridgeGreenlet)


async def call_in_greenlet(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run sync ``fn(*args, **kwargs)`` in a greenlet on this thread; it may call :func:`await_sync`."""
    driver = greenlet.getcurrent()
    pool = _idle_pool()
    if pool:
        child = pool.pop()
        child.driver = driver
        if child.parent is not driver:
            child.parent = driver
    else:
        child = BridgeGreenlet(driver)
    # Share the task's contextvars.Context: context variables set by the sync code are the
    # task's, and the task's (Flask/Quart contexts) are visible to the sync code.
    child.gr_context = driver.gr_context
    result = child.switch((fn, args, kwargs))
    while type(result) is not _Finished:
        if child.dead:  # pragma: no cover - only if the greenlet was killed from outside
            raise BridgeSyncError("flask2quart.bridge: a bridge greenlet exited unexpectedly")
        # The child paused in await_sync(): ``result`` is what it wants awaited.
        try:
            value = await result
        except BaseException as exc:  # noqa: BLE001 - re-raised inside the child
            result = child.throw(type(exc), exc, exc.__traceback__)
        else:
            result = child.switch(value)
    child.gr_context = None
    if len(pool) < _MAX_IDLE:
        pool.append(child)
    if result.ok:
        return result.value
    error = result.value
    try:
        raise error
    finally:
        del error, result


def _close(awaitable: Any) -> None:
    if inspect.iscoroutine(awaitable):
        awaitable.close()


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _describe(awaitable: Any) -> str:
    code = getattr(awaitable, "cr_code", None)
    return f"{code.co_qualname if hasattr(code, 'co_qualname') else code.co_name}()" if code else repr(awaitable)


def await_sync(awaitable: Awaitable[T]) -> T:
    """Wait for ``awaitable`` from synchronous code and return its result (see module docs)."""
    current = greenlet.getcurrent()
    if isinstance(current, BridgeGreenlet):
        return current.driver.switch(awaitable)

    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        what = _describe(awaitable)
        _close(awaitable)
        raise BridgeSyncError(
            f"flask2quart.bridge: synchronous code on the event-loop thread needs to wait for "
            f"{what}, but it is not running inside a bridged call, so waiting would block the "
            "loop forever. Await the Quart API directly in the async view, or move the sync code "
            "into a sync function that Quart calls (a sync view/hook, or "
            "`await app.ensure_async(fn)(...)`), which the bridge runs in a greenlet."
        )

    # A worker thread: hand the work to the loop of the bridged context, if it is running.
    ctx = _compat.flask_cv_app.get(None)
    loop = getattr(ctx, "_f2q_loop", None)
    if loop is not None and loop.is_running() and not loop.is_closed():
        return asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), loop).result()
    return asyncio.run(_as_coroutine(awaitable))


def run_sync(coro: Any, what: str = "this operation", hint: str | None = None) -> Any:
    """Run ``coro`` to completion from sync code in the *current* contextvars context.

    Used for context push/pop from sync ``with`` blocks: the coroutine must set context variables
    in the caller's context, so it cannot run as a separate task. Inside a bridge greenlet the
    coroutine may suspend freely (the parent awaits it in the same context); elsewhere it is
    stepped by hand and must complete without suspending (true for pushing/popping contexts whose
    hooks are sync, which the bridge runs inline).
    """
    if in_bridge_greenlet():
        return await_sync(coro)
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise BridgeSyncError(
        f"flask2quart.bridge: {what} had to wait for async work, which sync code on the "
        "event-loop thread cannot do outside a bridged call. "
        + (hint or "(An async hook, signal receiver or session interface awaited I/O.) Use "
           "`async with` in async code instead.")
    )


def try_run_sync(coro: Any) -> tuple[bool, Any]:
    """Step ``coro`` by hand; ``(True, result)`` if it completed without suspending, else it is
    closed and ``(False, None)`` is returned."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return True, stop.value
    coro.close()
    return False, None


def wraps_coroutine_function(func: Callable[..., Any]) -> bool:
    """True if ``func`` is a sync wrapper (``functools.wraps`` chain) around an ``async def``."""
    try:
        inner = inspect.unwrap(func)
    except ValueError:
        return False
    return inner is not func and inspect.iscoroutinefunction(inner)


_CO_ASYNC = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE


class PendingCoroutine:
    """What a dual-mode method returns to *sync* code on the loop thread outside a bridged call.

    It can still be awaited (so Quart code that passes the coroutine through a sync helper keeps
    working), but using it as the result - the Flask way - raises :class:`BridgeSyncError` with a
    hint instead of silently handing out a coroutine. If it is dropped un-awaited, a
    ``RuntimeWarning`` names the call.
    """

    __slots__ = ("_coro", "_what")

    def __init__(self, coro: Any, what: str) -> None:
        object.__setattr__(self, "_coro", coro)
        object.__setattr__(self, "_what", what)

    def __await__(self) -> Any:
        return self._coro.__await__()

    def _error(self) -> BridgeSyncError:
        return BridgeSyncError(
            f"flask2quart.bridge: {self._what} was called from synchronous code on the event-loop "
            "thread outside a bridged call, where its async Quart implementation cannot be waited "
            "for. Await it in async code (`await ...`, e.g. `await quart.make_response(...)`), or "
            "run the Flask-style code from a sync view/hook, which the bridge runs in a greenlet."
        )

    def __getattr__(self, name: str) -> Any:
        raise self._error()

    def __setattr__(self, name: str, value: Any) -> None:
        raise self._error()

    def __getitem__(self, key: Any) -> Any:
        raise self._error()

    def __iter__(self) -> Any:
        raise self._error()

    def __bool__(self) -> bool:
        raise self._error()

    def __repr__(self) -> str:
        return f"<PendingCoroutine {self._what}>"

    def __del__(self) -> None:
        coro = self._coro
        if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
            coro.close()
            import warnings

            warnings.warn(str(self._error()), RuntimeWarning, stacklevel=2)


def for_caller(coro: Any, what: str) -> Any:
    """Return ``coro`` to async callers, its result to sync callers (dual-mode Quart methods).

    The caller is the frame two levels up (the caller of the dual-mode method). Sync callers in a
    bridge greenlet or a worker thread get the result; sync callers on the loop thread outside a
    bridged call get a :class:`PendingCoroutine`.
    """
    frame = sys._getframe(2)
    if frame.f_code.co_flags & _CO_ASYNC:
        return coro
    if in_bridge_greenlet():
        return await_sync(coro)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return await_sync(coro)
    return PendingCoroutine(coro, what)
