"""The bridged app behind a real Hypercorn server (real ASGI http + websocket, real sockets)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVER_APP = """
from tests.bridge.apps import create_app
ns = create_app(SQLALCHEMY_DATABASE_URI="sqlite:///{db}", TESTING=False)
with ns.app.app_context():
    ns.db.create_all()
    ns.db.session.add_all([ns.User(name="ada"), ns.User(name="bob")])
    ns.db.session.commit()
app = ns.app
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    (tmp_path / "served.py").write_text(SERVER_APP.format(db=tmp_path / "s.db"))
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    log = open(tmp_path / "server.log", "wb")  # a file, not a pipe: a full pipe would block the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "hypercorn", "--bind", f"127.0.0.1:{port}", "served:app"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/ping", timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "server.log").read_text())
            time.sleep(0.1)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
        print((tmp_path / "server.log").read_text()[-3000:])


@pytest.mark.slow
async def test_real_server_login_db_cache_concurrency(server):
    async with httpx.AsyncClient(base_url=server) as anon:
        assert (await anon.get("/me")).status_code == 302

    async def session_for(user_id: int) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=server)
        response = await client.post("/login", data={"user_id": str(user_id)})
        assert response.json() == {"logged_in": ["ada", "bob"][user_id - 1]}
        return client

    # 20 in flight > the default pool (5 + 10): the bridge's automatic concurrency limit keeps
    # requests 16..20 waiting asynchronously instead of freezing the loop on a pool checkout.
    clients = [await session_for(1 + i % 2) for i in range(20)]
    try:
        responses = await asyncio.gather(*(c.get("/me") for c in clients))
        assert [r.json()["name"] for r in responses] == ["ada", "bob"] * 10
        first = (await clients[0].get("/cached")).json()
        assert (await clients[1].get("/cached")).json() == first
        assert (await clients[0].get("/users/2")).json() == {"id": 2, "name": "bob"}
        assert (await clients[0].get("/users/99")).status_code == 404
        created = await clients[0].post("/users", json={"name": "cy"})
        assert created.status_code == 201
    finally:
        for c in clients:
            await c.aclose()
