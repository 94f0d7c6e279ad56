"""One side of a replay: ``python -m flask2quart.harness.worker --tree DIR --app EXPR``.

The worker is the only place where the app under test is imported. It

1. puts its (scratch) tree on ``sys.path`` and makes it the working directory,
2. patches outbound HTTP (:mod:`flask2quart.harness.outbound`) before the app loads,
3. evaluates ``module:expression`` and tells Flask from Quart by the app object,
4. answers the line protocol described in :mod:`flask2quart.harness.protocol`:
   runs ``--setup-cli`` commands through the framework's CLI runner, then replays
   requests through the framework's own test client.

Test-client defaults that differ between the frameworks are aligned here, at the
source, rather than normalized later: ``User-Agent`` (Werkzeug sends
``Werkzeug/x.y``, Quart sends ``Quart``), the client address (Flask
``127.0.0.1``, Quart ``<local>``) and cookies (the clients' own jars are off; the
worker keeps one :class:`~flask2quart.harness.cookies.Jar` per corpus session, the
same code on both sides, and sends a single ``Cookie`` header).

With ``--urlmap`` it prints a starter corpus generated from the app's routes instead.

Standard library only at import time; must run on Python 3.10-3.13 without libcst.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime
import importlib
import os
import sys
import time
import traceback
import uuid
from typing import Any

from flask2quart.harness import protocol
from flask2quart.harness.cookies import Jar
from flask2quart.harness.outbound import Outbound, install

USER_AGENT = "flask2quart-verify"
CLIENT_ADDR = "127.0.0.1"


class AppLoadError(Exception):
    pass


# ---------------------------------------------------------------------------
# loading the app


def load_app(expr: str) -> Any:
    """Evaluate ``module:expression`` (or ``module``, finding ``app``/``create_app``)."""
    module_name, _, attr = expr.partition(":")
    module = importlib.import_module(module_name.strip())
    if attr:
        return eval(attr.strip(), vars(module))  # noqa: S307 - the user's own --app string
    for name in ("app", "application"):
        if hasattr(module, name):
            return getattr(module, name)
    for name in ("create_app", "make_app"):
        factory = getattr(module, name, None)
        if callable(factory):
            return factory()
    raise AppLoadError(f"module {module_name!r} has no 'app', 'application' or 'create_app'; use 'module:expression'")


def framework_of(app: Any) -> str:
    names = {f"{c.__module__}.{c.__qualname__}" for c in type(app).__mro__}
    if "quart.app.Quart" in names:
        return "quart"
    if "flask.app.Flask" in names:
        return "flask"
    raise AppLoadError(
        f"--app evaluated to {type(app).__module__}.{type(app).__qualname__}, not a Flask or Quart application"
    )


# ---------------------------------------------------------------------------
# helpers shared by both sides


def jsonable(value: Any) -> Any:
    """A JSON-safe view of a decoded session value (tagged JSON types made plain)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return "b64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, str):  # Markup and other str subclasses
        return str(value)
    return repr(value)


def _cookie_value(set_cookie: str) -> tuple[str, str]:
    first = set_cookie.split(";", 1)[0]
    name, _, value = first.partition("=")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return name.strip(), value


class Worker:
    def __init__(self, app: Any, framework: str, outbound: Outbound) -> None:
        self.app = app
        self.framework = framework
        self.outbound = outbound
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME") or "session"
        self.serializer: Any = None
        self._endpoint_cache: dict[tuple[str, str, str], str] = {}
        self._exception: dict[str, str] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.test_app: Any = None
        self.client: Any = None
        self.jars: dict[str, Jar] = {}
        self._connect_exception_signal()

    # -- exceptions ----------------------------------------------------

    def _connect_exception_signal(self) -> None:
        def remember(exception: BaseException) -> None:
            self._exception = {"type": type(exception).__name__, "message": str(exception)}

        if self.framework == "flask":
            from flask import got_request_exception

            def receiver(sender: Any, exception: BaseException, **extra: Any) -> None:
                remember(exception)

            got_request_exception.connect(receiver, self.app, weak=False)
        else:
            from quart.signals import got_request_exception as quart_signal

            async def async_receiver(sender: Any, exception: BaseException, **extra: Any) -> None:
                remember(exception)

            quart_signal.connect(async_receiver, self.app, weak=False)

    # -- lifecycle -----------------------------------------------------

    def run_cli(self, args: list[str]) -> dict[str, Any]:
        """Run an app command as ``flask ARGS`` / ``quart ARGS`` would.

        Through the framework's own group (FlaskGroup pushes an app context for
        app commands, QuartGroup does not), with the framework's CLI test runner.
        """
        if self.framework == "flask":
            from flask.cli import FlaskGroup as Group
        else:
            from quart.cli import QuartGroup as Group
        group = Group(create_app=lambda *a, **k: self.app, add_default_commands=False, load_dotenv=False)
        runner = self.app.test_cli_runner()
        result = runner.invoke(group, args=args)
        out: dict[str, Any] = {"ok": result.exit_code == 0, "exit_code": result.exit_code, "output": result.output[-4000:]}
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            out["exception"] = "".join(traceback.format_exception(type(result.exception), result.exception, result.exc_info[2] if result.exc_info else None))[-4000:]
        return out

    def start(self) -> None:
        if self.framework == "flask":
            self.client = self.app.test_client(use_cookies=False)
            return
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.test_app = self.app.test_app()
        self.loop.run_until_complete(self.test_app.startup())
        self.client = self.app.test_client(use_cookies=False)

    def stop(self) -> None:
        if self.loop is not None and self.test_app is not None:
            try:
                self.loop.run_until_complete(asyncio.wait_for(self.test_app.shutdown(), 5))
            except Exception:
                pass

    # -- one request ---------------------------------------------------

    def load_jars(self, jars: dict[str, list[list[Any]]]) -> None:
        self.jars = {session: Jar.load(items) for session, items in jars.items()}

    def handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        path = msg["path"]
        headers = []
        explicit_cookie = None
        for k, v in msg.get("headers", ()):
            if k.lower() == "cookie":
                explicit_cookie = v if explicit_cookie is None else f"{explicit_cookie}; {v}"
            else:
                headers.append((k, v))
        jar = None
        cookie = explicit_cookie
        session_name = msg.get("session")
        if session_name is not None:
            jar = self.jars.get(session_name)
            if jar is None:
                jar = self.jars[session_name] = Jar()
            cookie = jar.header(path, explicit_cookie)
        if cookie:
            headers.append(("Cookie", cookie))
        lower = {k.lower() for k, _ in headers}
        if "user-agent" not in lower:
            headers.append(("User-Agent", USER_AGENT))
        body = protocol.get_body(msg)
        if body and "content-length" not in lower:
            headers.append(("Content-Length", str(len(body))))
        method = msg["method"]
        scheme = msg.get("scheme", "http")
        self._exception = None
        self.outbound.begin(msg.get("outbound"))
        started = time.perf_counter()
        try:
            if self.framework == "flask":
                status, resp_headers, resp_body = self._flask(method, path, scheme, headers, body)
            else:
                assert self.loop is not None
                status, resp_headers, resp_body = self.loop.run_until_complete(
                    self._quart(method, path, scheme, headers, body)
                )
        except Exception as exc:  # the exception escaped the framework (Flask TESTING/PROPAGATE_EXCEPTIONS)
            self._exception = self._exception or {"type": type(exc).__name__, "message": str(exc)}
            status, resp_headers, resp_body = 500, [], b""
            propagated = True
        else:
            propagated = False
        finally:
            calls = self.outbound.end()
        out: dict[str, Any] = {
            "id": msg.get("id"),
            "status": status,
            "headers": [[k, v] for k, v in resp_headers],
            "ms": round((time.perf_counter() - started) * 1000, 3),
            "t": time.time(),
        }
        protocol.put_body(out, resp_body)
        if cookie:
            out["cookie"] = cookie
        if jar is not None:
            set_cookies = [v for k, v in resp_headers if k.lower() == "set-cookie"]
            if set_cookies:
                jar.update(set_cookies, path)
        if self._exception is not None:
            exc_info = dict(self._exception)
            exc_info["propagated"] = propagated
            out["exception"] = exc_info
        if calls:
            out["outbound"] = calls
        session = self._decode_session(resp_headers)
        if session is not None:
            out["session"] = session
        if msg.get("endpoint"):
            out["endpoint"] = self.endpoint(method, path, scheme)
        return out

    def _flask(self, method: str, path: str, scheme: str, headers: list[tuple[str, str]], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        resp = self.client.open(
            path,
            method=method,
            headers=headers,
            data=body,
            base_url=f"{scheme}://{self.app.config.get('SERVER_NAME') or 'localhost'}/",
            environ_base={"REMOTE_ADDR": CLIENT_ADDR},
        )
        try:
            return resp.status_code, resp.headers.to_wsgi_list(), resp.get_data()
        finally:
            resp.close()

    async def _quart(self, method: str, path: str, scheme: str, headers: list[tuple[str, str]], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        from werkzeug.datastructures import Headers

        resp = await self.client.open(
            path,
            method=method,
            headers=Headers(headers),
            data=body,
            scheme=scheme,
            scope_base={"client": (CLIENT_ADDR, 0)},
        )
        data = await resp.get_data()
        return resp.status_code, resp.headers.to_wsgi_list(), data

    def _decode_session(self, headers: list[tuple[str, str]]) -> dict[str, Any] | None:
        for key, value in headers:
            if key.lower() != "set-cookie":
                continue
            name, raw = _cookie_value(value)
            if name != self.session_cookie:
                continue
            if not raw:
                return {"name": name, "ok": True, "data": None}
            if self.serializer is None:
                getter = getattr(self.app.session_interface, "get_signing_serializer", None)
                self.serializer = getter(self.app) if getter else False
            if not self.serializer:
                return {"name": name, "ok": False, "reason": "session interface has no signing serializer"}
            try:
                return {"name": name, "ok": True, "data": jsonable(self.serializer.loads(raw))}
            except Exception as exc:
                return {"name": name, "ok": False, "reason": f"{type(exc).__name__}: {exc}"}
        return None

    def endpoint(self, method: str, path: str, scheme: str) -> str:
        """A label such as ``GET /notes/<int:id>`` for per-endpoint summaries."""
        from urllib.parse import unquote

        path_only = unquote(path.partition("?")[0])
        key = (method, path_only, scheme)
        label = self._endpoint_cache.get(key)
        if label is not None:
            return label
        try:
            adapter = self.app.url_map.bind(self.app.config.get("SERVER_NAME") or "localhost", url_scheme=scheme)
            rule, _ = adapter.match(path_only, method, return_rule=True)
            label = f"{method} {rule.rule}"
        except Exception as exc:  # NotFound, MethodNotAllowed, RequestRedirect
            code = getattr(exc, "code", None)
            if code == 404:
                label = f"{method} <unknown path>"
            else:
                label = f"{method} {path_only} <{code or type(exc).__name__}>"
        if len(self._endpoint_cache) < 10000:
            self._endpoint_cache[key] = label
        return label


# ---------------------------------------------------------------------------
# starter corpus from the url map

_SAMPLES: dict[str, Any] = {
    "default": "sample",
    "string": "sample",
    "int": 1,
    "float": 1.5,
    "path": "sample/path",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_WRONG_METHODS = ("DELETE", "PATCH", "PUT", "POST", "GET")


def _converter_kind(converter: Any, registry: dict[str, type]) -> str:
    """The registry name of a converter (``int``, ``path`` ...), subclasses included."""
    for cls in type(converter).__mro__:
        for name, registered in registry.items():
            if registered is cls and name != "default":
                return name
    return "default"


def _sample_for(converter: Any, kind: str, app: Any, endpoint: str) -> Any:
    if kind == "any":
        items = getattr(converter, "items", None)
        if items:
            return sorted(items)[0]
    if kind == "path" and endpoint.endswith("static") and getattr(app, "static_folder", None):
        for root, _dirs, files in sorted(os.walk(app.static_folder)):
            for fname in sorted(files):
                return os.path.relpath(os.path.join(root, fname), app.static_folder).replace(os.sep, "/")
    if kind in ("int", "float"):
        low = getattr(converter, "min", None)
        if low is not None:
            return low
    return _SAMPLES.get(kind, "sample")


def urlmap_corpus(app: Any, include_unsafe: bool = False) -> list[dict[str, Any]]:
    """Requests that exercise every route: sample GETs, HEAD/OPTIONS, a wrong method, unknown paths."""
    adapter = app.url_map.bind(app.config.get("SERVER_NAME") or "localhost")
    registry = dict(app.url_map.converters)
    entries: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(method: str, path: str, comment: str) -> None:
        if (method, path) not in seen:
            seen.add((method, path))
            entries.append({"session": "urlmap", "method": method, "path": path, "comment": comment})

    routes: list[tuple[Any, str]] = []
    allowed: dict[str, set[str]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if getattr(rule, "websocket", False):
            continue
        values = {
            name: _sample_for(conv, _converter_kind(conv, registry), app, rule.endpoint)
            for name, conv in rule._converters.items()
        }
        values.update(rule.defaults or {})
        methods = set(rule.methods or ())
        try:
            path = adapter.build(rule.endpoint, values, method=next(iter(sorted(methods - {"HEAD", "OPTIONS"})), None))
        except Exception:  # a custom converter that rejects our sample: skip the route
            continue
        routes.append((rule, path))
        allowed.setdefault(path, set()).update(methods)
    for rule, path in routes:
        methods = set(rule.methods or ())
        label = f"route {rule.rule} ({rule.endpoint})"
        if "GET" in methods:
            add("GET", path, f"{label}: sample GET")
            add("HEAD", path, f"{label}: HEAD")
        for method in sorted(methods - {"GET", "HEAD", "OPTIONS"}):
            if include_unsafe:
                add(method, path, f"{label}: {method} with an empty body")
        add("OPTIONS", path, f"{label}: OPTIONS (Allow header)")
        wrong = next((m for m in _WRONG_METHODS if m not in allowed[path]), None)
        if wrong:
            add(wrong, path, f"{label}: method not allowed")
        if rule.rule.endswith("/") and rule.rule != "/" and getattr(rule, "strict_slashes", True) and "GET" in methods:
            add("GET", path.rstrip("/"), f"{label}: without the trailing slash (redirect)")
    add("GET", "/__flask2quart_unknown__", "unknown path")
    add("POST", "/__flask2quart_unknown__/deeper?x=1", "unknown path with a query")
    return entries


# ---------------------------------------------------------------------------
# main loop


def _channel() -> tuple[Any, Any]:
    """(protocol input, protocol output); fd 1 is pointed at stderr for the app."""
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    return sys.stdin.buffer, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flask2quart.harness.worker")
    parser.add_argument("--tree", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--app-dir", default=".")
    parser.add_argument("--outbound", choices=("record", "replay", "off"), default="off")
    parser.add_argument("--urlmap", action="store_true")
    parser.add_argument("--include-unsafe", action="store_true")
    args = parser.parse_args(argv)

    inp, out = _channel()

    def send(message: dict[str, Any]) -> None:
        out.write(protocol.dumps(message))

    tree = os.path.abspath(args.tree)
    os.chdir(tree)
    sys.path.insert(0, os.path.abspath(os.path.join(tree, args.app_dir)))
    outbound = install(args.outbound)
    try:
        app = load_app(args.app)
        framework = framework_of(app)
    except BaseException as exc:  # noqa: BLE001 - anything the import does is the app's failure
        send({
            "op": "fatal",
            "kind": "import",
            "message": f"cannot load app {args.app!r}: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc()[-6000:],
        })
        return 3

    if args.urlmap:
        for entry in urlmap_corpus(app, include_unsafe=args.include_unsafe):
            send({"op": "entry", "entry": entry})
        send({"op": "done"})
        return 0

    worker = Worker(app, framework, outbound)
    module = sys.modules.get(framework)
    send({
        "op": "ready",
        "framework": framework,
        "framework_version": _version(framework, module),
        "python": sys.version.split()[0],
        "session_cookie": worker.session_cookie,
        "pid": os.getpid(),
    })
    for line in inp:
        if not line.strip():
            continue
        msg = protocol.loads(line)
        op = msg.get("op")
        try:
            if op == "request":
                send(worker.handle(msg))
            elif op == "cli":
                send(worker.run_cli(list(msg["args"])))
            elif op == "jars":
                worker.load_jars(msg["jars"])
                send({"ok": True})
            elif op == "start":
                worker.start()
                send({"ok": True})
            elif op == "shutdown":
                worker.stop()
                return 0
            else:
                send({"ok": False, "error": "protocol", "message": f"unknown op {op!r}"})
        except BaseException as exc:  # noqa: BLE001 - report and keep serving
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                # the app exited (sys.exit in a view): so does the worker, which the
                # harness reports as a crash of this request and restarts with its jars.
                # Serving on would leave Quart's event loop poisoned (every later request
                # re-raising the same SystemExit).
                raise
            send({
                "id": msg.get("id"),
                "ok": False,
                "error": "worker",
                "message": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc()[-6000:],
            })
    worker.stop()
    return 0


def _version(framework: str, module: Any) -> str:
    try:
        from importlib.metadata import version

        return version(framework)
    except Exception:
        return getattr(module, "__version__", "?")


if __name__ == "__main__":
    sys.exit(main())
