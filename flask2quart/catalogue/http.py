"""Phase 3 facts: ``requests`` → ``httpx.AsyncClient`` with the same behaviour.

Every fact here was checked against requests 2.x and httpx 0.28.1 with a loopback
server (``tests/phase3/test_wire.py`` re-runs the ones the rules rely on); the pair
ids (S1…, F1…, T1…) refer to ``shared/reference/requests_to_httpx.md`` §5.1.

Names are module-qualified as the project index resolves them: ``requests.get`` and
``requests.api.get`` are the same function, so both are listed (``canonical_name``).
"""

from __future__ import annotations

from dataclasses import dataclass

REQUESTS = "requests"
HTTPX = "httpx"
HTTPX_REQUIREMENT = "httpx==0.28.1"
RESPX_REQUIREMENT = "respx==0.23.1"

# ---------------------------------------------------------------------------
# 1. Entry points
# ---------------------------------------------------------------------------

#: ``requests.<name>`` module functions → the AsyncClient method of the same name.
#: ``follows``: does requests follow redirects by default (S1, S5, S6)?
@dataclass(frozen=True)
class HttpFunction:
    method: str          # AsyncClient method
    follows: bool        # requests' default for allow_redirects
    body_ok: bool        # httpx accepts data=/json=/files= on this method


FUNCTIONS: dict[str, HttpFunction] = {
    "get": HttpFunction("get", True, False),
    "options": HttpFunction("options", True, False),
    "head": HttpFunction("head", False, False),          # S5: requests.head() does not follow
    "post": HttpFunction("post", True, True),
    "put": HttpFunction("put", True, True),
    "patch": HttpFunction("patch", True, True),
    "delete": HttpFunction("delete", True, False),
    "request": HttpFunction("request", True, True),      # S6: request("HEAD") follows
}

#: Qualified names the index may resolve a module function to.
FUNCTION_QUALNAMES: dict[str, str] = {
    **{f"requests.{n}": n for n in FUNCTIONS},
    **{f"requests.api.{n}": n for n in FUNCTIONS},
}

SESSION_CLASSES = frozenset({"requests.Session", "requests.sessions.Session", "requests.session"})
#: Session methods that send (same mapping as the module functions).
SESSION_METHODS = FUNCTIONS
SESSION_CLOSE = ("close", "aclose")  # s.close() → await s.aclose()

#: requests.Session() defaults the AsyncClient must be told (S1, S8, trap 2).
SESSION_CLIENT_KWARGS = (("follow_redirects", "True"), ("max_redirects", "30"), ("timeout", "None"))
#: A client used in place of module functions: no timeout, no cookie persistence (F15).
CALL_CLIENT_KWARGS = (("max_redirects", "30"), ("timeout", "None"))

#: Per-call clients share one SSL context, created once at import: building a client otherwise
#: loads the CA bundle each time (≈ 25-55 ms on the event loop, measured; 0.4 ms with a shared
#: context). ``create_ssl_context()`` is what AsyncClient() builds by default (verify=True,
#: trust_env=True), so the TLS behaviour is unchanged.
SSL_CONTEXT_NAME = "HTTPX_SSL"
SSL_CONTEXT_FACTORY = "httpx.create_ssl_context()"
SSL_CONTEXT_COMMENT = "the CA bundle is loaded once for the per-call httpx clients"

#: Session attributes assigned after construction that an AsyncClient honours the same way
#: (S17): ``client.headers.update(...)``, ``client.headers[k] = v``, ``client.auth = x``.
SESSION_MUTABLE_ATTRS = frozenset({"headers", "auth", "params", "cookies", "max_redirects"})
#: Attributes that only exist in the httpx constructor (trap 9): an assignment is ignored.
SESSION_CONSTRUCTOR_ONLY = frozenset({"verify", "cert", "proxies", "trust_env", "adapters"})

# ---------------------------------------------------------------------------
# 2. Per-call keyword arguments (§1.2)
# ---------------------------------------------------------------------------

#: keyword → (httpx keyword, safe as is). Unknown keywords: marker.
KWARGS: dict[str, tuple[str, bool]] = {
    "params": ("params", True),         # safe for literal str values, no query in the URL (S4)
    "data": ("data", True),             # dict of str/int values (S2); bytes/str → content (S3)
    "json": ("json", False),            # F1: compact bytes in httpx → F1b byte-exact rewrite
    "files": ("files", True),           # S18 with explicit content type; F6 otherwise
    "headers": ("headers", True),
    "auth": ("auth", True),             # S9, S10
    "timeout": ("timeout", True),       # S11, S12
    "allow_redirects": ("follow_redirects", True),  # S7
    "cookies": ("cookies", False),      # F14: client-level in httpx
    "verify": ("verify", False),        # client-level (S20-S22)
    "cert": ("cert", False),
    "proxies": ("proxies", False),      # client-level mounts (S23)
    "stream": ("stream", False),        # streaming API (S19, T1)
    "hooks": ("hooks", False),          # T3
}
#: Keywords that have to move to the client constructor. A module function's per-call client takes
#: verify=True/False (S20), cookies= (F14: per request in requests, not persisted either way) and
#: proxies= ({"http": P} → mounts={"http://": AsyncHTTPTransport(proxy=P)}, S23); cert= and a CA
#: path need an ssl.SSLContext (S21, S22) and stay marked.
CLIENT_LEVEL_KWARGS = frozenset({"verify", "cert", "proxies", "cookies"})
PROXY_KEYS: dict[str, str] = {"http": "http://", "https": "https://", "all": "all://"}
PROXY_TRANSPORT = "httpx.AsyncHTTPTransport(proxy={p})"
REDIRECT_KWARG = ("allow_redirects", "follow_redirects")

#: requests' json= body: ``complexjson.dumps(json, allow_nan=False)`` (requests/models.py);
#: written byte-exact as content= plus the header requests adds when none is given (F1b).
JSON_BODY_TEMPLATE = "json.dumps({value}, allow_nan=False).encode()"
JSON_CONTENT_TYPE = ("Content-Type", "application/json")

#: timeout=t → every phase but the pool (S11); (c, r) → connect/read, send bounded by c (S12).
TIMEOUT_SCALAR = "httpx.Timeout({t}, pool=None)"
TIMEOUT_TUPLE = "httpx.Timeout(connect={c}, read={r}, write={c}, pool=None)"
TIMEOUT_DEFAULT = "None"  # requests: no timeout; httpx: 5 s (trap 2)

AUTH_CLASSES: dict[str, str] = {
    "requests.auth.HTTPBasicAuth": "httpx.BasicAuth",
    "requests.HTTPBasicAuth": "httpx.BasicAuth",
    "requests.auth.HTTPDigestAuth": "httpx.DigestAuth",
    "requests.HTTPDigestAuth": "httpx.DigestAuth",
}

# ---------------------------------------------------------------------------
# 3. Responses (§2)
# ---------------------------------------------------------------------------

#: member → template over ``{r}`` (the response expression).
RESPONSE_ATTRS: dict[str, str] = {
    "ok": "(not {r}.is_error)",          # S15: 400-599 only (is_success would be 2xx only)
    "reason": "{r}.reason_phrase",       # S16
}
#: ``r.raise_for_status()`` as a statement: httpx raises on 1xx/3xx too (trap 4, S13).
RAISE_FOR_STATUS = "raise_for_status"
RAISE_FOR_STATUS_STATEMENT = "if {r}.is_error:\n    {r}.raise_for_status()"
#: Members that mean the same thing on an httpx response.
RESPONSE_SAME = frozenset({"status_code", "headers", "content", "json", "history", "links",
                           "cookies", "is_redirect", "elapsed", "request", "encoding"})
#: ``r.url`` is an httpx.URL: == str works, str methods do not (S16) → ``str(r.url)``.
RESPONSE_URL = ("url", "str({r}.url)")
#: Members whose httpx value differs (marker): .text decodes text/* as UTF-8 (F9), iter_lines
#: yields str (F10), .raw/iter_content need the streaming API (T1), apparent_encoding is gone.
RESPONSE_DIFFERS: dict[str, str] = {
    "text": "httpx decodes `text/*` without a charset as UTF-8, requests as ISO-8859-1 (F9)",
    "iter_content": "streaming needs `client.stream(...)` + `aiter_bytes(n)` (S19)",
    "iter_lines": "`aiter_lines()` yields str, `iter_lines()` bytes (F10)",
    "raw": "no file-like `.raw` in httpx (`aiter_raw()`)",
    "apparent_encoding": "no charset guessing in httpx",
    "next": "`r.next_request` in httpx",
    "is_permanent_redirect": "no httpx counterpart",
}

# ---------------------------------------------------------------------------
# 4. Exceptions (§3.3): the httpx classes that fire in the same failures
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ExceptionFact:
    httpx: tuple[str, ...]   # replacement class(es)
    exact: bool              # False: approximate (a marker explains)
    note: str = ""


_E = ExceptionFact
EXCEPTIONS: dict[str, ExceptionFact] = {
    "HTTPError": _E(("httpx.HTTPStatusError",), True),                       # S14
    "Timeout": _E(("httpx.TimeoutException",), True),                        # S11
    "ConnectTimeout": _E(("httpx.ConnectTimeout",), True),                   # S24
    "ReadTimeout": _E(("httpx.ReadTimeout",), True),                         # S12
    "TooManyRedirects": _E(("httpx.TooManyRedirects",), True),
    "JSONDecodeError": _E(("json.JSONDecodeError",), True),
    "InvalidJSONError": _E(("json.JSONDecodeError",), True),
    "ConnectionError": _E(("httpx.NetworkError", "httpx.ConnectTimeout", "httpx.RemoteProtocolError",
                           "httpx.ProxyError"), False,
                          "a mid-body read timeout is a ReadTimeout in httpx, a ConnectionError in requests (F12)"),
    "RequestException": _E(("httpx.HTTPError", "httpx.InvalidURL", "json.JSONDecodeError"), False,
                           "`.json()` errors are not HTTP errors in httpx; they are caught here as before (F11)"),
    "SSLError": _E(("httpx.ConnectError",), False,
                   "httpx reports TLS failures as ConnectError (ssl error in the cause chain)"),
    "ProxyError": _E(("httpx.ProxyError",), False, "read in source only"),
    "MissingSchema": _E(("httpx.UnsupportedProtocol", "httpx.InvalidURL"), False, "URL errors map loosely"),
    "InvalidSchema": _E(("httpx.UnsupportedProtocol", "httpx.InvalidURL"), False, "URL errors map loosely"),
    "InvalidURL": _E(("httpx.UnsupportedProtocol", "httpx.InvalidURL"), False, "URL errors map loosely"),
    "ChunkedEncodingError": _E(("httpx.RemoteProtocolError",), False, "also covers other protocol errors"),
    "ContentDecodingError": _E(("httpx.DecodingError",), False, ""),
}
#: Exceptions with no httpx counterpart (marker, left in place).
EXCEPTIONS_WITHOUT_EQUIVALENT = frozenset({"RetryError", "StreamConsumedError", "URLRequired",
                                           "UnrewindableBodyError", "InvalidHeader"})
EXCEPTION_MODULES = ("requests.exceptions.", "requests.")

# ---------------------------------------------------------------------------
# 5. Adapters / retries (§4.1)
# ---------------------------------------------------------------------------

HTTP_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})
#: HTTPAdapter(max_retries=N) → AsyncHTTPTransport(retries=N): httpx retries connect errors
#: only (ConnectError/ConnectTimeout; F13) — urllib3 also retries read errors: a marker says so.
RETRY_TRANSPORT = "httpx.AsyncHTTPTransport(retries={n})"
MOUNT_PREFIXES: dict[str, str] = {"http://": "http://", "https://": "https://"}

# ---------------------------------------------------------------------------
# 6. Tests: responses → respx (§6.4)
# ---------------------------------------------------------------------------

RESPONSES_ACTIVATE = "responses.activate"
RESPX_MOCK = "respx.mock"
RESPONSES_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
RESPONSES_CALLS = ("responses.calls", "respx.calls")

# ---------------------------------------------------------------------------
# 6b. Sync roots phase 3 adds to facts.must_sync (threads and CLI commands are there already)
# ---------------------------------------------------------------------------

#: Task decorators: the function runs in a worker process, outside any event loop.
CELERY_TASK_DECORATORS = frozenset({"celery.shared_task", "celery.task"})
CELERY_APP_CLASS = "celery.Celery"
CELERY_APP_TASK_METHOD = "task"  # @celery_app.task / @celery_app.task(...)

# ---------------------------------------------------------------------------
# 7. What phase 3 rewrites (asked by the phase-2 helper)
# ---------------------------------------------------------------------------

HANDLED_PREFIXES = ("requests.", "requests.api.", "requests.sessions.", "requests.exceptions.",
                    "requests.adapters.", "requests.auth.")


def canonical_name(qualname: str | None) -> str | None:
    """``requests.api.get`` → ``requests.get``; other names unchanged."""
    if not qualname:
        return qualname
    for prefix in ("requests.api.", "requests.sessions."):
        if qualname.startswith(prefix):
            return "requests." + qualname[len(prefix):]
    return qualname


def handled_by_phase3(canonical_name_: str) -> bool:
    """Does a ``--phase 3`` run rewrite calls to this name (so phase 2 should skip them)?

    True for the ``requests`` module functions and Session construction; phase 3 decides per
    call whether it can rewrite (it leaves a marker otherwise), so earlier phases never touch
    these calls when phase 3 runs.
    """
    name = canonical_name(canonical_name_)
    if not name or not name.startswith("requests."):
        return False
    rest = name[len("requests."):]
    if rest.startswith("Session."):
        return rest[len("Session."):] in SESSION_METHODS
    return rest in FUNCTIONS or name in SESSION_CLASSES or rest == "Session"


def rewritten_by_phase3(facts, scope, call) -> bool | None:
    """Per-call answer for the phase-2 helper: True when phase 3 rewrites this ``requests`` call
    to httpx, False when it keeps it on requests (a marker says why — phase 2 may then move it off
    the loop), None when it is not a requests send call. ``scope`` is the function holding it.
    """
    from codemods.phase3 import _http

    plan = _http.plan_call(facts, scope, call)
    if plan is None:
        return None
    return plan.problem is None and facts.is_async(scope)
