"""``asyncio.to_thread`` copies the context: Quart's ``request``, ``g`` and ``current_app`` are
visible in the worker thread (what the F2Q202/F2Q203 rewrites rely on). Run on both Quart lines."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from tests.helpers import interpreters

SCRIPT = textwrap.dedent('''
    import asyncio, json, threading
    import quart
    from quart import Quart, current_app, g, request

    app = Quart("ctx")
    app.config["MARK"] = "app-config"

    def in_thread():
        return {
            "thread": threading.get_ident() != MAIN,
            "arg": request.args.get("q"),
            "path": request.path,
            "g": g.user,
            "app": current_app.config["MARK"],
        }

    @app.route("/probe")
    async def probe():
        g.user = "alice"
        return await asyncio.to_thread(in_thread)

    async def main():
        client = app.test_client()
        rv = await client.get("/probe", query_string={"q": "x"})
        print(json.dumps({"status": rv.status_code, "body": await rv.get_json(),
                          "quart": quart.__version__ if hasattr(quart, "__version__") else ""}))

    MAIN = threading.get_ident()
    asyncio.run(main())
''')


@pytest.mark.parametrize("label,python", interpreters())
def test_request_g_current_app_visible_in_to_thread(label, python):
    proc = subprocess.run([python, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == 200, out
    assert out["body"] == {"thread": True, "arg": "x", "path": "/probe", "g": "alice",
                           "app": "app-config"}, out
