"""A Quart response whose body accessors also answer synchronous Flask code.

Quart's ``Response.get_data()`` / ``.data`` / ``.get_json()`` / ``.json`` are async; Flask code
that post-processes responses in a sync ``after_request`` hook (compression, minifiers, tests that
call ``flask.jsonify(...).get_data()``) would silently get coroutines. Under the bridge they
return the value to sync callers running in a bridge greenlet or a worker thread, keep returning
awaitables to async callers, and refuse loudly when sync code on the loop thread uses the result
(see :func:`~flask2quart.bridge._sync.for_caller`).
"""

from __future__ import annotations

from typing import Any

import quart

from ._sync import for_caller


class BridgeResponse(quart.Response):
    def get_data(self, as_text: bool = False) -> Any:  # type: ignore[override]
        return for_caller(quart.Response.get_data(self, as_text), "response.get_data()")

    @property
    def data(self) -> Any:  # type: ignore[override]
        return for_caller(quart.Response.get_data(self, False), "response.data")

    @data.setter
    def data(self, value: bytes) -> None:
        self.set_data(value)

    def get_json(self, force: bool = False, silent: bool = False) -> Any:  # type: ignore[override]
        return for_caller(quart.Response.get_json(self, force, silent), "response.get_json()")

    @property
    def json(self) -> Any:  # type: ignore[override]
        return for_caller(quart.Response.get_json(self), "response.json")
