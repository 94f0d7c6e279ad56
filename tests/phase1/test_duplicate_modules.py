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
