"""Phase 2 facts: calls that block the event loop, and what may be done about each.

Data only; the analysis (:mod:`flask2quart.analysis.blocking`) resolves call sites to these
keys through the project index, never by spelling.

Keys are *qualified names* as :meth:`ProjectIndex.qualify` returns them (``time.sleep``,
``builtins.open``, ``werkzeug.security.generate_password_hash``), or *(object kind, method)*
pairs for methods of objects the analysis can type (a ``sqlite3.connect(...)`` result, the
``db = SQLAlchemy()`` extension, a model class's ``query``, ``redis.Redis(...)``).

Each entry says:

* ``category`` – what kind of work it is (sleep, file, fs, subprocess, network, http, socket,
  database, cache, mail, cpu);
* ``cpu`` – CPU-bound rather than I/O-bound (a worker thread still helps when the library
  releases the GIL: hashlib's pbkdf2/scrypt and bcrypt do);
* ``safety`` – may the call move to a worker thread (:class:`Safety`);
* ``action`` – what the rewrite does in async code (:class:`Action`);
* ``suggestion`` – a native async replacement, for the report only;
* ``source`` – the flake8-async (ruff ``ASYNC2xx``) rule that lists it, or the library.

The flake8-async set is ruff's ASYNC210 (HTTP calls: ``urllib.request``, ``requests``,
``httpx``), ASYNC220-222 (``subprocess``, ``os.system``/``os.popen``/``os.spawn*``,
``os.wait*``), ASYNC230 (``open``/``io.open``/``pathlib.Path.open``), ASYNC240 (``os.path``),
ASYNC250 (``input``), ASYNC251 (``time.sleep``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Safety(str, Enum):
    """May a call on this object run in a worker thread?"""

    SAFE = "safe"                  # yes, even concurrently with other requests
    AFFINE = "thread-affine"       # only in the thread that created the object (sqlite3)
    NOT_SHARED = "not-shared"      # one thread at a time: fine when created by the same code
    PER_THREAD_SESSION = "per-thread-session"  # Flask-SQLAlchemy: a worker gets its own session


class Action(str, Enum):
    THREAD = "to_thread"           # await asyncio.to_thread(fn, *args, **kwargs)
    SLEEP = "asyncio.sleep"        # await asyncio.sleep(x)
    MARK = "mark"                  # leave a marker: the object escapes the call (file handle,
    #                                Popen) or there is no faithful rewrite
    ASYNC_ALREADY = "phase1"       # async in Quart already: phase 1 awaits it


@dataclass(frozen=True)
class Blocking:
    name: str
    category: str
    safety: Safety = Safety.SAFE
    action: Action = Action.THREAD
    cpu: bool = False
    suggestion: str = ""
    source: str = ""


def _table(*entries: Blocking) -> dict[str, Blocking]:
    return {e.name: e for e in entries}


_AIOFILES = "aiofiles (or anyio.Path)"
_SUBPROC = "asyncio.create_subprocess_exec"
_HTTPX = "httpx.AsyncClient (phase 3 rewrites requests.*)"

#: Module-level functions (and classes whose construction blocks), by qualified name.
FUNCTIONS: dict[str, Blocking] = _table(
    # ASYNC251
    Blocking("time.sleep", "sleep", action=Action.SLEEP, source="ASYNC251"),
    # ASYNC230: the file object escapes the call, so only a whole helper can move
    Blocking("builtins.open", "file", Safety.NOT_SHARED, Action.MARK, suggestion=_AIOFILES,
             source="ASYNC230"),
    Blocking("io.open", "file", Safety.NOT_SHARED, Action.MARK, suggestion=_AIOFILES,
             source="ASYNC230"),
    Blocking("builtins.input", "file", source="ASYNC250"),
    # ASYNC240 and friends: file-system metadata and whole-file operations
    *(Blocking(f"os.path.{n}", "fs", source="ASYNC240", suggestion="anyio.Path")
      for n in ("exists", "isfile", "isdir", "islink", "getsize", "getmtime", "getatime",
                "getctime", "realpath", "samefile", "lexists")),
    *(Blocking(f"os.{n}", "fs", suggestion="anyio.Path / aiofiles.os")
      for n in ("listdir", "makedirs", "mkdir", "remove", "unlink", "rename", "replace",
                "rmdir", "removedirs", "stat", "lstat", "chmod", "utime", "truncate")),
    *(Blocking(f"shutil.{n}", "fs")
      for n in ("copy", "copy2", "copyfile", "copyfileobj", "copytree", "rmtree", "move",
                "make_archive", "unpack_archive", "disk_usage")),
    # ASYNC220-222
    *(Blocking(f"subprocess.{n}", "subprocess", suggestion=_SUBPROC, source="ASYNC221")
      for n in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput")),
    Blocking("subprocess.Popen", "subprocess", Safety.NOT_SHARED, Action.MARK,
             suggestion=_SUBPROC, source="ASYNC220"),
    Blocking("os.system", "subprocess", suggestion=_SUBPROC, source="ASYNC221"),
    Blocking("os.popen", "subprocess", Safety.NOT_SHARED, Action.MARK, suggestion=_SUBPROC,
             source="ASYNC220"),
    *(Blocking(f"os.{n}", "subprocess", suggestion=_SUBPROC, source="ASYNC222")
      for n in ("wait", "wait3", "wait4", "waitpid", "waitid")),
    *(Blocking(f"os.{n}", "subprocess", suggestion=_SUBPROC, source="ASYNC221")
      for n in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp",
                "spawnvpe", "posix_spawn", "posix_spawnp")),
    # ASYNC210: HTTP
    Blocking("urllib.request.urlopen", "http", Safety.NOT_SHARED, Action.MARK,
             suggestion=_HTTPX, source="ASYNC210"),
    *(Blocking(f"requests.{n}", "http", suggestion=_HTTPX, source="ASYNC210")
      for n in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
    *(Blocking(f"requests.api.{n}", "http", suggestion=_HTTPX, source="ASYNC210")
      for n in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
    *(Blocking(f"httpx.{n}", "http", suggestion="httpx.AsyncClient", source="ASYNC210")
      for n in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
    # sockets
    *(Blocking(f"socket.{n}", "socket", suggestion="asyncio.open_connection / loop.getaddrinfo")
      for n in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                "gethostbyaddr", "getfqdn")),
    # databases
    Blocking("sqlite3.connect", "database", Safety.AFFINE, suggestion="aiosqlite"),
    Blocking("psycopg2.connect", "database", suggestion="psycopg 3 AsyncConnection / asyncpg"),
    Blocking("pymysql.connect", "database", Safety.NOT_SHARED, suggestion="aiomysql"),
    Blocking("pymysql.connections.Connection", "database", Safety.NOT_SHARED,
             suggestion="aiomysql"),
    # mail
    Blocking("smtplib.SMTP", "mail", Safety.NOT_SHARED, suggestion="aiosmtplib"),
    Blocking("smtplib.SMTP_SSL", "mail", Safety.NOT_SHARED, suggestion="aiosmtplib"),
    # CPU-bound password hashing (hashlib and bcrypt release the GIL while hashing)
    Blocking("werkzeug.security.generate_password_hash", "cpu", cpu=True),
    Blocking("werkzeug.security.check_password_hash", "cpu", cpu=True),
    Blocking("bcrypt.hashpw", "cpu", cpu=True),
    Blocking("bcrypt.checkpw", "cpu", cpu=True),
    Blocking("bcrypt.kdf", "cpu", cpu=True),
    Blocking("hashlib.pbkdf2_hmac", "cpu", cpu=True),
    Blocking("hashlib.scrypt", "cpu", cpu=True),
)

# ---------------------------------------------------------------------------
# Objects: what constructs them, what their attributes/methods return, which methods block
# ---------------------------------------------------------------------------

SQLITE_CONN = "sqlite3.Connection"
SQLITE_CURSOR = "sqlite3.Cursor"
FSA = "flask_sqlalchemy.SQLAlchemy"
SA_SESSION = "flask_sqlalchemy.session"
MODEL_CLASS = "flask_sqlalchemy.Model"
SA_QUERY = "flask_sqlalchemy.Query"
PG_CONN = "psycopg2.connection"
PG_CURSOR = "psycopg2.cursor"
MYSQL_CONN = "pymysql.Connection"
MYSQL_CURSOR = "pymysql.Cursor"
REDIS = "redis.Redis"
HTTPX_CLIENT = "httpx.Client"
REQUESTS_SESSION = "requests.Session"
SMTP = "smtplib.SMTP"
MAIL = "flask_mail.Mail"
CACHE = "flask_caching.Cache"
SOCKET = "socket.socket"
BCRYPT_EXT = "flask_bcrypt.Bcrypt"
PATH = "pathlib.Path"
SA_ENGINE = "sqlalchemy.Engine"
SA_CONNECTION = "sqlalchemy.Connection"
SA_PLAIN_SESSION = "sqlalchemy.orm.Session"
SA_SESSIONMAKER = "sqlalchemy.orm.sessionmaker"

#: Calls (qualified names) whose result is an object of a kind.
CONSTRUCTORS: dict[str, str] = {
    "sqlite3.connect": SQLITE_CONN,
    "flask_sqlalchemy.SQLAlchemy": FSA,
    "psycopg2.connect": PG_CONN,
    "pymysql.connect": MYSQL_CONN,
    "pymysql.connections.Connection": MYSQL_CONN,
    "redis.Redis": REDIS,
    "redis.StrictRedis": REDIS,
    "redis.from_url": REDIS,
    "redis.Redis.from_url": REDIS,
    "httpx.Client": HTTPX_CLIENT,
    "requests.Session": REQUESTS_SESSION,
    "requests.session": REQUESTS_SESSION,
    "smtplib.SMTP": SMTP,
    "smtplib.SMTP_SSL": SMTP,
    "flask_mail.Mail": MAIL,
    "flask_caching.Cache": CACHE,
    "socket.socket": SOCKET,
    "socket.create_connection": SOCKET,
    "flask_bcrypt.Bcrypt": BCRYPT_EXT,
    "pathlib.Path": PATH,
    "sqlalchemy.create_engine": SA_ENGINE,
    "sqlalchemy.orm.Session": SA_PLAIN_SESSION,
    "sqlalchemy.orm.sessionmaker": SA_SESSIONMAKER,
}

#: Calling an object of this kind makes an object of that kind (``SessionLocal()``).
CALL_RETURNS: dict[str, str] = {SA_SESSIONMAKER: SA_PLAIN_SESSION}

#: ``with open(...) as f``: file objects are not a catalogue kind.
FILE_OPENERS = frozenset({"builtins.open", "io.open"})

#: ``obj.attr`` (no call) that yields another kind.
ATTRIBUTES: dict[str, dict[str, str]] = {
    FSA: {"session": SA_SESSION},
    MODEL_CLASS: {"query": SA_QUERY},
    PATH: {"parent": PATH},
}

#: ``left / right`` keeps a path a path.
PATH_JOIN_KINDS = frozenset({PATH})

#: ``obj.method(...)`` that yields another kind (query builders chain).
RETURNS: dict[str, dict[str, str]] = {
    SQLITE_CONN: {"execute": SQLITE_CURSOR, "executemany": SQLITE_CURSOR,
                  "executescript": SQLITE_CURSOR, "cursor": SQLITE_CURSOR},
    SQLITE_CURSOR: {"execute": SQLITE_CURSOR, "executemany": SQLITE_CURSOR},
    PG_CONN: {"cursor": PG_CURSOR},
    MYSQL_CONN: {"cursor": MYSQL_CURSOR},
    SA_SESSION: {"query": SA_QUERY},
    SA_QUERY: {m: SA_QUERY for m in (
        "filter", "filter_by", "order_by", "join", "outerjoin", "limit", "offset", "options",
        "where", "group_by", "having", "distinct", "with_entities", "select_from")},
    PATH: {m: PATH for m in ("joinpath", "with_name", "with_suffix", "resolve", "absolute",
                             "expanduser")},
    SA_ENGINE: {"connect": SA_CONNECTION, "begin": SA_CONNECTION},
    SA_SESSIONMAKER: {"begin": SA_PLAIN_SESSION},
}

_SA = "async SQLAlchemy (AsyncSession)"
_SQLITE = "aiosqlite"


def _methods(kind: str, names, category: str, safety: Safety = Safety.SAFE, *,
             action: Action = Action.THREAD, cpu: bool = False, suggestion: str = "",
             ) -> dict[str, Blocking]:
    return {n: Blocking(f"{kind}.{n}", category, safety, action, cpu, suggestion) for n in names}


#: Blocking methods per object kind.
METHODS: dict[str, dict[str, Blocking]] = {
    SQLITE_CONN: _methods(SQLITE_CONN, ("execute", "executemany", "executescript", "commit",
                                        "rollback", "backup", "iterdump"),
                          "database", Safety.AFFINE, suggestion=_SQLITE),
    SQLITE_CURSOR: _methods(SQLITE_CURSOR, ("execute", "executemany", "executescript",
                                            "fetchone", "fetchall", "fetchmany"),
                            "database", Safety.AFFINE, suggestion=_SQLITE),
    SA_SESSION: _methods(SA_SESSION, ("execute", "scalar", "scalars", "get", "get_one",
                                      "commit", "flush", "refresh", "merge", "delete",
                                      "rollback", "close"),
                         "database", Safety.PER_THREAD_SESSION, suggestion=_SA),
    SA_QUERY: _methods(SA_QUERY, ("all", "first", "one", "one_or_none", "scalar", "count",
                                  "get", "first_or_404", "get_or_404", "one_or_404",
                                  "paginate", "delete", "update", "exists"),
                       "database", Safety.PER_THREAD_SESSION, suggestion=_SA),
    FSA: _methods(FSA, ("paginate", "get_or_404", "first_or_404", "one_or_404", "create_all",
                        "drop_all"),
                  "database", Safety.PER_THREAD_SESSION, suggestion=_SA),
    # plain SQLAlchemy: the engine (and its pool) is thread-safe, so a helper that checks out a
    # connection or opens a session and is done with it moves as a whole. The connection or
    # session itself is kept to the thread that made it: with SQLite (pysqlite,
    # SingletonThreadPool for :memory:) the DBAPI connection is thread-affine.
    SA_ENGINE: _methods(SA_ENGINE, ("connect", "begin"), "database", action=Action.MARK,
                        suggestion="sqlalchemy.ext.asyncio.create_async_engine"),
    SA_CONNECTION: _methods(SA_CONNECTION, ("execute", "scalar", "scalars", "commit", "rollback",
                                            "exec_driver_sql"),
                            "database", Safety.AFFINE, suggestion="AsyncConnection"),
    SA_PLAIN_SESSION: _methods(SA_PLAIN_SESSION, ("execute", "scalar", "scalars", "get",
                                                  "get_one", "commit", "flush", "refresh",
                                                  "merge", "rollback"),
                               "database", Safety.AFFINE, suggestion="AsyncSession"),
    SA_SESSIONMAKER: _methods(SA_SESSIONMAKER, ("begin",), "database", action=Action.MARK,
                              suggestion="async_sessionmaker"),
    PG_CONN: _methods(PG_CONN, ("commit", "rollback"), "database",
                      suggestion="psycopg 3 AsyncConnection / asyncpg"),
    PG_CURSOR: _methods(PG_CURSOR, ("execute", "executemany", "fetchone", "fetchall",
                                    "fetchmany", "callproc"),
                        "database", Safety.NOT_SHARED, suggestion="psycopg 3 AsyncCursor"),
    MYSQL_CONN: _methods(MYSQL_CONN, ("commit", "rollback", "ping", "query"), "database",
                         Safety.NOT_SHARED, suggestion="aiomysql"),
    MYSQL_CURSOR: _methods(MYSQL_CURSOR, ("execute", "executemany", "fetchone", "fetchall",
                                          "fetchmany", "callproc"),
                           "database", Safety.NOT_SHARED, suggestion="aiomysql"),
    REDIS: _methods(REDIS, ("get", "set", "setex", "delete", "exists", "expire", "incr",
                            "decr", "incrby", "hget", "hset", "hgetall", "hdel", "mget",
                            "mset", "keys", "lpush", "rpush", "lpop", "rpop", "lrange",
                            "sadd", "srem", "smembers", "publish", "ttl", "ping", "flushdb"),
                    "cache", suggestion="redis.asyncio.Redis"),
    HTTPX_CLIENT: _methods(HTTPX_CLIENT, ("get", "post", "put", "patch", "delete", "head",
                                          "options", "request", "send"),
                           "http", suggestion="httpx.AsyncClient"),
    REQUESTS_SESSION: _methods(REQUESTS_SESSION, ("get", "post", "put", "patch", "delete",
                                                  "head", "options", "request", "send"),
                               "http", Safety.NOT_SHARED, suggestion=_HTTPX),
    SMTP: _methods(SMTP, ("sendmail", "send_message", "login", "starttls", "ehlo", "quit",
                          "connect"), "mail", Safety.NOT_SHARED, suggestion="aiosmtplib"),
    MAIL: _methods(MAIL, ("send", "send_message"), "mail", suggestion="aiosmtplib"),
    CACHE: _methods(CACHE, ("get", "set", "add", "delete", "get_many", "set_many",
                            "delete_many", "get_dict", "clear", "has"),
                    "cache", suggestion="an async cache backend"),
    SOCKET: _methods(SOCKET, ("connect", "recv", "recv_into", "recvfrom", "send", "sendall",
                              "sendto", "accept", "makefile"),
                     "socket", Safety.NOT_SHARED, suggestion="asyncio streams"),
    BCRYPT_EXT: _methods(BCRYPT_EXT, ("generate_password_hash", "check_password_hash"), "cpu",
                         cpu=True),
    PATH: {**_methods(PATH, ("read_text", "read_bytes", "write_text", "write_bytes", "exists",
                             "is_file", "is_dir", "mkdir", "unlink", "rmdir", "stat",
                             "touch", "rename", "replace"), "fs", suggestion="anyio.Path"),
           **_methods(PATH, ("open",), "file", Safety.NOT_SHARED, action=Action.MARK,
                      suggestion=_AIOFILES)},
}

#: Base classes (attribute of the Flask-SQLAlchemy extension) that make a class a model.
MODEL_BASE_ATTR = "Model"

#: Uploaded files: Quart's ``FileStorage.save`` is a coroutine writing with aiofiles
#: (quart/datastructures.py:26), awaited by phase 1 (F2Q102). Listed for the report.
ALREADY_ASYNC: dict[str, Blocking] = _table(
    Blocking("werkzeug.datastructures.FileStorage.save", "file", action=Action.ASYNC_ALREADY,
             source="quart/datastructures.py:26"),
)

#: Names of the framework proxies whose mutation in a helper keeps it on the loop thread
#: (the caller may read the state right after; canonical keys of the phase-1 catalogue).
STATE_PROXIES = frozenset({"fw.g", "fw.session"})
#: Methods that mutate a proxy's state.
STATE_MUTATORS = frozenset({"pop", "setdefault", "update", "clear", "popitem", "__setitem__",
                            "__delitem__"})

#: Names whose use keeps a helper on the loop thread, and why.
LOOP_ONLY_NAMES: dict[str, str] = {
    "flask_login.login_user": "writes the session and `g`",
    "flask_login.logout_user": "writes the session and `g`",
    "flask_login.current_user": "may load the user into a worker thread's db session and cache it on `g`",
    "flask_login.utils.login_user": "writes the session and `g`",
    "flask_login.utils.logout_user": "writes the session and `g`",
    "flask_login.utils.current_user": "may load the user into a worker thread's db session and cache it on `g`",
}

#: The rewrite's spelling.
ASYNCIO = "asyncio"
TO_THREAD = "asyncio.to_thread"
ASYNC_SLEEP = "asyncio.sleep"

#: ``requests`` calls that phase 3 rewrites to httpx: skipped by phase 2 when phase >= 3.
PHASE3_PREFIXES = ("requests.",)


def handled_by_phase3(name: str) -> bool:
    """Does phase 3 rewrite the call named ``name``? Asks the phase-3 catalogue when it has
    ``handled_by_phase3``; otherwise every ``requests.*`` call is phase 3's."""
    try:
        from flask2quart.catalogue import http
    except ImportError:
        http = None
    fn = getattr(http, "handled_by_phase3", None)
    if callable(fn):
        return bool(fn(name))
    return name.startswith(PHASE3_PREFIXES)


#: Ask phase 3 call by call (``rewritten_by_phase3``) and move the ``requests`` calls it keeps?
#: Off: the agreed contract is the name-level ``handled_by_phase3`` (phase 3's case trees expect
#: every ``requests`` call left to it); switch on together with the phase-3 owner.
PHASE3_PER_CALL = False


def phase3_per_call():
    """``flask2quart.catalogue.http.rewritten_by_phase3(facts, scope, call) -> bool | None`` when
    the phase-3 catalogue has it: True = phase 3 rewrites this call, False = it keeps it on
    requests (with a marker), None = not a requests call it plans. None while
    :data:`PHASE3_PER_CALL` is off."""
    if not PHASE3_PER_CALL:
        return None
    try:
        from flask2quart.catalogue import http
    except ImportError:
        return None
    fn = getattr(http, "rewritten_by_phase3", None)
    return fn if callable(fn) else None


def lookup_method(kind: str | None, method: str) -> Blocking | None:
    if kind is None:
        return None
    return METHODS.get(kind, {}).get(method)
