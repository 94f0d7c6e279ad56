"""Responses as flat views of named fields, and the field-level diff between two views.

A view maps a field name to a plain value:

==============================  ==================================================
``status``                      the status code
``header:<name>``               a response header (lower-case name; repeated
                                headers joined with ``, ``); ``Set-Cookie`` is split
                                into the cookie fields below
``cookie:<name>``               a cookie's value
``cookie:<name>;<attr>``        a cookie attribute (``path``, ``httponly``,
                                ``max-age``, ``expires``, ``samesite`` ...)
``session:$.<path>``            the *decoded* session cookie payload, one field per
                                JSON leaf (the signed string itself is not compared)
``body``                        a text body, or ``<N bytes sha256 ...>`` for binary
``body:$.<path>``               a JSON body, one field per leaf (compared as data)
``exception``                   ``Type: message`` of an unhandled exception
``outbound[i]``                 the i-th outbound call the baseline made, as
                                ``METHOD URL``; details in ``outbound[i].method``,
                                ``.url``, ``.query``, ``.body``/``.body:$...``,
                                ``.form``, ``.header:<name>``
``outbound.extra[j]``           a call the candidate made that the baseline did not
==============================  ==================================================

Flat views make every later stage simple: normalizers delete or rewrite fields,
noise is a set of field names, accepted differences are fingerprints of
(endpoint, field, values).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask2quart.harness.cookies import parse_set_cookie
from flask2quart.harness.protocol import get_body


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Request headers every client library sets its own way: never compared on outbound calls.
OUTBOUND_IGNORED_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "connection", "content-length", "host", "transfer-encoding", "keep-alive"}
)


def json_key(key: str) -> str:
    return f".{key}" if _IDENT.match(key) else f"[{json.dumps(key, ensure_ascii=False)}]"


def flatten_json(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        if not value:
            out[prefix] = {}
        for k, v in value.items():
            flatten_json(v, prefix + json_key(str(k)), out)
    elif isinstance(value, list):
        if not value:
            out[prefix] = []
        for i, v in enumerate(value):
            flatten_json(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value


def _mimetype(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_type(content_type: str | None) -> bool:
    mt = _mimetype(content_type)
    return mt == "application/json" or mt.endswith("+json")


def describe_bytes(data: bytes) -> str:
    return f"<{len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()[:16]}>"


def add_body(view: dict[str, Any], prefix: str, data: bytes, content_type: str | None, *, binary: bool = False) -> None:
    """Add ``prefix`` (text) or ``prefix:$...`` (JSON) fields for a body."""
    if not data:
        return
    if binary:
        view[prefix] = describe_bytes(data)
        return
    if is_json_type(content_type):
        try:
            doc = json.loads(data)
        except ValueError:
            pass
        else:
            flatten_json(doc, f"{prefix}:$", view)
            return
    if _mimetype(content_type) == "application/x-www-form-urlencoded":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            view[prefix[: -len("body")] + "form"] = sorted(
                [list(p) for p in parse_qsl(text, keep_blank_values=True)]
            )
            return
    try:
        view[prefix] = data.decode("utf-8")
    except UnicodeDecodeError:
        view[prefix] = describe_bytes(data)


def response_view(msg: dict[str, Any], session_cookie: str | None = None) -> dict[str, Any]:
    """The view of one worker response message (see the module docstring)."""
    view: dict[str, Any] = {"status": msg.get("status")}
    content_type = None
    for name, value in msg.get("headers", ()):
        lname = name.lower()
        if lname == "set-cookie":
            _add_cookie(view, value, msg, session_cookie)
            continue
        if lname == "content-type":
            content_type = value
        key = "header:" + lname
        prev = view.get(key)
        view[key] = value if prev is None else f"{prev}, {value}"
    session = msg.get("session")
    if session and session.get("ok") and session.get("data") is not None:
        data = session["data"]
        if isinstance(data, (dict, list)):
            flatten_json(data, "session:$", view)
        else:
            view["session:$"] = data
    if "body_b64" in msg:  # not valid UTF-8: compared by size and hash
        add_body(view, "body", get_body(msg), content_type, binary=True)
    elif "body" in msg:
        add_body(view, "body", msg["body"].encode("utf-8"), content_type)
    exc = msg.get("exception")
    if exc:
        view["exception"] = f"{exc['type']}: {exc['message']}"
    return view


def _add_cookie(view: dict[str, Any], header: str, msg: dict[str, Any], session_cookie: str | None) -> None:
    name, value, attrs = parse_set_cookie(header)
    session = msg.get("session")
    if name == session_cookie and session and session.get("ok"):
        # Compared by decoded payload (session:$ fields); the signed string carries a timestamp.
        view[f"cookie:{name}"] = "<session deleted>" if session.get("data") is None else "<signed session>"
    else:
        view[f"cookie:{name}"] = value
    for attr, attr_value in attrs.items():
        view[f"cookie:{name};{attr}"] = attr_value


def url_base(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    port = "" if parts.port in (None, default) else f":{parts.port}"
    return f"{scheme}://{host}{port}{parts.path or '/'}"


def outbound_view(
    view: dict[str, Any],
    calls: list[dict[str, Any]],
    *,
    recorded: bool,
    ignored_headers: frozenset[str] = OUTBOUND_IGNORED_HEADERS,
) -> None:
    """Add outbound fields. ``recorded``: these calls are the baseline recording (index = position)."""
    extra = 0
    for pos, call in enumerate(calls):
        if recorded:
            prefix = f"outbound[{pos}]"
        elif call.get("matched") is not None:
            prefix = f"outbound[{call['matched']}]"
        else:
            prefix = f"outbound.extra[{extra}]"
            extra += 1
        base = url_base(call["url"])
        view[prefix] = f"{call['method']} {base}"
        view[prefix + ".method"] = call["method"]
        view[prefix + ".url"] = base
        query = urlsplit(call["url"]).query
        if query:
            view[prefix + ".query"] = sorted([list(p) for p in parse_qsl(query, keep_blank_values=True)])
        content_type = None
        for name, value in call.get("headers", ()):
            lname = name.lower()
            if lname in ignored_headers:
                continue
            if lname == "content-type":
                content_type = value
                value = re.sub(r"boundary=[^;]+", "boundary=<boundary>", value)
            view[f"{prefix}.header:{lname}"] = value
        if call.get("body_streamed"):
            view[prefix + ".body"] = "<streamed body>"
        else:
            add_body(view, prefix + ".body", get_body(call), content_type)


def same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    ta, tb = type(a), type(b)
    if ta is tb:
        return bool(a == b)
    if ta in (int, float) and tb in (int, float):
        return bool(a == b)
    return False


_OUTBOUND_CALL = re.compile(r"^outbound(?:\.extra)?\[\d+\]$")


def diff_views(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Fields whose values differ, as ``(field, a_value, b_value)``; MISSING marks absence.

    When a whole outbound call is missing on one side, only its summary field is
    reported, not each of its details.
    """
    out = []
    for key, va in a.items():
        vb = b.get(key, MISSING)
        if vb is MISSING or not same(va, vb):
            out.append((key, va, vb))
    for key, vb in b.items():
        if key not in a:
            out.append((key, MISSING, vb))
    whole = tuple(k for k, va, vb in out if (va is MISSING or vb is MISSING) and _OUTBOUND_CALL.match(k))
    if whole:
        details = tuple(k + "." for k in whole)
        out = [d for d in out if not d[0].startswith(details)]
    return out


_INDEX = re.compile(r"\[\d+\]")


def general_field(field: str) -> str:
    """``body:$.items[3].id`` -> ``body:$.items[*].id`` (for per-endpoint noise and fingerprints)."""
    return _INDEX.sub("[*]", field)
