"""Hand-written Quart flows for the migrated notebook app.

Run as a script inside the interpreter under test: ``python notebook_flows.py APP_DIR``.
Prints one JSON line of results; exits non-zero on the first failed expectation.
"""

import asyncio
import json
import os
import sys
import tempfile

sys.path.insert(0, sys.argv[1])

import quart  # noqa: E402
from notebook import create_app  # noqa: E402
from notebook.db import init_db  # noqa: E402


async def main() -> dict:
    tmp = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "DATABASE": os.path.join(tmp, "db.sqlite"),
                      "UPLOAD_FOLDER": os.path.join(tmp, "uploads"), "SECRET_KEY": "t"})
    assert isinstance(app, quart.Quart), type(app)
    async with app.app_context():
        init_db()
    c = app.test_client()
    checks = {}

    rv = await c.post("/auth/register", form={"username": "alice", "password": "s3cret-pass"})
    checks["register"] = rv.status_code
    assert rv.status_code == 302, await rv.get_data(as_text=True)
    rv = await c.post("/auth/login", form={"username": "alice", "password": "s3cret-pass"})
    checks["login"] = rv.status_code
    assert rv.status_code == 302
    async with c.session_transaction() as sess:
        assert sess.get("user_id"), dict(sess)
    rv = await c.post("/create", form={"title": "First", "body": "Hello", "tags": "a,b"})
    assert rv.status_code == 302, rv.status_code
    rv = await c.get("/")
    body = await rv.get_data(as_text=True)
    checks["index"] = rv.status_code
    assert rv.status_code == 200 and "First" in body
    rv = await c.get("/api/notes")
    data = await rv.get_json()
    checks["api_list"] = rv.status_code
    assert rv.status_code == 200, data
    rv = await c.post("/api/notes", json={"title": "From API", "body": "json body"})
    checks["api_create"] = rv.status_code
    assert rv.status_code in (200, 201), await rv.get_data(as_text=True)
    rv = await c.post("/api/echo", data="raw text", headers={"Content-Type": "text/plain"})
    checks["echo"] = rv.status_code
    assert rv.status_code == 200
    rv = await c.get("/does-not-exist")
    checks["404"] = rv.status_code
    assert rv.status_code == 404
    rv = await c.get("/auth/logout")
    checks["logout"] = rv.status_code
    rv = await c.get("/create")
    checks["login_required"] = rv.status_code
    assert rv.status_code == 302 and "/auth/login" in rv.headers["Location"]
    return checks, app


if __name__ == "__main__":
    checks, app = asyncio.run(main())
    # the CLI command keeps its app context (with_appcontext) under Quart; it runs its own
    # event loop, so it is invoked from sync code, as a real `quart init-db` would be
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0 and "Initialized" in result.output, (result.output, result.exception)
    checks["cli"] = result.exit_code
    print(json.dumps(checks))
