"""Every private Flask / Quart name the bridge touches, behind explicit version checks.

Nothing else in :mod:`flask2quart.bridge` may import a private name from ``flask`` or ``quart``
(``_cv_app``, ``_cv_request``, ``RequestContext``, ``AppContext._cv_token``, ``_flashes``,
``_after_request_functions`` ...). When Flask or Quart change, this is the one file to re-check.

Supported (each verified against the installed sources and by ``tests/bridge``):

* Flask 3.1.x: ``flask/globals.py`` has the two context variables ``_cv_app`` and ``_cv_request``;
  ``flask.helpers.get_flashed_messages`` reads ``request_ctx.flashes``; ``flask.ctx.after_this_request``
  appends to ``request_ctx._after_request_functions``; ``copy_current_request_context`` calls
  ``request_ctx.copy()`` and enters the copy with ``with``.
* Quart 0.22.x: separate ``AppContext`` / ``RequestContext`` / ``WebsocketContext``
  (``quart/ctx.py``); the request context stores ``flashes`` and ``_after_request_functions`` and
  re-uses an already pushed app context of the same app (``_push_appctx``, ``ctx.py:100-108``).
* Quart 0.23.x: one ``AppContext`` holding request / websocket / session (``quart/ctx.py:29``),
  pushed once per ``_cv_token`` (re-entrant through ``_push_count``), flashes in ``_flashes``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from typing import Any

import flask.globals as _flask_globals
import quart
import quart.ctx as _quart_ctx

__all__ = [
    "FLASK_VERSION",
    "QUART_VERSION",
    "MERGED_CONTEXTS",
    "SUPPORTED",
    "UnsupportedVersionError",
    "flask_cv_app",
    "flask_cv_request",
    "version_problems",
    "require_supported",
]

#: Minor versions the bridge is written and tested for.
SUPPORTED = {"flask": ((3, 1),), "quart": ((0, 22), (0, 23))}

#: Set to ``1`` to run on an untested Flask/Quart version anyway (at your own risk).
ALLOW_ENV = "FLASK2QUART_BRIDGE_ALLOW_UNSUPPORTED"


def _parse(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        m = re.match(r"\d+", piece)
        parts.append(int(m.group()) if m else 0)
    return tuple(parts)


FLASK_VERSION_STRING = importlib.metadata.version("flask")
QUART_VERSION_STRING = importlib.metadata.version("quart")
FLASK_VERSION = _parse(FLASK_VERSION_STRING)
QUART_VERSION = _parse(QUART_VERSION_STRING)

#: Quart 0.23 merged request/websocket contexts into the app context.
MERGED_CONTEXTS = QUART_VERSION >= (0, 23)


class UnsupportedVersionError(RuntimeError):
    """The installed Flask or Quart is a version the bridge was not written for."""


def version_problems() -> list[str]:
    """Human-readable reasons why the installed versions are unsupported (empty if fine)."""
    problems = []
    if FLASK_VERSION[:2] not in SUPPORTED["flask"]:
        problems.append(
            f"Flask {FLASK_VERSION_STRING} is installed; the bridge supports Flask 3.1.x "
            "(it binds flask.globals._cv_app/_cv_request, which Flask 3.2 is expected to merge)."
        )
    if QUART_VERSION[:2] not in SUPPORTED["quart"]:
        problems.append(
            f"Quart {QUART_VERSION_STRING} is installed; the bridge supports Quart 0.22.x and "
            "0.23.x (it subclasses quart.ctx context classes whose internals change per minor)."
        )
    for name in ("_cv_app", "_cv_request"):
        if not hasattr(_flask_globals, name):
            problems.append(f"flask.globals.{name} is missing.")
    if not MERGED_CONTEXTS and not hasattr(_quart_ctx, "RequestContext"):
        problems.append("quart.ctx.RequestContext is missing (expected on Quart 0.22).")
    return problems


def require_supported() -> None:
    """Raise :class:`UnsupportedVersionError` unless Flask/Quart are supported versions."""
    problems = version_problems()
    if problems and os.environ.get(ALLOW_ENV) != "1":
        raise UnsupportedVersionError(
            "flask2quart.bridge cannot run here:\n  - "
            + "\n  - ".join(problems)
            + f"\nPin flask==3.1.* and quart 0.22.*/0.23.*, or set {ALLOW_ENV}=1 to try anyway."
        )


# --------------------------------------------------------------------------- Flask side
flask_cv_app = _flask_globals._cv_app
flask_cv_request = _flask_globals._cv_request

# --------------------------------------------------------------------------- Quart side
QuartAppContext = _quart_ctx.AppContext

if MERGED_CONTEXTS:
    QuartRequestContext = None
    QuartWebsocketContext = None
    quart_cv_request = None
else:  # Quart 0.22
    QuartRequestContext = _quart_ctx.RequestContext
    QuartWebsocketContext = _quart_ctx.WebsocketContext
    quart_cv_request = quart.globals._cv_request


def quart_ctx_is_pushed(ctx: Any) -> bool:
    """0.23: True while the merged context is pushed (``_cv_token`` is set)."""
    return ctx._cv_token is not None


def quart_ctx_request_or_websocket(ctx: Any) -> Any:
    """The request or websocket object carried by a Quart request-ish context (or None)."""
    if MERGED_CONTEXTS:
        return ctx._request_websocket
    return ctx.request_websocket


def quart_ctx_session(ctx: Any) -> Any:
    return ctx.session  # 0.22: plain attribute; 0.23: property that sets ``accessed``


def quart_ctx_get_flashes(ctx: Any) -> Any:
    return ctx._flashes if MERGED_CONTEXTS else ctx.flashes


def quart_ctx_set_flashes(ctx: Any, value: Any) -> None:
    if MERGED_CONTEXTS:
        ctx._flashes = value
    else:
        ctx.flashes = value


def quart_ctx_after_request_functions(ctx: Any) -> list:
    return ctx._after_request_functions


def current_quart_request_or_websocket() -> Any:
    """The Quart request/websocket of the active context, or None."""
    if MERGED_CONTEXTS:
        ctx = quart.globals._cv_app.get(None)
        return None if ctx is None else ctx._request_websocket
    ctx = quart.globals._cv_request.get(None)
    if ctx is None:
        ctx = quart.globals._cv_websocket.get(None)
    return None if ctx is None else ctx.request_websocket


def default_options_args(args: tuple) -> tuple:
    """Arguments for ``Quart.make_default_options_response`` given Flask's ``()``.

    0.23 takes the app context (``app.py:1401``, reads ``ctx.url_adapter``); 0.22 takes none
    (``app.py:1392``, reads ``request_ctx.url_adapter``).
    """
    if MERGED_CONTEXTS and not args:
        return (quart.globals._cv_app.get(),)
    return args


def template_context_args(args: tuple) -> tuple:
    """Arguments for ``Quart.update_template_context`` given Flask's ``(context,)``.

    0.23 added the context as first parameter (``app.py:431``); 0.22 takes ``(context)``.
    """
    if MERGED_CONTEXTS and len(args) == 1:
        return (quart.globals._cv_app.get(), args[0])
    return args
