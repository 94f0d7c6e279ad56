"""Cookie jars: one per corpus session and side.

The frameworks' test-client jars behave differently (Werkzeug drops an explicit
``Cookie`` header when its jar is on; Quart's sends every cookie it holds, as
separate headers), so both clients run with cookies off and each worker sends one
``Cookie`` header built by this same code for both sides. The harness keeps a
mirror of every worker's jars (updated from the responses, in order) and hands it
to a worker restarted after a timeout or crash.

Worker-side module: standard library only.

Rules (RFC 6265, simplified for a single host): cookies are keyed by name and path;
``Max-Age`` wins over ``Expires``; a cookie whose ``Max-Age`` is <= 0 or whose
``Expires`` is in the past is deleted; the default path is the request path's
directory; ``Domain`` and ``Secure`` are ignored (every request goes to one host).
Cookies the corpus sends explicitly in a ``Cookie`` header are kept; jar cookies
with the same name replace them.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any


def parse_set_cookie(value: str) -> tuple[str, str, dict[str, Any]]:
    """``"a=1; Path=/; HttpOnly"`` -> ``("a", "1", {"path": "/", "httponly": True})``."""
    parts = value.split(";")
    name, _, val = parts[0].partition("=")
    val = val.strip()
    if len(val) >= 2 and val[0] == val[-1] == '"':
        val = val[1:-1]
    attrs: dict[str, Any] = {}
    for part in parts[1:]:
        key, eq, attr = part.partition("=")
        key = key.strip().lower()
        if key:
            attrs[key] = attr.strip() if eq else True
    return name.strip(), val, attrs


def http_date_to_ts(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _default_path(request_path: str) -> str:
    path = request_path.split("?", 1)[0]
    if not path.startswith("/") or path.count("/") <= 1:
        return "/"
    return path[: path.rfind("/")]


def _path_matches(cookie_path: str, request_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


class Jar:
    __slots__ = ("cookies",)

    def __init__(self) -> None:
        # (name, path) -> (value, expires timestamp or None)
        self.cookies: dict[tuple[str, str], tuple[str, float | None]] = {}

    def update(self, set_cookies: list[str], request_path: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for header in set_cookies:
            name, value, attrs = parse_set_cookie(header)
            if not name:
                continue
            path = attrs.get("path")
            if not isinstance(path, str) or not path.startswith("/"):
                path = _default_path(request_path)
            expires: float | None = None
            max_age = attrs.get("max-age")
            if isinstance(max_age, str):
                try:
                    expires = now + int(max_age)
                except ValueError:
                    expires = None
            elif isinstance(attrs.get("expires"), str):
                expires = http_date_to_ts(attrs["expires"])
            key = (name, path)
            if expires is not None and expires <= now:
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = (value, expires)

    def dump(self) -> list[list[Any]]:
        return [[name, path, value, expires] for (name, path), (value, expires) in self.cookies.items()]

    @classmethod
    def load(cls, items: list[list[Any]]) -> Jar:
        jar = cls()
        for name, path, value, expires in items:
            jar.cookies[(name, path)] = (value, expires)
        return jar

    def header(self, request_path: str, explicit: str | None = None, now: float | None = None) -> str | None:
        """The ``Cookie`` header for a request (None when there is nothing to send)."""
        now = time.time() if now is None else now
        path = request_path.split("?", 1)[0] or "/"
        pairs: dict[str, str] = {}
        if explicit:
            for item in explicit.split(";"):
                k, eq, v = item.strip().partition("=")
                if k and eq:
                    pairs[k] = v
        matching = [
            (len(cpath), name, value)
            for (name, cpath), (value, expires) in self.cookies.items()
            if (expires is None or expires > now) and _path_matches(cpath, path)
        ]
        # Longest path first, as browsers do; a name seen first wins.
        seen: set[str] = set()
        for _length, name, value in sorted(matching, key=lambda t: -t[0]):
            if name not in seen:
                seen.add(name)
                pairs[name] = value
        if not pairs:
            return None
        return "; ".join(f"{k}={v}" for k, v in pairs.items())
