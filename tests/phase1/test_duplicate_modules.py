"""Two files with the same module name (folders that are not packages, imported through
``sys.path``; nested ``conftest.py``) are both analysed and rewritten; none is skipped."""

from __future__ import annotations

import textwrap

from tests.helpers import migrate_tree


def d(s: str) -> str:
    return textwrap.dedent(s).lstrip()


def test_same_module_name_in_two_plain_folders(tmp_path):
    out = migrate_tree(tmp_path, {
        "middleware/auth.py": d("""
            from flask import request

            def token():
                return request.headers.get("Authorization")
            """),
        "routes/auth.py": d("""
            from flask import Blueprint, request, jsonify

            bp = Blueprint("auth", __name__)

            @bp.route("/register", methods=["POST"])
            def register():
                data = request.get_json()
                return jsonify(data)
            """),
    })
    assert "from quart import request" in out["middleware/auth.py"]
    routes = out["routes/auth.py"]
    assert "from quart import Blueprint, request, jsonify" in routes
    assert "async def register():" in routes and "await request.get_json()" in routes


def test_nested_conftest_fixtures_are_ported(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": d("""
            from flask import Flask

            app = Flask(__name__)

            @app.post("/login")
            def login():
                return "ok"
            """),
        "tests/conftest.py": d("""
            import pytest
            from pkg import app

            @pytest.fixture
            def client():
                return app.test_client()
            """),
        "tests/unit/conftest.py": d("""
            import pytest

            @pytest.fixture
            def logged_in(client):
                client.post("/login")
                return client
            """),
        "tests/unit/test_login.py": d("""
            def test_home(logged_in):
                rv = logged_in.post("/login")
                assert rv.status_code == 200
            """),
    })
    inner = out["tests/unit/conftest.py"]
    assert "async def logged_in(client):" in inner and 'await client.post("/login")' in inner
    test = out["tests/unit/test_login.py"]
    assert "async def test_home(logged_in):" in test and "await logged_in.post(" in test


def test_module_imported_through_a_namespace_folder(tmp_path):
    # middleware/ has no __init__.py: the app puts its parent on sys.path and imports
    # `middleware.auth`; the decorator's wrapper must still be seen wrapping views
    out = migrate_tree(tmp_path, {
        "backend/middleware/auth.py": d("""
            from functools import wraps
            from flask import g

            def require_auth(f):
                @wraps(f)
                def decorated(*args, **kwargs):
                    g.user = "u"
                    return f(*args, **kwargs)
                return decorated
            """),
        "backend/routes/admin.py": d("""
            from flask import Blueprint, jsonify
            from middleware.auth import require_auth

            bp = Blueprint("admin", __name__)

            @bp.route("/tasks")
            @require_auth
            def tasks():
                return jsonify([])
            """),
    })
    auth = out["backend/middleware/auth.py"]
    assert "async def decorated(*args, **kwargs):" in auth and "return await f(*args, **kwargs)" in auth
    assert "F2Q191" not in auth
    assert "async def tasks():" in out["backend/routes/admin.py"]


def test_no_alias_through_a_standard_library_name(tmp_path):
    from flask2quart import engine
    from flask2quart.analysis.index import ProjectIndex
    from tests.helpers import write_tree

    root = tmp_path / "proj"
    write_tree(root, {"email/utils.py": "X = 1\n", "lib/helpers/tools.py": "Y = 2\n"})
    index = ProjectIndex(engine.load_project([root], []))
    assert "email.utils" not in index._aliases  # the stdlib package wins on sys.path
    assert index._aliases["helpers.tools"].source.rel == "lib/helpers/tools.py"
    assert index.resolve_qualname("helpers.tools.Y") == "tools.Y"
