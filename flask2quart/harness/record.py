"""Record live traffic into a corpus.

Three ways, from most to least explicit:

1. In code::

       from flask2quart.harness.record import RecordingMiddleware
       app.wsgi_app = RecordingMiddleware(app.wsgi_app, "corpus.jsonl")

2. Without code changes, around any server command::

       flask2quart record -o corpus.jsonl -- gunicorn -w 4 "myapp:create_app()"
       flask2quart record -o corpus.jsonl -- flask --app myapp run

   The wrapper sets ``FLASK2QUART_RECORD=<file>`` and puts a ``sitecustomize`` on
   ``PYTHONPATH`` that wraps ``Flask.__call__`` (the WSGI entry point) when
   ``flask.app`` is first imported, in every process the command starts.
   Setting ``FLASK2QUART_RECORD`` yourself and calling :func:`install` early
   does the same.

3. Serve an app directly (Werkzeug's development server)::

       flask2quart record -o corpus.jsonl --app "myapp:create_app()" --port 5000

Each request becomes one corpus line, appended with a single ``write`` to a file
opened with ``O_APPEND``, so several worker processes can share one file. The
request is written *before* the app runs, so a request that crashes the app is
still recorded. ``Cookie`` headers are dropped by default (replay rebuilds cookies
from the responses; pass ``keep_cookies=True`` to keep them); hop-by-hop headers,
``Host`` and ``Content-Length`` are always dropped. Requests of one client (same
address and User-Agent) share a corpus session.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.abc
import importlib.machinery
import io
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

ENV_VAR = "FLASK2QUART_RECORD"
ENV_KEEP_COOKIES = "FLASK2QUART_RECORD_KEEP_COOKIES"

DROPPED_HEADERS = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection", "trailer"}
)


def client_session(environ: dict[str, Any]) -> str:
    """The default session key: one corpus session per client address + User-Agent."""
    raw = f"{environ.get('REMOTE_ADDR', '')}|{environ.get('HTTP_USER_AGENT', '')}".encode()
    return "client-" + hashlib.sha1(raw).hexdigest()[:10]  # noqa: S324 - a label, not security


class RecordingMiddleware:
    """WSGI middleware appending each request to a JSONL corpus before passing it on."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        path: str | os.PathLike[str],
        *,
        session_key: Callable[[dict[str, Any]], str] = client_session,
        keep_cookies: bool = False,
        max_body: int = 10 * 1024 * 1024,
        skip: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.app = app
        self.path = os.fspath(path)
        self.session_key = session_key
        self.keep_cookies = keep_cookies
        self.max_body = max_body
        self.skip = skip
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _write(self, line: bytes) -> None:
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.write(self._fd, line)

    def entry(self, environ: dict[str, Any], body: bytes | None) -> dict[str, Any]:
        raw_path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
        target = quote(raw_path, safe="/:@!$&'()*+,;=-._~%") or "/"
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        headers = []
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = "-".join(p.capitalize() for p in key[5:].split("_"))
            elif key in ("CONTENT_TYPE",) and value:
                name = "Content-Type"
            else:
                continue
            lname = name.lower()
            if lname in DROPPED_HEADERS or (lname == "cookie" and not self.keep_cookies):
                continue
            headers.append([name, value.encode("latin-1").decode("utf-8", "replace")])
        entry: dict[str, Any] = {
            "session": self.session_key(environ),
            "method": environ.get("REQUEST_METHOD", "GET"),
            "path": target,
        }
        if environ.get("wsgi.url_scheme") == "https":
            entry["scheme"] = "https"
        if headers:
            entry["headers"] = headers
        if body is None:
            entry["comment"] = f"body not recorded (larger than {self.max_body} bytes)"
        elif body:
            try:
                entry["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                entry["body_b64"] = base64.b64encode(body).decode("ascii")
        return entry

    def _read_body(self, environ: dict[str, Any]) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = environ.get("wsgi.input")
        if stream is None:
            return b""
        if length <= 0 and not environ.get("wsgi.input_terminated"):
            return b""
        if length > self.max_body:
            return None
        data = stream.read(length) if length > 0 else stream.read()
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        return data

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.skip is None or not self.skip(environ):
            try:
                body = self._read_body(environ)
                line = json.dumps(self.entry(environ, body), ensure_ascii=False, separators=(", ", ": ")) + "\n"
                self._write(line.encode("utf-8"))
            except Exception as exc:  # recording must never break the app
                print(f"flask2quart record: could not record a request: {exc}", file=sys.stderr)
        return self.app(environ, start_response)


# ---------------------------------------------------------------------------
# enabling without code changes


def patch_flask(module: Any) -> None:
    """Wrap ``Flask.__call__`` so every Flask app in the process records to $FLASK2QUART_RECORD."""
    flask_cls = module.Flask
    if getattr(flask_cls.__call__, "_f2q_record", False):
        return
    original = flask_cls.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        recorder = self.__dict__.get("_f2q_recorder")
        if recorder is None:
            target = os.environ.get(ENV_VAR)
            if not target:
                return original(self, environ, start_response)
            recorder = RecordingMiddleware(
                lambda e, s: original(self, e, s), target, keep_cookies=bool(os.environ.get(ENV_KEEP_COOKIES))
            )
            self.__dict__["_f2q_recorder"] = recorder
        return recorder(environ, start_response)

    __call__._f2q_record = True  # type: ignore[attr-defined]
    flask_cls.__call__ = __call__


class _FlaskAppFinder(importlib.abc.MetaPathFinder):
    """Patches ``flask.app`` right after it is first imported."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "flask.app":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module: Any) -> None:
            exec_module(module)
            patch_flask(module)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def install() -> bool:
    """Start recording every Flask app of this process if $FLASK2QUART_RECORD is set."""
    if not os.environ.get(ENV_VAR):
        return False
    if "flask.app" in sys.modules:
        patch_flask(sys.modules["flask.app"])
    elif not any(isinstance(f, _FlaskAppFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _FlaskAppFinder())
    return True


SITECUSTOMIZE = '''\
# Written by `flask2quart record`: start recording Flask apps, then run any other sitecustomize.
import os as _os
import sys as _sys

try:
    from flask2quart.harness.record import install as _f2q_install

    _f2q_install()
except Exception as _exc:  # never stop the user's program
    print(f"flask2quart record: not recording: {_exc}", file=_sys.stderr)

_here = _os.path.dirname(_os.path.abspath(__file__))
_saved = list(_sys.path)
_sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != _here]
_sys.modules.pop("sitecustomize", None)
try:
    import sitecustomize  # noqa: F401  the next one on the path, if any
except ImportError:
    pass
finally:
    _sys.path[:] = _saved
'''


def package_dir(directory: str) -> str:
    """Make ``directory`` hold a link to this package, so any interpreter can import it."""
    os.makedirs(directory, exist_ok=True)
    link = os.path.join(directory, "flask2quart")
    if not os.path.exists(link):
        import flask2quart

        os.symlink(os.path.dirname(os.path.abspath(flask2quart.__file__)), link)
    return directory


def hook_dir(directory: str) -> str:
    """Write the sitecustomize hook (and the package link) into ``directory``."""
    package_dir(directory)
    with open(os.path.join(directory, "sitecustomize.py"), "w", encoding="utf-8") as fh:
        fh.write(SITECUSTOMIZE)
    return directory


def serve(app_expr: str, host: str, port: int, app_dir: str = ".") -> None:
    """Serve ``app_expr`` with Werkzeug's development server, recording (used by ``record --app``)."""
    from werkzeug.serving import run_simple

    from flask2quart.harness.worker import framework_of, load_app

    sys.path.insert(0, os.path.abspath(app_dir))
    app = load_app(app_expr)
    if framework_of(app) != "flask":
        raise SystemExit("flask2quart record serves Flask (WSGI) apps; record the Flask version of your app")
    target = os.environ[ENV_VAR]
    wrapped = RecordingMiddleware(app, target, keep_cookies=bool(os.environ.get(ENV_KEEP_COOKIES)))
    print(f"flask2quart record: recording {app_expr} to {target}", file=sys.stderr)
    run_simple(host, port, wrapped, threaded=True, use_reloader=False)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flask2quart.harness.record")
    parser.add_argument("--app", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--app-dir", default=".")
    args = parser.parse_args(argv)
    serve(args.app, args.host, args.port, args.app_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
