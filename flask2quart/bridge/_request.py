"""What ``flask.request`` and ``flask.globals.request_ctx`` are under the bridge.

``flask.request`` resolves to a :class:`SyncRequest`: a thin facade over the Quart request that
passes every ordinary attribute through (``args``, ``headers``, ``cookies``, ``method``, ``path``,
``url``, ``endpoint``, ``view_args`` ... and attribute *writes*), and answers Flask's synchronous
body API (``form``, ``files``, ``values``, ``json``, ``get_json()``, ``get_data()``, ``data``,
``stream``) from the body that the bridge read before the view ran (:meth:`SyncRequest.preload`).
Without a preloaded body, the sync accessors wait for Quart through
:func:`~flask2quart.bridge._sync.await_sync` (works in sync views/hooks, decorators and worker
threads; raises a clear error when called directly from async code on the loop).

``flask.globals.request_ctx`` resolves to a :class:`FlaskRequestContext` adapter over the Quart
context (``request``, ``session``, ``flashes``, ``url_adapter``, ``_after_request_functions``,
``copy()``, sync ``with``).
"""

from __future__ import annotations

import asyncio
import io
import sys
from typing import Any

from werkzeug.datastructures import (
    CombinedMultiDict,
    FileStorage as WerkzeugFileStorage,
    ImmutableMultiDict,
    MultiDict,
)
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from . import _compat
from ._sync import await_sync, in_bridge_greenlet, run_sync, try_run_sync

_FORM_MIMETYPES = frozenset(
    {"application/x-www-form-urlencoded", "application/x-url-encoded", "multipart/form-data"}
)
_URLENCODED = frozenset({"application/x-www-form-urlencoded", "application/x-url-encoded"})
_USUALLY_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
_FACADE_ATTR = "_flask2quart_sync_request"
_NO_PRELOAD_ATTR = "_flask2quart_no_preload"
_MISSING = object()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _declares_body(q: Any) -> bool:
    if q.content_length:
        return True
    for name, _ in (getattr(q, "scope", None) or {}).get("headers", ()):
        if name.lower() == b"transfer-encoding":
            return True
    return False


def no_preload(view: Any) -> Any:
    """Mark a view whose request body the bridge must not read before it runs.

    Use it on views that stream the upload themselves (``async for chunk in request.body``): on
    Quart 0.23 a body that was already read cannot be iterated again. Sync ``flask.request.form``
    etc. then wait for the body on demand (fine from sync code, an error from async code).
    """
    setattr(view, _NO_PRELOAD_ATTR, True)
    return view


def sync_request(quart_request: Any) -> SyncRequest:
    """The (cached) :class:`SyncRequest` for a Quart request or websocket."""
    facade = quart_request.__dict__.get(_FACADE_ATTR)
    if facade is None:
        facade = SyncRequest(quart_request)
        quart_request.__dict__[_FACADE_ATTR] = facade
    return facade


class SyncRequest:
    """Flask-style synchronous view of a Quart request (see module docs)."""

    __slots__ = ("_q", "_loaded", "_bodyless", "_data", "_form", "_files", "_wfiles", "_json", "_environ")

    def __init__(self, quart_request: Any) -> None:
        object.__setattr__(self, "_q", quart_request)
        object.__setattr__(self, "_loaded", False)
        object.__setattr__(self, "_bodyless", False)
        object.__setattr__(self, "_data", None)
        object.__setattr__(self, "_form", None)
        object.__setattr__(self, "_files", None)
        object.__setattr__(self, "_wfiles", None)
        object.__setattr__(self, "_json", {})
        object.__setattr__(self, "_environ", None)

    # -- pass-through ----------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        return getattr(self._q, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._q, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._q, name)

    def __repr__(self) -> str:
        return f"<SyncRequest over {self._q!r}>"

    def _get_current_object(self) -> SyncRequest:
        return self

    @property
    def quart_request(self) -> Any:
        """The underlying Quart request (or websocket)."""
        return self._q

    # -- preloading ------------------------------------------------------------------------
    async def preload(self) -> None:
        """Read the body now (async), so the sync accessors never have to wait."""
        if self._loaded:
            return
        q = self._q
        if q.method in _USUALLY_BODYLESS and not _declares_body(q):
            # A GET without Content-Length/Transfer-Encoding has no body (RFC 9112 6.3). Don't
            # spend an event-loop turn waiting for Quart to mark it complete; the sync accessors
            # read it on first use (see _ensure_loaded).
            object.__setattr__(self, "_bodyless", True)
            return
        await self._load()

    async def _load(self) -> None:
        if self._loaded:
            return
        q = self._q
        if q.method in _USUALLY_BODYLESS:
            data = await q.body  # no wait_for timer: complete once the request has arrived
            if not data:
                empty = q.parameter_storage_class()
                self._set_body(b"", empty, empty)
                return
        mimetype = q.mimetype
        if mimetype in _URLENCODED:
            # ``await body`` is cached on both 0.22 and 0.23, so the form parser still sees it.
            data = await q.get_data()
            form = await q.form
            files = await q.files
        elif mimetype in _FORM_MIMETYPES:
            # multipart is parsed by iterating the body; read it only once (0.23 cannot replay).
            form = await q.form
            files = await q.files
            data = b""
        else:
            data = await q.get_data()  # with Quart's BODY_TIMEOUT
            form = q.parameter_storage_class()
            files = q.parameter_storage_class()
        self._set_body(data, form, files)

    def _set_body(self, data: bytes, form: Any, files: Any) -> None:
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_form", form)
        object.__setattr__(self, "_files", files)
        object.__setattr__(self, "_loaded", True)

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        if not hasattr(self._q, "body"):  # a websocket has no body
            empty = ImmutableMultiDict()
            self._set_body(b"", empty, empty)
        elif in_bridge_greenlet() or not _loop_running():
            await_sync(self._load())
        elif self._bodyless:
            # Async code on the loop: use the body if it has arrived, else it is empty.
            done, _ = try_run_sync(self._load())
            if not done:
                empty = self._q.parameter_storage_class()
                self._set_body(b"", empty, empty)
        else:
            # Async code on the loop without a preloaded body: only possible if it has arrived.
            run_sync(
                self._load(),
                "reading the request body through flask.request",
                hint="Await the Quart API instead (`await quart.request.form`, `await "
                "quart.request.get_data()`), keep BRIDGE_PRELOAD_BODY on, or read it from a "
                "sync view/hook.",
            )

    # -- Flask's synchronous body API ------------------------------------------------------
    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False) -> Any:
        self._ensure_loaded()
        data = self._data
        if parse_form_data and self._q.mimetype in _FORM_MIMETYPES:
            data = b""
        if not cache:
            object.__setattr__(self, "_data", b"")
        return data.decode("utf-8", "replace") if as_text else data

    @property
    def data(self) -> bytes:
        return self.get_data(parse_form_data=True)

    @property
    def form(self) -> Any:
        self._ensure_loaded()
        return self._form

    @property
    def files(self) -> Any:
        """Uploaded files as Werkzeug ``FileStorage`` objects, so ``f.save(path)`` is synchronous."""
        self._ensure_loaded()
        if self._wfiles is None:
            converted = MultiDict()
            for key, f in self._files.items(multi=True):
                converted.add(
                    key,
                    WerkzeugFileStorage(
                        stream=f.stream,
                        filename=f.filename,
                        name=f.name,
                        content_type=f.content_type,
                        content_length=f.content_length,
                        headers=f.headers,
                    ),
                )
            object.__setattr__(self, "_wfiles", ImmutableMultiDict(converted))
        return self._wfiles

    @property
    def values(self) -> CombinedMultiDict:
        sources = [self._q.args]
        if self._q.method != "GET":
            sources.append(self.form)
        return CombinedMultiDict(
            [s if isinstance(s, MultiDict) else MultiDict(s) for s in sources]
        )

    @property
    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.get_data())

    input_stream = stream

    @property
    def json(self) -> Any:
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Flask/Werkzeug semantics: 415 for a non-JSON content type, 400 for invalid JSON."""
        cached = self._json.get(silent, _MISSING) if cache else _MISSING
        if cached is not _MISSING:
            return cached
        if not (force or self._q.is_json):
            if silent:
                return None
            return self.on_json_loading_failed(None)
        data = self.get_data(cache=cache)
        try:
            rv = self._q.json_module.loads(data)
        except ValueError as error:
            rv = None if silent else self.on_json_loading_failed(error)
        if cache:
            self._json[silent] = rv
        return rv

    def on_json_loading_failed(self, error: ValueError | None) -> Any:
        if error is None:
            raise UnsupportedMediaType(
                "Did not attempt to load JSON data because the request Content-Type was not"
                " 'application/json'."
            )
        from quart import current_app

        if current_app and current_app.debug:
            raise BadRequest(f"Failed to decode JSON object: {error}")
        raise BadRequest()

    @property
    def environ(self) -> dict:
        """A minimal WSGI-style environ built from the ASGI scope (not a real WSGI environ)."""
        if self._environ is None:
            q = self._q
            scope = getattr(q, "scope", {}) or {}
            server = scope.get("server") or ("localhost", 80)
            environ = {
                "REQUEST_METHOD": getattr(q, "method", "GET"),
                "SCRIPT_NAME": q.root_path,
                "PATH_INFO": q.path,
                "QUERY_STRING": q.query_string.decode("latin-1"),
                "SERVER_NAME": str(server[0]),
                "SERVER_PORT": str(server[1]) if len(server) > 1 and server[1] is not None else "",
                "SERVER_PROTOCOL": f"HTTP/{q.http_version}",
                "REMOTE_ADDR": q.remote_addr or "",
                "wsgi.url_scheme": q.scheme,
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": False,
                "wsgi.multiprocess": False,
                "wsgi.run_once": False,
                "asgi.scope": scope,
            }
            for key, value in q.headers.items():
                name = key.upper().replace("-", "_")
                if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                    environ[name] = value
                else:
                    environ[f"HTTP_{name}"] = value
            object.__setattr__(self, "_environ", environ)
        return self._environ

    def __bool__(self) -> bool:
        return True


class FlaskRequestContext:
    """Bound to ``flask.globals._cv_request``: Flask's ``RequestContext`` API over a Quart context.

    ``qctx`` is the Quart 0.22 ``RequestContext``/``WebsocketContext`` or the Quart 0.23 merged
    ``AppContext`` that carries the request.
    """

    __slots__ = ("_qctx", "app", "request")

    def __init__(self, qctx: Any) -> None:
        self._qctx = qctx
        self.app = qctx.app
        self.request = sync_request(_compat.quart_ctx_request_or_websocket(qctx))

    @property
    def quart_context(self) -> Any:
        return self._qctx

    @property
    def session(self) -> Any:
        return _compat.quart_ctx_session(self._qctx)

    @property
    def flashes(self) -> Any:
        return _compat.quart_ctx_get_flashes(self._qctx)

    @flashes.setter
    def flashes(self, value: Any) -> None:
        _compat.quart_ctx_set_flashes(self._qctx, value)

    @property
    def url_adapter(self) -> Any:
        return self._qctx.url_adapter

    @property
    def _after_request_functions(self) -> list:
        return _compat.quart_ctx_after_request_functions(self._qctx)

    def match_request(self) -> None:
        self._qctx.match_request()

    def copy(self) -> FlaskRequestContext:
        """A copy for ``flask.copy_current_request_context``: enter it with ``with``."""
        return FlaskRequestContext(self._qctx.copy())

    # Flask's request context is a sync context manager (copy_current_request_context,
    # stream_with_context); push/pop the Quart context synchronously.
    def push(self) -> None:
        run_sync(self._qctx.push(), "pushing a copied request context")

    def pop(self, exc: BaseException | None = None) -> None:
        run_sync(self._qctx.pop(exc), "popping a copied request context")

    def __enter__(self) -> FlaskRequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return f"<flask2quart.bridge FlaskRequestContext over {self._qctx!r}>"
