"""Why phase 2 marks Flask-SQLAlchemy calls (F2Q283) instead of moving them one by one.

Under ``flask2quart.bridge`` a ``to_thread`` worker gets its own ``db.session``. Moving only
``db.session.commit()`` to a thread, after ``db.session.add()`` ran on the loop, commits an empty
session and the change is lost; moving the whole unit of work (add and commit) works. If the
bridge ever shares the session with workers, the first test fails and F2Q283 can be revisited.
"""

from __future__ import annotations

import asyncio

from tests.bridge.apps import add_users, create_app


async def _names(ns) -> list[str]:
    async with ns.app.app_context():
        return sorted(u.name for u in ns.User.query.all())


async def test_commit_alone_in_a_thread_loses_the_change(tmp_path):
    ns = create_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.sqlite'}")
    await add_users(ns, "ada")

    @ns.app.route("/split", methods=["POST"])
    async def split():
        ns.db.session.add(ns.User(name="bob"))          # on the loop thread's session
        await asyncio.to_thread(ns.db.session.commit)   # what a per-call rewrite would write
        return "ok"

    response = await ns.app.test_client().post("/split")
    assert response.status_code == 200
    assert await _names(ns) == ["ada"]  # bob was never committed


async def test_whole_unit_of_work_in_one_thread_is_kept(tmp_path):
    ns = create_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'b.sqlite'}")
    await add_users(ns, "ada")

    def add_user(name: str) -> None:
        ns.db.session.add(ns.User(name=name))
        ns.db.session.commit()

    @ns.app.route("/whole", methods=["POST"])
    async def whole():
        await asyncio.to_thread(add_user, "bob")
        return "ok"

    response = await ns.app.test_client().post("/whole")
    assert response.status_code == 200
    assert await _names(ns) == ["ada", "bob"]
