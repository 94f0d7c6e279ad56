"""Why F2Q280 marks a sqlite3 connection kept on ``g`` and F2Q203 may move a helper that opens
and closes its own connection: SQLite objects work only in the thread that created them."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest


async def test_connection_from_the_loop_thread_fails_in_a_worker(tmp_path):
    conn = sqlite3.connect(tmp_path / "a.sqlite")  # like get_db() on the loop thread
    with pytest.raises(sqlite3.ProgrammingError, match="same thread"):
        await asyncio.to_thread(conn.execute, "SELECT 1")
    conn.close()


async def test_helper_owning_its_connection_works_in_a_worker(tmp_path):
    path = tmp_path / "b.sqlite"

    def count_rows() -> int:
        conn = sqlite3.connect(path)
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS note (id INTEGER)")
            return conn.execute("SELECT COUNT(*) FROM note").fetchone()[0]
        finally:
            conn.close()

    assert await asyncio.gather(*(asyncio.to_thread(count_rows) for _ in range(4))) == [0] * 4
