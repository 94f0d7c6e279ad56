"""Fixtures for the harness tests: the shop apps, a stub upstream server, planted candidates."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from flask2quart.harness import verify

APPS = Path(__file__).parent / "apps"
FLASK_SHOP = APPS / "flask_shop"
QUART_SHOP = APPS / "quart_shop"
CORPUS = APPS / "corpus.jsonl"
APP = "shopapp:create_app()"
ROOT = Path(__file__).resolve().parents[2]
PY313 = ROOT / ".venv313" / "bin" / "python"
PY311 = ROOT / ".venv" / "bin" / "python"


class StubHandler(BaseHTTPRequestHandler):
    """A deterministic upstream: GET /weather?city=x and POST /notify (echo)."""

    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, doc: Any) -> None:
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.hits.append(("GET", self.path))
        if self.path == "/gz":
            body = gzip.compress(b'{"zipped": true}')
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        query = parse_qs(urlsplit(self.path).query)
        self._send(200, {"city": query.get("city", [""])[0], "temp": 21})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.hits.append(("POST", self.path))
        self._send(202, {"received": json.loads(body or b"null")})


@pytest.fixture(scope="session")
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop_env(stub):
    return {"SHOP_DB": "{scratch}/shop.sqlite", "STUB_URL": stub.url}


def run(candidate: Path = QUART_SHOP, *, env: dict[str, str], corpus: Path = CORPUS, **kwargs: Any):
    """``verify`` with the shop defaults; returns the VerifyResult (close it or use ``with``)."""
    kwargs.setdefault("setup_cli", ["init-db"])
    kwargs.setdefault("config", False)
    baseline = kwargs.pop("baseline", FLASK_SHOP)
    return verify(baseline, candidate, app=APP, corpus=corpus, env=env, **kwargs)


def plant(tmp_path: Path, changes: list[tuple[str, str]], source: Path = QUART_SHOP, name: str = "candidate") -> Path:
    """A copy of ``source`` with textual changes (each must apply exactly once)."""
    dest = tmp_path / name
    shutil.copytree(source, dest)
    path = dest / "shopapp.py"
    text = path.read_text()
    for old, new in changes:
        assert text.count(old) == 1, f"planted change does not apply once: {old!r}"
        text = text.replace(old, new)
    path.write_text(text)
    return dest


def write_corpus(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    return path


def field_map(result) -> dict[str, dict[str, Any]]:
    """endpoint -> {field: entry} for every non-equal record."""
    out: dict[str, dict[str, Any]] = {}
    for rec in result.flagged():
        for f in rec.get("fields", ()):
            out.setdefault(rec["endpoint"], {})[f["field"]] = f
    return out


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run ``python -m flask2quart ARGS`` (``env`` added to this environment) and return the
    CompletedProcess."""
    import os
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "flask2quart", *args], capture_output=True, text=True, cwd=cwd, timeout=300,
        env={**os.environ, **(env or {})},
    )
