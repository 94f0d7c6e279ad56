"""The repository's extension-heavy fixture app (``fixtures/apps/shelf``, unported Flask code:
sync views, Flask-SQLAlchemy, Flask-Login, Flask-WTF, Flask-Mail from a thread with
``copy_current_request_context``, Flask-CORS on a blueprint, Flask-Caching, Flask-Migrate, a
``request_finished`` receiver) runs on the bridge with only ``Flask`` swapped for the bridge's
``Quart``."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

SHELF = Path(__file__).resolve().parents[2] / "fixtures" / "apps" / "shelf"
pytestmark = pytest.mark.skipif(not (SHELF / "shelf" / "__init__.py").exists(), reason="shelf fixture absent")


@pytest.fixture
def shelf(tmp_path, monkeypatch):
    root = tmp_path / "shelf_copy"
    shutil.copytree(SHELF / "shelf", root / "shelf")
    init = root / "shelf" / "__init__.py"
    source = init.read_text()
    assert "from flask import Flask\n" in source
    init.write_text(source.replace("from flask import Flask\n", "from flask2quart.bridge import Quart as Flask\n"))
    monkeypatch.syspath_prepend(str(root))
    for name in [m for m in sys.modules if m == "shelf" or m.startswith("shelf.")]:
        monkeypatch.delitem(sys.modules, name)
    import shelf
    from shelf.commands import seed_database
    from shelf.extensions import db

    app = shelf.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shelf.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
            "CACHE_TYPE": "SimpleCache",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():  # sync, as the fixture's own conftest does
        db.create_all()
        seed_database()
    yield app
    for name in [m for m in sys.modules if m == "shelf" or m.startswith("shelf.")]:
        sys.modules.pop(name, None)


async def test_shelf_runs_unchanged_on_the_bridge(shelf):
    from shelf.email import wait_for_outbox
    from shelf.extensions import db, mail
    from shelf.models import AuditEntry

    client = shelf.test_client()
    assert (await client.get("/")).status_code == 200
    assert (await client.get("/books/1")).status_code == 200
    response = await client.get("/loans")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    response = await client.post("/auth/login", form={"username": "alice", "password": "alice-pass"})
    assert response.status_code == 302
    assert (await client.get("/loans")).status_code == 200
    with mail.record_messages() as outbox:
        assert (await client.post("/books/1/borrow", form={})).status_code == 302
        await asyncio.to_thread(wait_for_outbox)
    assert len(outbox) == 1
    response = await client.get("/api/me", headers={"Origin": "http://localhost:5173"})
    assert (await response.get_json())["username"] == "alice"
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert (await client.get("/api/books/999")).status_code == 404
    assert (await client.get("/api/stats")).status_code == 200
    async with shelf.app_context():
        audited = db.session.scalars(db.select(AuditEntry.path)).all()
    assert "/books/1/borrow" in audited
    result = shelf.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.exception
