"""What Flask's test client gave a test suite that Quart's does not: a runtime shim.

``flask2quart migrate --phase 1`` creates the project's test client with
``flask2quart.testing.test_client(app)`` when the ported tests use one of these (rule F2Q133):

* ``rv.request``: the request that produced the response (after ``follow_redirects=True``, the
  last one), with ``path``, ``full_path``, ``method``, ``url``, ``args``, ``headers``... like
  Werkzeug's ``TestResponse.request`` (werkzeug/test.py ``Client.open``);
* ``rv.history``: the responses of the redirects that were followed, oldest first;
* ``rv.is_streamed``: Flask's client runs the app unbuffered, so its response is streamed until
  its body is read (werkzeug ``Response.is_streamed`` is ``True`` for the ``ClosingIterator``
  the client gets, ``False`` after ``get_data``/``data`` turned it into a list); the same here;
* ``async with client:`` keeps the app context of the last request, so ``g`` after a request is
  that request's ``g`` as in Flask (Quart 0.22 keeps only a copy of the request context, Quart
  0.23 a copy of the app context with a new, empty ``g``); the contexts that were current
  before the block are current again after it.

Imports quart and the standard library only.
"""

from __future__ import annotations

import contextvars
from typing import Any

from quart import globals as _globals
from quart.signals import request_started
from quart.testing import QuartClient
from quart.testing.connections import TestHTTPConnection
from werkzeug.sansio.request import Request as _SansIORequest

__all__ = ["FlaskLikeClient", "test_client"]

_cv_app = _globals._cv_app
_cv_request = getattr(_globals, "_cv_request", None)   # Quart 0.22 only

#: the app contexts seen by the requests of a FlaskLikeClient (set around each request; the
#: request runs in a task that copies the context, so the list is shared with it)
_seen: contextvars.ContextVar[list | None] = contextvars.ContextVar("f2q_seen", default=None)


def _record_context(sender: Any, **_kw: Any) -> None:
    seen = _seen.get()
    if seen is not None:
        seen.append(_cv_app.get(None))


# sent inside the request's context by Quart's full_dispatch_request (both 0.22 and 0.23)
request_started.connect(_record_context, weak=False)


class TestRequest(_SansIORequest):
    """The request as the test client sent it (Werkzeug's sans-IO request: ``path``,
    ``full_path``, ``url``, ``base_url``, ``args``, ``headers``, ``method``, ``cookies``...)."""

    @classmethod
    def from_scope(cls, scope: dict) -> TestRequest:
        from werkzeug.datastructures import Headers

        headers = Headers([(k.decode("latin-1"), v.decode("latin-1"))
                           for k, v in scope.get("headers", ())])
        client = scope.get("client")
        return cls(scope["method"], scope["scheme"], scope.get("server"),
                   scope.get("root_path", ""), scope["path"], scope.get("query_string", b""),
                   headers, client[0] if client else None)


_response_classes: dict[type, type] = {}


def _flask_like(cls: type) -> type:
    """A subclass of the app's response class with Flask's test-response members."""
    sub = _response_classes.get(cls)
    if sub is None:
        class FlaskLikeResponse(cls):  # type: ignore[misc, valid-type]
            request: TestRequest
            history: tuple = ()
            _f2q_read = False

            @property
            def is_streamed(self) -> bool:
                return not self._f2q_read

            async def get_data(self, *args: Any, **kwargs: Any) -> Any:
                self._f2q_read = True
                return await super().get_data(*args, **kwargs)

        FlaskLikeResponse.__name__ = FlaskLikeResponse.__qualname__ = f"FlaskLike{cls.__name__}"
        sub = _response_classes[cls] = FlaskLikeResponse
    return sub


class FlaskLikeConnection(TestHTTPConnection):
    async def as_response(self) -> Any:
        response = await super().as_response()
        response.__class__ = _flask_like(type(response))
        response.request = TestRequest.from_scope(self.scope)
        return response


class FlaskLikeClient(QuartClient):
    """Quart's test client, with the members of Flask's that tests read (see the module)."""

    http_connection_class = FlaskLikeConnection

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._f2q_chain: list = []
        self._f2q_app_ctx: Any = None
        self._f2q_outer: tuple | None = None

    async def _make_request(self, *args: Any, **kwargs: Any) -> Any:
        seen: list = []
        token = _seen.set(seen)
        try:
            response = await super()._make_request(*args, **kwargs)
        finally:
            _seen.reset(token)
        # the first app context the request started in is the request's (its ``g``)
        self._f2q_app_ctx = next((c for c in seen if c is not None), None)
        self._f2q_chain.append(response)
        return response

    async def open(self, *args: Any, **kwargs: Any) -> Any:
        self._f2q_chain = []
        response = await super().open(*args, **kwargs)
        if self._f2q_chain and self._f2q_chain[-1] is response:
            response.history = tuple(self._f2q_chain[:-1])
        if self.preserve_context and self._f2q_app_ctx is not None:
            # Quart set a copy; Flask keeps the request's own contexts (and so its ``g``)
            _cv_app.set(self._f2q_app_ctx)
        return response

    async def __aenter__(self) -> FlaskLikeClient:
        outer = (_cv_app.get(None), _cv_request.get(None) if _cv_request is not None else None)
        await super().__aenter__()
        self._f2q_outer = outer
        return self

    async def __aexit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        try:
            await super().__aexit__(exc_type, exc_value, tb)
        finally:
            if self._f2q_outer is not None:
                app_ctx, request_ctx = self._f2q_outer
                self._f2q_outer = None
                self._f2q_app_ctx = None
                _cv_app.set(app_ctx)
                if _cv_request is not None:
                    _cv_request.set(request_ctx)


def test_client(app: Any, use_cookies: bool = True) -> FlaskLikeClient:
    """``app.test_client()`` with Flask's test-client members (see the module)."""
    return FlaskLikeClient(app, use_cookies=use_cookies)


test_client.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
