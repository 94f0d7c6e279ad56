"""Run unported Flask extensions unchanged inside an async Quart app.

A migrated app that still uses Flask extensions (Flask-SQLAlchemy, Flask-Login, Flask-Mail,
Flask-Migrate, Flask-Caching, ...) changes one import::

    from flask2quart.bridge import Quart   # instead of: from quart import Quart

See ``docs/bridge.md`` for what works, how, and the hazards. Public API:

* :class:`Quart` - ``quart.Quart`` subclass that binds Flask's context variables to Quart's
  contexts, runs sync extension code in greenlets on the loop, gives Flask code a synchronous
  ``flask.request`` body, runs ``app.cli`` commands in an app context and re-sends Flask signals.
* :func:`await_sync` - wait for an awaitable from sync code (sync views/hooks, extension callbacks,
  worker threads).
* :func:`no_preload` - view decorator: don't read the body before this view (streaming uploads).
* :class:`BridgeSyncError`, :class:`UnsupportedVersionError`.
* :mod:`flask2quart.bridge.supported` - which extensions are bridged / unsupported (pure data).

Importing this package is cheap: the names above load Quart/Flask/greenlet on first access, so
``flask2quart.bridge.supported`` can be read without them. Self-test:
``python -m flask2quart.bridge --self-test``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Quart", "await_sync", "no_preload", "BridgeSyncError", "UnsupportedVersionError"]

_LAZY = {
    "Quart": ("flask2quart.bridge.app", "Quart"),
    "await_sync": ("flask2quart.bridge._sync", "await_sync"),
    "BridgeSyncError": ("flask2quart.bridge._sync", "BridgeSyncError"),
    "no_preload": ("flask2quart.bridge._request", "no_preload"),
    "UnsupportedVersionError": ("flask2quart.bridge._compat", "UnsupportedVersionError"),
}

if TYPE_CHECKING:  # pragma: no cover
    from ._compat import UnsupportedVersionError
    from ._request import no_preload
    from ._sync import BridgeSyncError, await_sync
    from .app import Quart


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'flask2quart.bridge' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
