"""Ready-to-run reproducers for a difference: a curl line and a pytest snippet.

The curl line replays the request exactly as the candidate received it (cookie
values included, but redacted) against a running server. The pytest snippet is a
regression test for the candidate: it replays the earlier requests of the same
corpus session through Quart's test client (which keeps the cookies) and asserts
the *baseline's* answer, so it fails until the candidate behaves like the
baseline. Redacted values show up as ``<redacted>``; fill them in locally.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from flask2quart.harness.compare import is_json_type
from flask2quart.harness.corpus import CorpusRequest
from flask2quart.harness.protocol import get_body
from flask2quart.harness.redact import Redactor

BASE_URL = "http://localhost:5000"


def curl_line(request: dict[str, Any], redactor: Redactor, base_url: str = BASE_URL) -> str:
    parts = ["curl", "-i", "-X", request["method"], shlex.quote(base_url + redactor.path(request["path"]))]
    content_type = None
    for name, value in request.get("headers", ()):
        if name.lower() == "content-type":
            content_type = value
        parts += ["-H", shlex.quote(f"{name}: {redactor.header_value(name, value)}")]
    body = get_body(request)
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            parts += ["--data-binary", "@body.bin  # binary body, see the JSON report"]
        else:
            parts += ["--data-binary", shlex.quote(redactor.body(text, content_type, pretty=False) if _is_secretive(text, redactor) else text)]
    return " ".join(parts)


def _is_secretive(text: str, redactor: Redactor) -> bool:
    return redactor.text(text) != text or bool(redactor.key_rx.search(text))


def _call(req: CorpusRequest, redactor: Redactor) -> str:
    headers = {k: redactor.header_value(k, v) for k, v in req.headers}
    args = [repr(redactor.path(req.path)), f"method={req.method!r}"]
    if headers:
        args.append(f"headers={headers!r}")
    if req.body:
        try:
            text = req.body.decode("utf-8")
        except UnicodeDecodeError:
            args.append(f"data={req.body!r}")
        else:
            redacted = redactor.body(text, req.header("content-type"), pretty=False) if _is_secretive(text, redactor) else text
            args.append(f"data={redacted!r}")
    if req.scheme != "http":
        args.append(f"scheme={req.scheme!r}")
    return f"await client.open({', '.join(args)})"


def pytest_snippet(
    *,
    app_expr: str,
    request: CorpusRequest,
    history: list[CorpusRequest],
    expected: dict[str, Any],
    differing: list[str],
    setup_cli: list[str],
    redactor: Redactor,
    env_keys: list[str] | None = None,
) -> str:
    """A pytest-asyncio test asserting the baseline's answer on the candidate."""
    module, _, expr = app_expr.partition(":")
    expr = expr.strip()
    name = re.sub(r"\W+", "_", f"{request.method} {request.path.split('?', 1)[0]}").strip("_").lower()
    lines = ["# Regression test from flask2quart verify (needs pytest-asyncio, asyncio_mode=auto)."]
    if env_keys:
        lines.append(f"# verify ran both sides with these environment variables set: {', '.join(sorted(env_keys))}")
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)(\(.*\))?$", expr)
    if m:
        lines.append(f"from {module.strip()} import {m.group(1)}")
        make = expr
    elif not expr:
        lines.append(f"from {module.strip()} import app")
        make = "app"
    else:
        lines.append("import importlib")
        make = f"eval({expr!r}, vars(importlib.import_module({module.strip()!r})))"
    lines += ["", "", f"async def test_line_{request.line}_{name}():", f"    app = {make}"]
    for command in setup_cli:
        lines.append(f"    app.test_cli_runner().invoke(args={shlex.split(command)!r})")
    lines.append("    client = app.test_client()")
    if history:
        lines.append(f"    # earlier requests of corpus session {request.session!r} (they set its cookies)")
        lines += [f"    {_call(h, redactor)}" for h in history]
    lines.append(f"    response = {_call(request, redactor)}")
    status = expected.get("status")
    if status is not None:
        lines.append(f"    assert response.status_code == {status}")
    for field in differing:
        if field.startswith("header:"):
            hname = field.split(":", 1)[1]
            value = next((v for k, v in expected.get("headers", ()) if k.lower() == hname), None)
            shown = redactor.header_value(hname, value) if value is not None else None
            lines.append(f"    assert response.headers.get({hname!r}) == {shown!r}")
    body = get_body(expected)
    content_type = next((v for k, v in expected.get("headers", ()) if k.lower() == "content-type"), None)
    if request.method != "HEAD" and any(f == "body" or f.startswith("body:") for f in differing):
        if is_json_type(content_type):
            try:
                doc = redactor.data(json.loads(body))
            except ValueError:
                doc = None
            if doc is not None:
                lines.append(f"    assert await response.get_json() == {doc!r}")
        elif body:
            try:
                text = redactor.text(body.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(f"    assert await response.get_data() == {body!r}")
            else:
                if len(text) > 2000:
                    lines.append(f"    assert (await response.get_data(as_text=True)).startswith({text[:2000]!r})")
                else:
                    lines.append(f"    assert await response.get_data(as_text=True) == {text!r}")
        else:
            lines.append("    assert await response.get_data() == b''")
    unasserted = [f for f in differing if not (f == "status" or f.startswith(("header:", "body")))]
    if unasserted:
        lines.append(f"    # also differs (not asserted here): {', '.join(unasserted)}")
        if any(f.startswith("outbound") for f in unasserted):
            lines.append("    # outbound calls: mock them with respx (httpx) and assert the requests it saw")
    return "\n".join(lines) + "\n"
