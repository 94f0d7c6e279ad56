"""Normalizers: differences that belong to the frameworks or the test clients, not the app.

Each built-in normalizer has a name, a one-line summary, an explanation and the
source it relies on; reports list the ones that changed an outcome. They work on a
*pair* of views (see :mod:`flask2quart.harness.compare`) and return True when they
removed or aligned a field that differed.

Sources: ``quart_api.md`` is ``shared/reference/quart_api.md`` section 6; file:line
references are to the installed Quart 0.22.0 / 0.23.1, Flask 3.1.3 and Werkzeug 3.1.9.

User normalizers come from ``[tool.flask2quart.verify]`` (the candidate's
pyproject.toml) or the command line: header names, cookie names, JSON paths,
field-name globs and regex replacements.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask2quart.harness.compare import MISSING, same
from flask2quart.harness.cookies import http_date_to_ts, parse_set_cookie
from flask2quart.harness.protocol import get_body


@dataclass
class Pair:
    """Two views being compared (baseline ``a``, other side ``b``) and their raw messages."""

    method: str
    a: dict[str, Any]
    b: dict[str, Any]
    ma: dict[str, Any]
    mb: dict[str, Any]


@dataclass(frozen=True)
class Normalizer:
    name: str
    summary: str
    explanation: str
    source: str
    func: Callable[[Pair], bool] = field(repr=False, compare=False)
    builtin: bool = True

    def __call__(self, pair: Pair) -> bool:
        return self.func(pair)

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "summary": self.summary, "explanation": self.explanation, "source": self.source}


BUILTINS: dict[str, Normalizer] = {}


def builtin(name: str, summary: str, explanation: str, source: str) -> Callable[[Callable[[Pair], bool]], Callable[[Pair], bool]]:
    def register(func: Callable[[Pair], bool]) -> Callable[[Pair], bool]:
        BUILTINS[name] = Normalizer(name, summary, explanation, source, func)
        return func

    return register


def _drop(pair: Pair, key: str) -> bool:
    va = pair.a.pop(key, MISSING)
    vb = pair.b.pop(key, MISSING)
    return not same(va, vb)


def _drop_matching(pair: Pair, test: Callable[[str], bool]) -> bool:
    fired = False
    for key in [k for k in pair.a if test(k)] + [k for k in pair.b if test(k) and k not in pair.a]:
        fired |= _drop(pair, key)
    return fired


def _tokens(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [t.strip() for t in value.split(",") if t.strip()]


# ---------------------------------------------------------------------------
# built-ins


@builtin(
    "date-server",
    "Date and Server headers are not compared",
    "Date is the wall clock and Server names the server software (Werkzeug vs Hypercorn); "
    "neither says anything about the app.",
    "quart_api.md §6 'Server / Date headers'",
)
def _date_server(pair: Pair) -> bool:
    return _drop(pair, "header:date") | _drop(pair, "header:server")


@builtin(
    "vary-cookie",
    "Vary: Cookie added by Quart on every response of an app with a SECRET_KEY",
    "Quart's process_response reads ctx.session to save it, and reading it marks the session "
    "accessed, so save_session adds 'Vary: Cookie' even when the view never touched the session. "
    "Flask adds it only when the view did. Only the 'Cookie' token is ignored; other Vary values "
    "are still compared.",
    "quart/ctx.py:126-133 (0.23), quart/app.py:1693 process_response, quart/sessions.py:214-216; "
    "flask/sessions.py:349-350",
)
def _vary_cookie(pair: Pair) -> bool:
    ta, tb = _tokens(pair.a.get("header:vary")), _tokens(pair.b.get("header:vary"))
    sa, sb = {t.lower() for t in ta}, {t.lower() for t in tb}
    if sa == sb or (sa ^ sb) != {"cookie"}:
        return False
    for view, toks in ((pair.a, ta), (pair.b, tb)):
        rest = [t for t in toks if t.lower() != "cookie"]
        if rest:
            view["header:vary"] = ", ".join(rest)
        else:
            view.pop("header:vary", None)
    return True


@builtin(
    "allow-order",
    "Allow header values compared as a set",
    "The order of the methods in an automatic Allow header (OPTIONS, 405) comes from iterating "
    "a set, which depends on PYTHONHASHSEED in both frameworks. Workers run with "
    "PYTHONHASHSEED=0 unless you set it, and the values are sorted before comparing.",
    "quart_api.md §6 'OPTIONS / Allow'; werkzeug/routing/map.py allowed_methods",
)
def _allow_order(pair: Pair) -> bool:
    va, vb = pair.a.get("header:allow"), pair.b.get("header:allow")
    if not isinstance(va, str) or not isinstance(vb, str):
        return False
    sa, sb = ", ".join(sorted(_tokens(va))), ", ".join(sorted(_tokens(vb)))
    pair.a["header:allow"], pair.b["header:allow"] = sa, sb
    return va != vb and sa == sb


@builtin(
    "test-client-content-length",
    "Content-Length present on one side only",
    "Quart's test client collects the whole body and always sets Content-Length; Werkzeug's "
    "leaves it out for streamed responses. Real servers (Hypercorn, gunicorn) use chunked "
    "encoding for both. Compared only when both sides send it.",
    "quart/testing/connections.py as_response, quart/wrappers/response.py:340-341 "
    "(automatically_set_content_length)",
)
def _content_length(pair: Pair) -> bool:
    if ("header:content-length" in pair.a) != ("header:content-length" in pair.b):
        return _drop(pair, "header:content-length")
    return False


@builtin(
    "content-length-of-body",
    "Content-Length compared through the body it describes",
    "When each side's Content-Length equals the length of its own body, a difference in length "
    "is the body difference, reported (or normalized) once as body fields, not twice.",
    "RFC 9110 §8.6",
)
def _content_length_of_body(pair: Pair) -> bool:
    va, vb = pair.a.get("header:content-length"), pair.b.get("header:content-length")
    if not isinstance(va, str) or not isinstance(vb, str) or va == vb:
        return False
    if va == str(len(get_body(pair.ma))) and vb == str(len(get_body(pair.mb))):
        return _drop(pair, "header:content-length")
    return False


@builtin(
    "head-body",
    "Bodies of HEAD responses are not compared",
    "Werkzeug's test client returns an empty body for HEAD; Quart's returns the full body "
    "(Hypercorn strips it on a real connection). Status and headers are still compared, except a "
    "Content-Length that matches the full body Quart returned: it describes a body that cannot be "
    "compared here (the GET of the same URL compares both).",
    "quart_api.md §6 'HEAD'; quart/testing/connections.py as_response",
)
def _head_body(pair: Pair) -> bool:
    if pair.method != "HEAD":
        return False
    fired = _drop_matching(pair, lambda k: k == "body" or k.startswith("body:"))
    va, vb = pair.a.get("header:content-length"), pair.b.get("header:content-length")
    if isinstance(va, str) and isinstance(vb, str) and va != vb and vb == str(len(get_body(pair.mb))):
        fired |= _drop(pair, "header:content-length")
    return fired


_FILE_ETAG = re.compile(r'^(?:W/)?"(\d+(?:\.\d+)?-\d+)-\d+"$')


def _file_like(view: dict[str, Any]) -> bool:
    etag = view.get("header:etag")
    return (
        view.get("header:accept-ranges") == "bytes"
        or (isinstance(etag, str) and bool(_FILE_ETAG.match(etag)))
        or str(view.get("header:content-disposition", "")).startswith("inline")
    )


@builtin(
    "send-file-defaults",
    "send_file default headers (Cache-Control, Expires, ETag, Accept-Ranges, inline Content-Disposition)",
    "Flask's send_file defaults to conditional=True (Accept-Ranges: bytes), max_age=None "
    "(Cache-Control: no-cache) and always sends 'Content-Disposition: inline; filename=...'. "
    "Quart's defaults to conditional=False, SEND_FILE_MAX_AGE_DEFAULT=12h (Cache-Control: "
    "public, max-age=43200 plus Expires) and sends Content-Disposition only for attachments. "
    "Both build the file ETag as mtime-size-adler32(path), and the path is each side's scratch "
    "copy, so only the mtime-size part is compared. Explicit, non-default values are still compared.",
    "werkzeug/utils.py:493-512 send_file; quart/helpers.py send_file (0.22 :301-382); "
    "quart/app.py SEND_FILE_MAX_AGE_DEFAULT (0.22 :258, 0.23 :243)",
)
def _send_file(pair: Pair) -> bool:
    a, b = pair.a, pair.b
    if not (_file_like(a) or _file_like(b)):
        return False
    fired = False
    ca, cb = a.get("header:cache-control", MISSING), b.get("header:cache-control", MISSING)
    defaults = {"no-cache", "public", "public, max-age=43200", "max-age=43200, public", MISSING}
    if ca != cb and ca in defaults and cb in defaults:
        fired |= _drop(pair, "header:cache-control")
        if ("header:expires" in a) != ("header:expires" in b):
            fired |= _drop(pair, "header:expires")
    ea, eb = a.get("header:etag"), b.get("header:etag")
    if isinstance(ea, str) and isinstance(eb, str) and ea != eb:
        ma, mb = _FILE_ETAG.match(ea), _FILE_ETAG.match(eb)
        if ma and mb and ma.group(1) == mb.group(1):
            fired |= _drop(pair, "header:etag")
    if a.get("header:accept-ranges") == "bytes" and "header:accept-ranges" not in b:
        fired |= _drop(pair, "header:accept-ranges")
    da, db = a.get("header:content-disposition"), b.get("header:content-disposition")
    if isinstance(da, str) and da.startswith("inline") and db is None:
        fired |= _drop(pair, "header:content-disposition")
    return fired


@builtin(
    "clock-dates",
    "Expires dates compared relative to the response time (5 s tolerance)",
    "Expires headers and cookie Expires attributes are 'now + lifetime'; two runs never share "
    "a 'now'. They are equal when their distance from each response's own time is within 5 seconds.",
    "flask/sessions.py:223 and quart/sessions.py:78 (get_expiration_time)",
)
def _clock_dates(pair: Pair) -> bool:
    fired = False
    ta, tb = pair.ma.get("t"), pair.mb.get("t")
    if ta is None or tb is None:
        return False
    for key in [k for k in pair.a if k == "header:expires" or k.endswith(";expires")]:
        va, vb = pair.a.get(key), pair.b.get(key)
        if not isinstance(va, str) or not isinstance(vb, str) or va == vb:
            continue
        da, db = http_date_to_ts(va), http_date_to_ts(vb)
        if da is None or db is None:
            continue
        if abs((da - ta) - (db - tb)) <= 5:
            pair.b[key] = va
            fired = True
    return fired


@builtin(
    "session-cookie-payload",
    "Session cookies compared by decoded payload, not by signed string",
    "The signed cookie embeds a timestamp, and Quart serializes the payload with insertion-order "
    "keys where Flask sorts them, so the strings differ even when the session is the same. Each "
    "worker decodes its cookie with the app's own session serializer; the payload is compared "
    "field by field (session:$...).",
    "quart_api.md §6 'session cookie'; flask/sessions.py:303-321 and quart/sessions.py:144-167 (get_signing_serializer)",
)
def _session_payload(pair: Pair) -> bool:
    sa, sb = pair.ma.get("session"), pair.mb.get("session")
    if not (sa and sb and sa.get("ok") and sb.get("ok")):
        return False
    return _raw_cookie(pair.ma, sa["name"]) != _raw_cookie(pair.mb, sb["name"])


def _raw_cookie(msg: dict[str, Any], name: str) -> str | None:
    for key, value in msg.get("headers", ()):
        if key.lower() == "set-cookie":
            cname, cvalue, _ = parse_set_cookie(value)
            if cname == name:
                return cvalue
    return None


def _cookie_pairs(header: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(header, str):
        for item in header.split(";"):
            k, eq, v = item.strip().partition("=")
            if k and eq:
                out[k] = v
    return out


@builtin(
    "sent-cookie-echo",
    "Cookie values a page echoes back",
    "Each side is sent its own cookies, and the signed session strings differ between the two "
    "apps (timestamp, key order), so a page that shows the request's Cookie header shows "
    "different strings. Wherever a body contains the cookie value that side was sent, it is "
    "replaced by <cookie NAME> before comparing.",
    "quart_api.md §6 'session cookie'",
)
def _sent_cookie_echo(pair: Pair) -> bool:
    ca, cb = _cookie_pairs(pair.ma.get("cookie")), _cookie_pairs(pair.mb.get("cookie"))
    swaps = [(name, ca[name], cb[name]) for name in ca.keys() & cb.keys() if ca[name] != cb[name] and len(ca[name]) >= 8]
    if not swaps:
        return False
    fired = False
    for key in [k for k in pair.a if k == "body" or k.startswith("body:")]:
        va, vb = pair.a.get(key), pair.b.get(key, MISSING)
        if not isinstance(va, str) or not isinstance(vb, str):
            continue
        na, nb = va, vb
        for name, sa, sb in swaps:
            na = na.replace(sa, f"<cookie {name}>")
            nb = nb.replace(sb, f"<cookie {name}>")
        if na != va or nb != vb:
            pair.a[key], pair.b[key] = na, nb
            fired |= va != vb and na == nb
    return fired


_CONNECT_ERRORS = frozenset(
    {"ConnectionError", "ConnectError", "NewConnectionError", "MaxRetryError", "ProtocolError", "RemoteProtocolError", "NetworkError"}
)
_TIMEOUT_ERRORS = frozenset(
    {"Timeout", "ReadTimeout", "ConnectTimeout", "TimeoutException", "ReadTimeoutError", "ConnectTimeoutError", "WriteTimeout", "PoolTimeout"}
)


def _exception_family(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    name = value.split(":", 1)[0]
    if name in _CONNECT_ERRORS:
        return "<outbound connection error>"
    if name in _TIMEOUT_ERRORS:
        return "<outbound timeout>"
    return None


@builtin(
    "client-library-exceptions",
    "Equivalent outbound HTTP errors of different client libraries",
    "A failed outbound call raises requests.ConnectionError under requests and httpx.ConnectError "
    "under httpx (timeouts likewise), with library-specific messages. When both sides failed the "
    "same way (connection error, or timeout) the exception field is compared by that kind only.",
    "requests/exceptions.py, httpx/_exceptions.py; shared/reference/requests_to_httpx.md (exceptions)",
)
def _client_library_exceptions(pair: Pair) -> bool:
    va, vb = pair.a.get("exception"), pair.b.get("exception")
    if va == vb:
        return False
    fa, fb = _exception_family(va), _exception_family(vb)
    if fa is None or fa != fb:
        return False
    pair.a["exception"] = pair.b["exception"] = fa
    return True


@builtin(
    "unhandled-exception",
    "Error pages of the same unhandled exception",
    "With TESTING on, Werkzeug's test client re-raises an unhandled exception (the worker "
    "records a bare 500) while Quart renders a traceback page. When both sides report a 500 "
    "caused by the same exception type and message, the page body and its content headers are "
    "not compared.",
    "quart/asgi.py _handle_exception: show_error = app.debug or app.testing (0.22 :395, 0.23 :415); flask/app.py:840 got_request_exception",
)
def _unhandled_exception(pair: Pair) -> bool:
    a, b = pair.a, pair.b
    if a.get("status") != 500 or b.get("status") != 500 or "exception" not in a:
        return False
    if not same(a.get("exception"), b.get("exception")):
        return False
    fired = _drop_matching(pair, lambda k: k == "body" or k.startswith("body:"))
    for key in ("header:content-type", "header:content-length"):
        fired |= _drop(pair, key)
    return fired


_REMOTE_ADDR_KEY = re.compile(r'\["remote-addr"\]$', re.IGNORECASE)


@builtin(
    "remote-addr-echo",
    "Quart's synthetic Remote-Addr request header echoed in a JSON body",
    "Quart copies the client address into a 'Remote-Addr' request header, so an app that "
    "returns its request headers shows one more key than under Flask. A body field whose key "
    "is Remote-Addr, present only on the Quart side with the replay address, is dropped. "
    "(request.remote_addr itself is aligned at replay: both sides see 127.0.0.1.)",
    "quart/asgi.py:76 (_create_request_from_scope); quart_api.md §1b 'request.remote_addr'",
)
def _remote_addr_echo(pair: Pair) -> bool:
    fired = False
    for key in [k for k in pair.b if k not in pair.a and _REMOTE_ADDR_KEY.search(k)]:
        if pair.b[key] == "127.0.0.1":
            del pair.b[key]
            fired = True
    return fired


# ---------------------------------------------------------------------------
# user normalizers


def compile_json_path(pattern: str) -> re.Pattern[str]:
    """A tiny JSONPath subset: ``$.a.b``, ``$.items[*].id``, ``$.a.*``, ``$..token``, ``$["x-y"]``.

    The compiled regex matches the path and everything below it.
    """
    if not pattern.startswith("$"):
        raise ValueError(f"JSON path {pattern!r} must start with '$'")
    key = r'(?:\.[A-Za-z_][A-Za-z0-9_]*|\["(?:[^"\\]|\\.)*"\])'
    out = [r"\$"]
    i = 1
    while i < len(pattern):
        if pattern.startswith("..", i):
            out.append(rf"(?:{key}|\[\d+\])*")
            i += 1  # the second dot starts the next segment
            continue
        if pattern.startswith(".*", i):
            out.append(key)
            i += 2
        elif pattern.startswith("[*]", i):
            out.append(r"\[\d+\]")
            i += 3
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            inner = pattern[i + 1 : end]
            if inner.isdigit():
                out.append(re.escape(f"[{inner}]"))
            else:
                name = inner.strip("'\"")
                out.append(rf"(?:\.{re.escape(name)}|\[{re.escape(_quote(name))}\])")
            i = end + 1
        elif pattern[i] == ".":
            m = re.match(r"\.([^.\[]+)", pattern[i:])
            if not m:
                raise ValueError(f"bad JSON path {pattern!r}")
            name = m.group(1)
            out.append(rf"(?:\.{re.escape(name)}|\[{re.escape(_quote(name))}\])")
            i += len(m.group(0))
        else:
            raise ValueError(f"bad JSON path {pattern!r} at {pattern[i:]!r}")
    return re.compile("^" + "".join(out) + r"(?:$|[.\[])")


def compile_glob(glob: str) -> re.Pattern[str]:
    """A field-name glob: ``*`` any run, ``?`` one character; brackets are literal.

    So ``outbound[*].header:x-trace`` matches ``outbound[0].header:x-trace``.
    """
    return re.compile("^" + re.escape(glob).replace(r"\*", ".*").replace(r"\?", ".") + "$")


def _quote(name: str) -> str:
    import json

    return json.dumps(name, ensure_ascii=False)


def _json_part(key: str) -> str | None:
    idx = key.find(":$")
    return key[idx + 1 :] if idx >= 0 else None


@dataclass
class UserRules:
    ignore_headers: list[str] = field(default_factory=list)
    ignore_cookies: list[str] = field(default_factory=list)
    ignore_json_paths: list[str] = field(default_factory=list)
    ignore_fields: list[str] = field(default_factory=list)
    replace: list[tuple[str, str, list[str]]] = field(default_factory=list)
    origin: str = "config"


def user_normalizers(rules: UserRules) -> list[Normalizer]:
    out: list[Normalizer] = []
    origin = rules.origin
    for name in rules.ignore_headers:
        key = "header:" + name.lower()
        out.append(Normalizer(
            f"ignore-header:{name.lower()}", f"header {name} ignored", f"ignore_headers ({origin})", origin,
            lambda p, key=key: _drop(p, key), builtin=False,
        ))
    for name in rules.ignore_cookies:
        prefix = f"cookie:{name}"
        out.append(Normalizer(
            f"ignore-cookie:{name}", f"cookie {name} ignored", f"ignore_cookies ({origin})", origin,
            lambda p, prefix=prefix: _drop_matching(p, lambda k: k == prefix or k.startswith(prefix + ";")),
            builtin=False,
        ))
    for path in rules.ignore_json_paths:
        rx = compile_json_path(path)
        out.append(Normalizer(
            f"ignore-json-path:{path}", f"JSON path {path} ignored (bodies, session, outbound bodies)",
            f"ignore_json_paths ({origin})", origin,
            lambda p, rx=rx: _drop_matching(p, lambda k: (j := _json_part(k)) is not None and bool(rx.match(j))),
            builtin=False,
        ))
    for glob in rules.ignore_fields:
        grx = compile_glob(glob)
        out.append(Normalizer(
            f"ignore-field:{glob}", f"fields matching {glob} ignored", f"ignore_fields ({origin})", origin,
            lambda p, grx=grx: _drop_matching(p, lambda k: bool(grx.match(k))), builtin=False,
        ))
    for pattern, replacement, fields in rules.replace:
        rx = re.compile(pattern)
        globs = fields or ["body", "body:*"]
        grxs = [compile_glob(g) for g in globs]
        out.append(Normalizer(
            f"replace:{pattern}", f"/{pattern}/ -> {replacement!r} in {', '.join(globs)}",
            f"replace ({origin})", origin,
            lambda p, rx=rx, rep=replacement, grxs=grxs: _replace(p, rx, rep, grxs), builtin=False,
        ))
    return out


def _replace(pair: Pair, rx: re.Pattern[str], replacement: str, globs: list[re.Pattern[str]]) -> bool:
    fired = False
    a, b = pair.a, pair.b
    for key in [k for k in a if any(g.match(k) for g in globs)] + [
        k for k in b if k not in a and any(g.match(k) for g in globs)
    ]:
        va, vb = a.get(key, MISSING), b.get(key, MISSING)
        if isinstance(va, str):
            a[key] = rx.sub(replacement, va)
        if isinstance(vb, str):
            b[key] = rx.sub(replacement, vb)
        if not same(va, vb) and same(a.get(key, MISSING), b.get(key, MISSING)):
            fired = True
    return fired


def select(disabled: Iterable[str] = (), user: Iterable[Normalizer] = ()) -> list[Normalizer]:
    disabled = set(disabled)
    unknown = disabled - set(BUILTINS)
    if unknown:
        raise ValueError(f"unknown normalizer(s): {', '.join(sorted(unknown))}; built-ins: {', '.join(BUILTINS)}")
    return [n for name, n in BUILTINS.items() if name not in disabled] + list(user)


def apply(normalizers: list[Normalizer], pair: Pair) -> list[str]:
    """Run every normalizer on the pair; return the names of those that fired."""
    return [n.name for n in normalizers if n(pair)]
