"""Outbound HTTP inside a worker: record live calls, or serve recorded ones back.

Patched at the transport level, so the app's client code runs unchanged and a
``requests`` call recorded on the baseline can be served to an ``httpx`` call on
the candidate (the point of verifying a requests -> httpx rewrite):

* requests: ``requests.adapters.HTTPAdapter.send`` (every hop, redirects included)
* httpx: ``httpx.HTTPTransport.handle_request`` and
  ``httpx.AsyncHTTPTransport.handle_async_request``
* urllib3, for code that uses it directly: ``HTTPConnectionPool.urlopen``
  (skipped when the call comes from inside requests)

Recorded bodies are stored *as the app saw them* (decompressed, without
``Content-Encoding``), and in record mode the app also receives a response rebuilt
from the recording, so what the baseline saw is exactly what the candidate sees.

Calls made outside a replayed request (at import time, in ``--setup-cli``) go out
live in every mode and are not compared.

Worker-side module: standard library only at import time; Python 3.10+.
"""

from __future__ import annotations

import contextvars
import io
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask2quart.harness.protocol import get_body, put_body

# Set while a higher-level client (requests) is on the stack, so urllib3 underneath
# is not recorded twice.
_inside_client: contextvars.ContextVar[bool] = contextvars.ContextVar("f2q_inside_client", default=False)

# Response headers that describe the wire encoding rather than the content.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"})


class NoRecording(Exception):
    """Raised internally when a replayed call has no recorded counterpart."""


class Outbound:
    """Per-worker state: the calls of the request being replayed."""

    def __init__(self, mode: str) -> None:
        if mode not in ("record", "replay", "off"):
            raise ValueError(f"unknown outbound mode {mode!r}")
        self.mode = mode
        self.active = False
        self.calls: list[dict[str, Any]] = []
        self.recorded: list[dict[str, Any]] = []
        self.used: list[bool] = []
        self.lock = threading.Lock()

    def begin(self, recorded: list[dict[str, Any]] | None) -> None:
        with self.lock:
            self.active = True
            self.calls = []
            self.recorded = list(recorded or [])
            self.used = [False] * len(self.recorded)

    def end(self) -> list[dict[str, Any]]:
        with self.lock:
            self.active = False
            calls, self.calls = self.calls, []
            return calls

    @property
    def intercepting(self) -> bool:
        return self.active and self.mode != "off"

    # -- recording ---------------------------------------------------------

    def add(self, call: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(call)

    # -- replay ------------------------------------------------------------

    def match(self, call: dict[str, Any]) -> dict[str, Any]:
        """Pick the recorded call that answers ``call``; mark it used.

        Preference: same method+URL+body, same method+URL, same method+path,
        same method, then any unused call in order. Raises NoRecording when
        every recorded call is already used.
        """
        key_url = _url_key(call["url"])
        key_path = key_url[:3]
        body = get_body(call)
        with self.lock:
            tests = (
                lambda r: r["method"] == call["method"] and _url_key(r["url"]) == key_url and get_body(r) == body,
                lambda r: r["method"] == call["method"] and _url_key(r["url"]) == key_url,
                lambda r: r["method"] == call["method"] and _url_key(r["url"])[:3] == key_path,
                lambda r: r["method"] == call["method"],
                lambda r: True,
            )
            for test in tests:
                for i, rec in enumerate(self.recorded):
                    if not self.used[i] and test(rec):
                        self.used[i] = True
                        call["matched"] = i
                        self.calls.append(call)
                        return rec
            call["matched"] = None
            self.calls.append(call)
        raise NoRecording(
            f"flask2quart verify: no recorded outbound response for {call['method']} {call['url']} "
            "(the baseline made no such call for this request)"
        )


def _url_key(url: str) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"{(parts.hostname or '').lower()}:{port}"
    return (parts.scheme.lower(), host, parts.path or "/", tuple(sorted(parse_qsl(parts.query, keep_blank_values=True))))


def _clean_response_headers(headers: list[tuple[str, str]], body: bytes) -> list[list[str]]:
    out = [[k, v] for k, v in headers if k.lower() not in _WIRE_HEADERS]
    out.append(["Content-Length", str(len(body))])
    return out


def _error_kind(exc: BaseException) -> str:
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"Timeout", "TimeoutException", "TimeoutError", "ReadTimeoutError", "ConnectTimeoutError"}:
        return "timeout"
    if names & {"ConnectionError", "ConnectError", "NetworkError", "NewConnectionError", "MaxRetryError", "ProtocolError"}:
        return "connect"
    return "error"


def _call(library: str, method: str, url: str, headers: list[tuple[str, str]], body: bytes | None) -> dict[str, Any]:
    call: dict[str, Any] = {"library": library, "method": method.upper(), "url": url, "headers": [[k, v] for k, v in headers]}
    if body is None:
        call["body_streamed"] = True
    else:
        put_body(call, body)
    return call


def _response_record(status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> dict[str, Any]:
    rec: dict[str, Any] = {"status": status, "reason": reason or "", "headers": _clean_response_headers(headers, body)}
    put_body(rec, body)
    return rec


# ---------------------------------------------------------------------------
# requests


def _patch_requests(state: Outbound) -> None:
    try:
        from requests import adapters, exceptions
        from urllib3 import HTTPResponse
    except ImportError:
        return
    original = adapters.HTTPAdapter.send
    if getattr(original, "_f2q", False):
        return

    def build(adapter: Any, request: Any, rec: dict[str, Any]) -> Any:
        body = get_body(rec)
        raw = HTTPResponse(
            body=io.BytesIO(body),
            headers=[(k, v) for k, v in rec["headers"]],
            status=rec["status"],
            reason=rec.get("reason") or None,
            preload_content=False,
            decode_content=False,
            request_method=request.method,
            request_url=request.url,
        )
        return adapter.build_response(request, raw)

    def raise_recorded(request: Any, err: dict[str, Any]) -> None:
        cls = exceptions.ReadTimeout if err["kind"] == "timeout" else exceptions.ConnectionError
        raise cls(err["message"], request=request)

    def send(self: Any, request: Any, stream: bool = False, timeout: Any = None, verify: Any = True, cert: Any = None, proxies: Any = None) -> Any:
        if not state.intercepting:
            return original(self, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = None  # a file or generator: streamed, not captured
        elif body is None:
            body = b""
        call = _call("requests", request.method, request.url, list(request.headers.items()), body)
        if state.mode == "replay":
            try:
                rec = state.match(call)
            except NoRecording as exc:
                raise exceptions.ConnectionError(str(exc), request=request) from None
            if "error" in rec:
                raise_recorded(request, rec["error"])
            return build(self, request, rec["response"])
        token = _inside_client.set(True)
        try:
            live = original(self, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
            content = live.content
        except Exception as exc:
            call["error"] = {"kind": _error_kind(exc), "type": type(exc).__name__, "message": str(exc)}
            state.add(call)
            raise
        finally:
            _inside_client.reset(token)
        raw_headers = list(live.raw.headers.items()) if getattr(live.raw, "headers", None) is not None else list(live.headers.items())
        call["response"] = _response_record(live.status_code, live.reason or "", raw_headers, content)
        state.add(call)
        live.close()
        return build(self, request, call["response"])

    send._f2q = True  # type: ignore[attr-defined]
    adapters.HTTPAdapter.send = send  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# httpx


def _patch_httpx(state: Outbound) -> None:
    try:
        import httpx
    except ImportError:
        return
    sync_original = httpx.HTTPTransport.handle_request
    async_original = httpx.AsyncHTTPTransport.handle_async_request
    if getattr(sync_original, "_f2q", False):
        return

    def build(request: Any, rec: dict[str, Any]) -> Any:
        reason = (rec.get("reason") or "").encode("latin-1", "replace")
        return httpx.Response(
            status_code=rec["status"],
            headers=[(k, v) for k, v in rec["headers"]],
            stream=httpx.ByteStream(get_body(rec)),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    def raise_recorded(request: Any, err: dict[str, Any]) -> None:
        cls = httpx.ReadTimeout if err["kind"] == "timeout" else httpx.ConnectError
        raise cls(err["message"], request=request)

    def replay(request: Any, call: dict[str, Any]) -> Any:
        try:
            rec = state.match(call)
        except NoRecording as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
        if "error" in rec:
            raise_recorded(request, rec["error"])
        return build(request, rec["response"])

    def make_call(request: Any, body: bytes | None) -> dict[str, Any]:
        return _call("httpx", request.method, str(request.url), list(request.headers.multi_items()), body)

    def handle_request(self: Any, request: Any) -> Any:
        if not state.intercepting:
            return sync_original(self, request)
        call = make_call(request, request.read())
        if state.mode == "replay":
            return replay(request, call)
        try:
            live = sync_original(self, request)
            content = live.read()
        except Exception as exc:
            call["error"] = {"kind": _error_kind(exc), "type": type(exc).__name__, "message": str(exc)}
            state.add(call)
            raise
        finally:
            pass
        reason = live.extensions.get("reason_phrase", b"").decode("latin-1") if isinstance(live.extensions.get("reason_phrase"), bytes) else ""
        call["response"] = _response_record(live.status_code, reason, list(live.headers.multi_items()), content)
        live.close()
        state.add(call)
        return build(request, call["response"])

    async def handle_async_request(self: Any, request: Any) -> Any:
        if not state.intercepting:
            return await async_original(self, request)
        call = make_call(request, await request.aread())
        if state.mode == "replay":
            return replay(request, call)
        try:
            live = await async_original(self, request)
            content = await live.aread()
        except Exception as exc:
            call["error"] = {"kind": _error_kind(exc), "type": type(exc).__name__, "message": str(exc)}
            state.add(call)
            raise
        reason = live.extensions.get("reason_phrase", b"").decode("latin-1") if isinstance(live.extensions.get("reason_phrase"), bytes) else ""
        call["response"] = _response_record(live.status_code, reason, list(live.headers.multi_items()), content)
        await live.aclose()
        state.add(call)
        return build(request, call["response"])

    handle_request._f2q = True  # type: ignore[attr-defined]
    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# urllib3 (direct users only)


def _patch_urllib3(state: Outbound) -> None:
    try:
        from urllib3 import HTTPResponse
        from urllib3.connectionpool import HTTPConnectionPool
        from urllib3.exceptions import ProtocolError, ReadTimeoutError
    except ImportError:
        return
    original = HTTPConnectionPool.urlopen
    if getattr(original, "_f2q", False):
        return

    def build(rec: dict[str, Any], preload_content: bool) -> Any:
        return HTTPResponse(
            body=io.BytesIO(get_body(rec)),
            headers=[(k, v) for k, v in rec["headers"]],
            status=rec["status"],
            reason=rec.get("reason") or None,
            preload_content=preload_content,
            decode_content=False,
        )

    def urlopen(self: Any, method: str, url: str, body: Any = None, headers: Any = None, *args: Any, **kwargs: Any) -> Any:
        if not state.intercepting or _inside_client.get():
            return original(self, method, url, body, headers, *args, **kwargs)
        full = url if "://" in url else f"{self.scheme}://{self.host}:{self.port}{url}"
        data = body.encode("utf-8") if isinstance(body, str) else body if isinstance(body, bytes) else (b"" if body is None else None)
        call = _call("urllib3", method, full, list((headers or {}).items()), data)
        preload = kwargs.get("preload_content", True)
        if state.mode == "replay":
            try:
                rec = state.match(call)
            except NoRecording as exc:
                raise ProtocolError(str(exc)) from None
            if "error" in rec:
                if rec["error"]["kind"] == "timeout":
                    raise ReadTimeoutError(self, url, rec["error"]["message"])
                raise ProtocolError(rec["error"]["message"])
            return build(rec["response"], preload)
        token = _inside_client.set(True)
        try:
            kwargs["preload_content"] = True
            kwargs["decode_content"] = True
            live = original(self, method, url, body, headers, *args, **kwargs)
        except Exception as exc:
            call["error"] = {"kind": _error_kind(exc), "type": type(exc).__name__, "message": str(exc)}
            state.add(call)
            raise
        finally:
            _inside_client.reset(token)
        call["response"] = _response_record(live.status, live.reason or "", list(live.headers.items()), live.data or b"")
        state.add(call)
        return build(call["response"], preload)

    urlopen._f2q = True  # type: ignore[attr-defined]
    HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign]


def install(mode: str) -> Outbound:
    """Patch every installed client library and return the shared state."""
    state = Outbound(mode)
    if mode != "off":
        _patch_requests(state)
        _patch_httpx(state)
        _patch_urllib3(state)
    return state
