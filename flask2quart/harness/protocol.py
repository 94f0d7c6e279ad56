"""The line protocol between the harness and a worker, shared by both ends.

One JSON object per line over the worker's stdin (harness -> worker) and a private
copy of its stdout (worker -> harness). The worker redirects file descriptor 1 to
stderr before importing the app, so a ``print()`` in a view cannot corrupt the
channel.

This module is imported by the worker, so it must stay importable on Python
3.10-3.13 with the standard library only.

Messages, harness -> worker::

    {"op": "cli", "args": ["init-db"]}              -> {"ok": true, "exit_code": 0, "output": "..."}
    {"op": "start"}                                 -> {"ok": true}   (Quart: runs the lifespan startup)
    {"op": "jars", "jars": {session: [[name, path, value, expires], ...]}}
                                                    -> {"ok": true}   (after a restart)
    {"op": "request", "id": 7, "session": "s1", "method": "POST", "path": "/x?y=1",
     "scheme": "http", "headers": [["Content-Type", "application/json"]],
     "body": "{...}" | "body_b64": "...",
     "endpoint": true,                                  (baseline only: label the route)
     "outbound": [<recorded calls to serve back>]}      (replaying sides only)
                                                    -> a response message (below)
    {"op": "shutdown"}                              -> (process exits)

Messages, worker -> harness::

    {"op": "ready", "framework": "flask", "framework_version": "3.1.3", "python": "3.11.7",
     "session_cookie": "session", "pid": 123}
    {"op": "fatal", "kind": "import", "message": "...", "traceback": "..."}
    {"id": 7, "status": 200, "headers": [[k, v], ...], "body": "..." | "body_b64": "...",
     "cookie": "session=...",                           (the Cookie header it sent)
     "session": {"name": "session", "ok": true, "data": {...}},   (decoded Set-Cookie)
     "exception": {"type": "ValueError", "message": "boom", "propagated": false},
     "outbound": [<calls made>], "endpoint": "POST /x", "ms": 0.4, "t": 1700000000.0}
    {"id": 7, "ok": false, "error": "worker", "message": "...", "traceback": "..."}

With ``--urlmap`` the worker sends ``{"op": "entry", "entry": {...}}`` lines and
``{"op": "done"}`` instead of serving requests.

Each worker answers requests strictly in the order it received them, so the
harness can keep several requests in flight and match answers to the oldest.
"""

from __future__ import annotations

import base64
import json
from typing import Any

# Bodies are sent as text when they are valid UTF-8, as base64 otherwise.


def put_body(message: dict[str, Any], body: bytes, key: str = "body") -> None:
    """Store ``body`` in ``message`` under ``key`` (text) or ``key_b64`` (binary)."""
    if not body:
        return
    try:
        message[key] = body.decode("utf-8")
    except UnicodeDecodeError:
        message[key + "_b64"] = base64.b64encode(body).decode("ascii")


def get_body(message: dict[str, Any], key: str = "body") -> bytes:
    """The bytes stored by :func:`put_body` (empty when absent)."""
    text = message.get(key)
    if text is not None:
        return text.encode("utf-8")
    b64 = message.get(key + "_b64")
    if b64 is not None:
        return base64.b64decode(b64)
    return b""


def dumps(message: dict[str, Any]) -> bytes:
    """One protocol line (UTF-8 JSON, no raw newlines, trailing ``\\n``)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def loads(line: bytes) -> dict[str, Any]:
    return json.loads(line)
