"""Per-extension glue that cannot be done through Flask's or Quart's public surface alone.

Flask-SQLAlchemy 3.1 (``flask_sqlalchemy/session.py:_app_ctx_id``) scopes ``db.session`` by the
identity of the current Flask app context. Under the bridge that identity is the Quart context,
which ``asyncio.to_thread`` / ``run_in_executor`` copy into worker threads: every worker of a
request would get the *same* ``Session`` and parallel workers corrupt it ("Session is already
flushing"). In Flask a thread never shares a request's session: it has to push its own context.

So the bridge re-keys the scoped session by ``(app context, thread)`` (a worker thread gets its
own session, like a new context in Flask), and when a bridged app context is popped it closes
the sessions its worker threads left behind (Flask-SQLAlchemy's own teardown only removes the
session of the thread that runs it). Only the default scope function is re-keyed; a custom
``session_options={"scopefunc": ...}`` is left alone.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

logger = logging.getLogger("flask2quart.bridge")


def _thread_scoped(original: Any) -> Any:
    get_ident = threading.get_ident

    def scopefunc() -> tuple[int, int]:
        return (original(), get_ident())

    scopefunc._f2q_original = original  # type: ignore[attr-defined]
    return scopefunc


def integrate_extensions(app: Any) -> None:
    """Apply the glue for extensions registered on ``app`` since the last call (cheap if none)."""
    count = len(app.extensions)
    if count == app._f2q_extension_count:
        return
    app._f2q_extension_count = count
    ext = app.extensions.get("sqlalchemy")
    if ext is not None:
        _scope_sqlalchemy_by_thread(app, ext)


def _scope_sqlalchemy_by_thread(app: Any, ext: Any) -> None:
    registry = getattr(getattr(ext, "session", None), "registry", None)
    scopefunc = getattr(registry, "scopefunc", None)
    if scopefunc is None:
        return
    if not hasattr(scopefunc, "_f2q_original"):
        fsa_session = sys.modules.get("flask_sqlalchemy.session")
        if fsa_session is None or scopefunc is not getattr(fsa_session, "_app_ctx_id", None):
            logger.debug("flask2quart.bridge: custom Flask-SQLAlchemy scopefunc left as is")
            return
        registry.scopefunc = _thread_scoped(scopefunc)
    if registry not in app._f2q_sa_registries:
        app._f2q_sa_registries.append(registry)


def release_thread_sessions(ctx: Any) -> None:
    """Close every scoped session still keyed to the app context ``ctx`` (any thread)."""
    registries = getattr(ctx.app, "_f2q_sa_registries", None)
    if not registries:
        return
    ident = id(ctx)
    for registry in registries:
        sessions = registry.registry
        if not sessions:
            continue
        for key in [k for k in list(sessions) if type(k) is tuple and k and k[0] == ident]:
            session = sessions.pop(key, None)
            if session is None:
                continue
            try:
                session.close()
            except Exception:  # noqa: BLE001 - teardown must go on
                logger.exception("flask2quart.bridge: closing a worker thread's session failed")


def sqlalchemy_pool_limit(app: Any) -> int | None:
    """The smallest connection capacity (``pool_size + max_overflow``) of the app's
    Flask-SQLAlchemy engines that use a bounded ``QueuePool``; None if there is no such engine.

    Call inside an app context (``SQLAlchemy.engines`` is per current app).
    """
    ext = app.extensions.get("sqlalchemy")
    if ext is None:
        return None
    try:
        from sqlalchemy.pool import QueuePool

        engines = list(ext.engines.values())
    except Exception:  # noqa: BLE001 - no engines configured yet
        return None
    limits = []
    for engine in engines:
        pool = engine.pool
        overflow = getattr(pool, "_max_overflow", -1)
        if isinstance(pool, QueuePool) and overflow is not None and overflow >= 0:
            limits.append(pool.size() + overflow)
    return min(limits) if limits else None
