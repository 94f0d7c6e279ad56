"""The native corpus: JSON Lines, one request per line, read as a stream.

A line looks like::

    {"session": "s1", "method": "POST", "path": "/notes?draft=1",
     "headers": {"Accept": "application/json"}, "json": {"title": "x"}}

Fields (everything except ``path`` is optional):

``path``      the request target, starting with ``/``, query string included.
``method``    HTTP method, default ``GET``.
``session``   name of the cookie jar this request uses (default ``"default"``).
``headers``   an object ``{name: value}`` or a list of ``[name, value]`` pairs.
``body``      request body as text (sent UTF-8 encoded).
``body_b64``  request body as base64, for binary uploads.
``json``      a JSON document; sent compact with ``Content-Type: application/json``.
``form``      an object ``{name: value | [values]}``; sent URL-encoded.
``scheme``    ``http`` (default) or ``https``.
``id``        your label for the request, shown in reports.
``comment``   free text, ignored.

At most one of ``body``, ``body_b64``, ``json`` and ``form``. Blank lines and lines
starting with ``#`` are skipped. Anything else (unknown fields, wrong types, CR/LF in a
header, invalid UTF-8) is a :class:`CorpusError` naming the line.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote, urlencode

FIELDS = frozenset(
    {"path", "method", "session", "headers", "body", "body_b64", "json", "form", "scheme", "id", "comment"}
)
BODY_FIELDS = ("body", "body_b64", "json", "form")
DEFAULT_SESSION = "default"

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")


class CorpusError(ValueError):
    """A corpus line that cannot be replayed. ``str()`` names the file and line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class CorpusRequest:
    """One request to replay. ``seq`` counts requests from 0; ``line`` is 1-based."""

    seq: int
    line: int
    offset: int
    method: str
    path: str
    session: str = DEFAULT_SESSION
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    scheme: str = "http"
    id: str | None = None
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        return self.id or f"line {self.line}"

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


def _quote_target(path: str) -> str:
    """Percent-encode characters a request line cannot carry (non-ASCII, spaces).

    Already-encoded sequences and reserved characters are left alone, so both
    frameworks receive the same bytes.
    """
    if path.isascii() and " " not in path:
        return path
    return quote(path, safe="/?&=%:@!$'()*+,;~#[]")


def parse_line(raw: bytes, *, path: str, line: int, seq: int, offset: int) -> CorpusRequest | None:
    """Parse one corpus line. Returns None for blank and comment lines."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(path, line, f"invalid UTF-8 at byte {exc.start}") from None
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise CorpusError(path, line, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    return from_mapping(data, path=path, line=line, seq=seq, offset=offset)


def from_mapping(data: Any, *, path: str = "<corpus>", line: int = 0, seq: int = 0, offset: int = 0) -> CorpusRequest:
    """Validate a decoded corpus entry and build the request."""

    def fail(message: str) -> CorpusError:
        return CorpusError(path, line, message)

    if not isinstance(data, dict):
        raise fail(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(FIELDS))}")
    target = data.get("path")
    if not isinstance(target, str) or not target.startswith("/"):
        raise fail("'path' is required and must be a string starting with '/'")
    if _FORBIDDEN_IN_VALUE.search(target) or "\t" in target:
        raise fail("'path' contains a control character (CR, LF, TAB or NUL)")
    method = data.get("method", "GET")
    if not isinstance(method, str) or not _TOKEN.match(method):
        raise fail(f"'method' must be an HTTP method token, got {method!r}")
    session = data.get("session", DEFAULT_SESSION)
    if not isinstance(session, str) or not session:
        raise fail("'session' must be a non-empty string")
    scheme = data.get("scheme", "http")
    if scheme not in ("http", "https"):
        raise fail("'scheme' must be 'http' or 'https'")
    ident = data.get("id")
    if ident is not None and not isinstance(ident, (str, int)):
        raise fail("'id' must be a string")
    if "comment" in data and not isinstance(data["comment"], str):
        raise fail("'comment' must be a string")

    headers = _parse_headers(data.get("headers"), fail)
    present = [name for name in BODY_FIELDS if name in data]
    if len(present) > 1:
        raise fail(f"use only one of {', '.join(BODY_FIELDS)} (found {', '.join(present)})")
    body = b""
    content_type = None
    if "body" in data:
        if not isinstance(data["body"], str):
            raise fail("'body' must be a string (use 'body_b64' for binary, 'json' for a document)")
        body = data["body"].encode("utf-8")
    elif "body_b64" in data:
        try:
            body = base64.b64decode(data["body_b64"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise fail("'body_b64' is not valid base64") from None
    elif "json" in data:
        body = json.dumps(data["json"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        content_type = "application/json"
    elif "form" in data:
        form = data["form"]
        if not isinstance(form, dict) or not all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v)) for v in form.values()
        ):
            raise fail("'form' must be an object of strings or lists of strings")
        body = urlencode(form, doseq=True).encode("utf-8")
        content_type = "application/x-www-form-urlencoded"
    if content_type and not any(k.lower() == "content-type" for k, _ in headers):
        headers = headers + (("Content-Type", content_type),)
    return CorpusRequest(
        seq=seq,
        line=line,
        offset=offset,
        method=method.upper(),
        path=_quote_target(target),
        session=session,
        headers=headers,
        body=body,
        scheme=scheme,
        id=str(ident) if ident is not None else None,
        source=data,
    )


def _parse_headers(value: Any, fail: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        pairs = [(p[0], p[1]) for p in value]
    else:
        raise fail("'headers' must be an object or a list of [name, value] pairs")
    out = []
    for name, val in pairs:
        if not isinstance(name, str) or not isinstance(val, str):
            raise fail(f"header {name!r}: names and values must be strings")
        if _FORBIDDEN_IN_VALUE.search(name) or _FORBIDDEN_IN_VALUE.search(val):
            raise fail(f"header {name.strip()!r} contains CR, LF or NUL (header injection)")
        if not _TOKEN.match(name):
            raise fail(f"header name {name!r} is not a valid token")
        out.append((name, val))
    return tuple(out)


def read_corpus(path: str | os.PathLike[str]) -> Iterator[CorpusRequest]:
    """Stream the requests of a JSONL corpus in file order.

    Memory stays bounded: one line is held at a time. Raises :class:`CorpusError`
    on the first bad line.
    """
    name = os.fspath(path)
    with open(name, "rb") as fh:
        yield from iter_corpus(fh, name)


def iter_corpus(fh: IO[bytes], name: str) -> Iterator[CorpusRequest]:
    offset = 0
    seq = 0
    for lineno, raw in enumerate(fh, start=1):
        req = parse_line(raw, path=name, line=lineno, seq=seq, offset=offset)
        offset += len(raw)
        if req is not None:
            yield req
            seq += 1


def count_requests(path: str | os.PathLike[str]) -> int:
    """Number of non-blank, non-comment lines (a cheap pre-scan for the progress bar)."""
    n = 0
    with open(path, "rb") as fh:
        for raw in fh:
            s = raw.strip()
            if s and not s.startswith(b"#"):
                n += 1
    return n


def validate_corpus(path: str | os.PathLike[str]) -> int:
    """Parse every line (raising on the first bad one); returns the request count."""
    return sum(1 for _ in read_corpus(path))


def read_at(path: str | os.PathLike[str], offsets: list[int]) -> list[CorpusRequest]:
    """Re-read the requests starting at the given byte offsets (for reproducers)."""
    out = []
    with open(path, "rb") as fh:
        for off in offsets:
            fh.seek(off)
            raw = fh.readline()
            req = parse_line(raw, path=os.fspath(path), line=0, seq=0, offset=off)
            if req is not None:
                out.append(req)
    return out


def to_mapping(req: CorpusRequest) -> dict[str, Any]:
    """The corpus line for a request (inverse of :func:`from_mapping`)."""
    out: dict[str, Any] = {}
    if req.id is not None:
        out["id"] = req.id
    out["session"] = req.session
    out["method"] = req.method
    out["path"] = req.path
    if req.scheme != "http":
        out["scheme"] = req.scheme
    if req.headers:
        out["headers"] = [[k, v] for k, v in req.headers]
    if req.body:
        try:
            out["body"] = req.body.decode("utf-8")
        except UnicodeDecodeError:
            out["body_b64"] = base64.b64encode(req.body).decode("ascii")
    return out


def dump_line(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(", ", ": ")) + "\n"
