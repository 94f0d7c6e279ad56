"""F2Q202: a blocking library call in async code → ``await asyncio.to_thread(fn, *args, **kw)``."""

from __future__ import annotations

from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase2._common import findings, markers, to_thread
from flask2quart import edits as E
from flask2quart.analysis import blocking as A
from flask2quart.rules import Example, marker, rule

AFFINE = marker(
    A.M_AFFINE, "blocking-thread-affine", 2,
    "Blocking call on a thread-affine object (a sqlite3 connection kept on `g`): left on the loop",
    "SQLite objects created in a thread can only be used in that same thread, so a connection "
    "kept on `g` cannot be used from `asyncio.to_thread`. Open and close the connection inside "
    "one sync function (the tool then moves the whole function), or use aiosqlite.",
)
SHARED = marker(
    A.M_SHARED, "blocking-shared-object", 2,
    "Blocking call on an object not safe to share across threads (requests.Session, cursors, SMTP)",
    "The object outlives the call (module level, `g`, a parameter), so concurrent requests would "
    "use it from several worker threads at once. Create it where it is used, or use the async "
    "alternative named.",
)
SQLALCHEMY = marker(
    A.M_SQLALCHEMY, "blocking-sqlalchemy-session", 2,
    "Flask-SQLAlchemy query or session call in async code: left on the loop",
    "Under the bridge a worker thread gets its own `db.session` (docs/bridge.md), so moving one "
    "query or `commit()` to a thread would split the unit of work. Move the whole unit of work "
    "(queries, changes and commit) into one sync function, or use async SQLAlchemy.",
)
FILE = marker(
    A.M_FILE, "blocking-file-handle", 2,
    "open() in async code: the file object's reads and writes block too",
    "Move the `with open(...)` block into a sync function (the tool then calls it with "
    "`asyncio.to_thread`), or use aiofiles / anyio.Path.",
)
SYNC_EXPR = marker(
    A.M_SYNC_EXPR, "blocking-in-sync-expression", 2,
    "Blocking call inside a lambda or generator expression in async code",
    "`await` cannot go there without changing what the expression is. Compute the value first.",
)


@rule(
    "F2Q202", "blocking-call-to-thread", 2,
    "A blocking library call in async code runs in a worker thread: await asyncio.to_thread(fn, ...)",
    examples=(Example(
        "from werkzeug.security import check_password_hash\n\n\n"
        "async def login(user, password):\n    return check_password_hash(user['password'], password)\n",
        "from werkzeug.security import check_password_hash\nimport asyncio\n\n\n"
        "async def login(user, password):\n"
        "    return await asyncio.to_thread(check_password_hash, user['password'], password)\n"),),
)
class BlockingCallToThread(Rule):
    """Catalogue calls (``flask2quart/catalogue/blocking.py`` plus ``[tool.flask2quart.blocking]``)
    that are safe in a worker thread: subprocess, os/shutil file-system calls, HTTP (requests,
    httpx, unless phase 3 rewrites them), redis, Flask-Mail, Flask-Caching, password hashing.
    `asyncio.to_thread` copies the context, so `request`, `g` and `current_app` stay visible."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        found = findings(ctx)
        for f in found:
            if f.action == A.THREAD:
                yield from to_thread(ctx, self.info.code, f.call)
        yield from markers(ctx, found, {A.M_AFFINE, A.M_SHARED, A.M_SQLALCHEMY, A.M_FILE,
                                        A.M_SYNC_EXPR})
