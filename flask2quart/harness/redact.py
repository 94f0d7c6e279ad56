"""Secrets never reach a report: every writer passes requests, responses and diffs through here.

Redacted by default:

* headers ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie``
  (cookie *names* and attributes stay, values go), ``X-Api-Key``, ``X-Auth-Token``,
  ``X-CSRF-Token`` and any header whose name contains token/secret/key/password/auth;
* query-string parameters, form fields and JSON keys (at any depth) whose name
  looks like a secret (``token``, ``api_key``, ``password``, ``secret``, ``auth``,
  ``signature``, ``csrf`` ...), in request/response bodies, outbound calls and the
  decoded session;
* ``Bearer``/``Basic`` credentials and ``key=value`` secrets inside text bodies.

Extend with ``redact_headers``, ``redact_keys`` (names, matched case-insensitively
as substrings) and ``redact_patterns`` (regexes replaced in any text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from flask2quart.harness.cookies import parse_set_cookie

REDACTED = "<redacted>"

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token", "x-csrf-token"}
)
_SECRET_NAME = r"pass(?:word|wd|phrase)?|secret|token|api[-_]?key|apikey|access[-_]?key|auth(?!ors?\b)|credential|private[-_]?key|signature|\bsig\b|csrf|session[-_]?id|\botp\b|cookie"
_TEXT_PATTERNS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + REDACTED),
    (re.compile(r"(?i)\b((?:session|sessionid|remember_token|csrftoken)=)[^;\s\"'&<>]+"), r"\1" + REDACTED),
    (
        re.compile(
            r"""(?i)((?:"|')?(?:access_token|refresh_token|id_token|token|api[_-]?key|apikey|secret|client_secret|password|passwd)(?:"|')?\s*[:=]\s*(?:"|')?)[^"'&\s<>,}]+"""
        ),
        r"\1" + REDACTED,
    ),
)


class Redactor:
    def __init__(self, headers: Iterable[str] = (), keys: Iterable[str] = (), patterns: Iterable[str] = ()) -> None:
        headers, keys = list(headers), list(keys)
        self.headers = SECRET_HEADERS | {h.lower() for h in headers}
        # a header declared secret is secret wherever its name shows up as a key (an app
        # echoing request headers as JSON, a form field of that name)
        extra = "|".join(re.escape(k) for k in [*keys, *headers])
        self.key_rx = re.compile(f"(?i)(?:{_SECRET_NAME}{'|' + extra if extra else ''})")
        self.text_rules = list(_TEXT_PATTERNS) + [(re.compile(p), REDACTED) for p in patterns]

    # -- names -------------------------------------------------------------

    def secret_header(self, name: str) -> bool:
        lname = name.lower()
        return lname in self.headers or bool(self.key_rx.search(lname))

    def secret_key(self, name: str) -> bool:
        return bool(self.key_rx.search(name))

    # -- values --------------------------------------------------------------

    def text(self, value: str) -> str:
        for rx, rep in self.text_rules:
            value = rx.sub(rep, value)
        return value

    def header_value(self, name: str, value: str) -> str:
        lname = name.lower()
        if lname == "set-cookie":
            cname, _, _ = parse_set_cookie(value)
            rest = value.split(";", 1)[1] if ";" in value else ""
            return f"{cname}={REDACTED}" + (f";{rest}" if rest else "")
        if lname == "cookie":
            return "; ".join(f"{p.split('=', 1)[0].strip()}={REDACTED}" for p in value.split(";") if p.strip())
        if self.secret_header(name):
            return REDACTED
        if lname in ("location", "referer", "content-location"):
            return self.url(value)
        return self.text(value)

    def headers_list(self, headers: Iterable[Iterable[str]]) -> list[list[str]]:
        return [[k, self.header_value(k, v)] for k, v in headers]

    def query(self, query: str) -> str:
        if not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(self.secret_key(k) for k, _ in pairs):
            return self.text(query)
        return urlencode([(k, REDACTED if self.secret_key(k) else self.text(v)) for k, v in pairs],
                         quote_via=quote, safe="<>")

    def path(self, target: str) -> str:
        path, sep, query = target.partition("?")
        return self.text(path) + (sep + self.query(query) if sep else "")

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:  # user:password@host
            netloc = REDACTED + "@" + netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, netloc, self.text(parts.path), self.query(parts.query),
                           self.text(parts.fragment)))

    def data(self, value: Any) -> Any:
        """A JSON document with secret-named keys redacted at any depth."""
        if isinstance(value, dict):
            return {k: (REDACTED if self.secret_key(str(k)) and not isinstance(v, (dict, list)) else self.data(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _pair(self, pair: Any) -> Any:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            k, v = pair
            return [k, REDACTED if self.secret_key(str(k)) else self.data(v)]
        return self.data(pair)

    def body(self, text: str, content_type: str | None, *, pretty: bool = True) -> str:
        mt = (content_type or "").split(";", 1)[0].strip().lower()
        if mt == "application/json" or mt.endswith("+json"):
            try:
                doc = self.data(json.loads(text))
                if pretty:
                    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
                return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            except ValueError:
                pass
        if mt == "application/x-www-form-urlencoded":
            return self.query(text)
        return self.text(text)

    def field_value(self, fieldname: str, value: Any) -> Any:
        """A value shown in a field-level diff."""
        if fieldname.endswith((".query", ".form")) and isinstance(value, list):  # [[name, value], ...]
            return [self._pair(p) for p in value]
        if isinstance(value, (dict, list)):
            return self.data(value)
        if fieldname.startswith("header:"):
            name = fieldname[len("header:"):]
            return self.header_value(name, value) if isinstance(value, str) else value
        if fieldname.startswith("cookie:") and ";" not in fieldname:
            return value if value in ("<signed session>", "<session deleted>") else REDACTED
        if ".header:" in fieldname:
            name = fieldname.split(".header:", 1)[1]
            if self.secret_header(name):
                return REDACTED
            return self.text(value) if isinstance(value, str) else value
        if fieldname.endswith(".url") and isinstance(value, str):
            return self.url(value)
        last = _last_key(fieldname)
        if last is not None and self.secret_key(last):
            return REDACTED
        if isinstance(value, str):
            return self.text(value)
        return value


_LAST_KEY = re.compile(r'(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\])(?:\[\d+\])*$')


def _last_key(fieldname: str) -> str | None:
    if ":$" not in fieldname:
        return None
    m = _LAST_KEY.search(fieldname)
    if not m:
        return None
    return m.group(1) or m.group(2)
