"""The blocking catalogue names real things: every function and method it lists exists in the
installed library (where the library is installed), so a typo never silently matches nothing."""

from __future__ import annotations

import importlib
import inspect

import pytest

from flask2quart.catalogue import blocking as B

#: object kind → the class that implements it (module, attribute path)
CLASSES = {
    B.SQLITE_CONN: ("sqlite3", "Connection"),
    B.SQLITE_CURSOR: ("sqlite3", "Cursor"),
    B.FSA: ("flask_sqlalchemy", "SQLAlchemy"),
    B.SA_SESSION: ("sqlalchemy.orm", "Session"),
    B.SA_QUERY: ("flask_sqlalchemy.query", "Query"),
    B.PG_CONN: ("psycopg2.extensions", "connection"),
    B.PG_CURSOR: ("psycopg2.extensions", "cursor"),
    B.MYSQL_CONN: ("pymysql.connections", "Connection"),
    B.MYSQL_CURSOR: ("pymysql.cursors", "Cursor"),
    B.REDIS: ("redis", "Redis"),
    B.HTTPX_CLIENT: ("httpx", "Client"),
    B.REQUESTS_SESSION: ("requests", "Session"),
    B.SMTP: ("smtplib", "SMTP"),
    B.MAIL: ("flask_mail", "Mail"),
    B.CACHE: ("flask_caching", "Cache"),
    B.SOCKET: ("socket", "socket"),
    B.BCRYPT_EXT: ("flask_bcrypt", "Bcrypt"),
    B.PATH: ("pathlib", "Path"),
    B.SA_ENGINE: ("sqlalchemy", "Engine"),
    B.SA_CONNECTION: ("sqlalchemy", "Connection"),
    B.SA_PLAIN_SESSION: ("sqlalchemy.orm", "Session"),
    B.SA_SESSIONMAKER: ("sqlalchemy.orm", "sessionmaker"),
}


def _resolve(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(dotted)


def _installed(module: str) -> bool:
    try:
        importlib.import_module(module)
        return True
    except ImportError:
        return False


@pytest.mark.parametrize("name", sorted(set(B.FUNCTIONS) | set(B.CONSTRUCTORS)))
def test_function_exists(name):
    top = name.split(".")[0]
    if top != "builtins" and not _installed(top):
        pytest.skip(f"{top} not installed")
    assert callable(_resolve(name)), name


@pytest.mark.parametrize("kind", sorted(B.METHODS))
def test_methods_exist(kind):
    module, cls_name = CLASSES[kind]
    if not _installed(module):
        pytest.skip(f"{module} not installed")
    cls = getattr(importlib.import_module(module), cls_name)
    missing = [m for m in B.METHODS[kind] if not hasattr(cls, m)]
    assert not missing, f"{kind}: {missing}"


def test_every_kind_has_a_class_and_returns_are_known_kinds():
    assert set(B.METHODS) <= set(CLASSES)
    assert all(k in CLASSES and v in CLASSES for k, v in B.CALL_RETURNS.items())
    for table in (B.RETURNS, B.ATTRIBUTES):
        for kind, members in table.items():
            assert kind in CLASSES or kind == B.MODEL_CLASS, kind
            assert all(k in CLASSES for k in members.values()), members


def test_quart_filestorage_save_is_async_already():
    from quart.datastructures import FileStorage

    assert inspect.iscoroutinefunction(FileStorage.save)
    assert "werkzeug.datastructures.FileStorage.save" in B.ALREADY_ASYNC


def test_flask_sqlalchemy_model_query_and_session_attributes():
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)

    class Thing(getattr(db, B.MODEL_BASE_ATTR)):
        id = db.Column(db.Integer, primary_key=True)

    with app.app_context():
        assert isinstance(Thing.query, _resolve("flask_sqlalchemy.query.Query"))
        assert hasattr(db, "session") and hasattr(db.session, "scalar")
