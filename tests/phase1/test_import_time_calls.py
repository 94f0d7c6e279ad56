"""A function called at import time (module level, class body, ``__main__`` block) cannot be
awaited there: it stays sync, and what it would await gets a marker (F2Q191) instead of
leaving a coroutine where the module expects an app."""

from __future__ import annotations

import textwrap

from tests.helpers import migrate_tree


def d(s: str) -> str:
    return textwrap.dedent(s).lstrip()


FACTORY = d("""
    from flask import Flask


    def create_app():
        app = Flask(__name__)
        with app.app_context():
            app.config["READY"] = True

        @app.route("/")
        def index():
            return "ok"

        return app
    """)


def test_factory_called_at_module_level_stays_sync(tmp_path):
    out = migrate_tree(tmp_path, {"app.py": FACTORY + "\n\napp = create_app()\n"})["app.py"]
    assert "\ndef create_app():" in out and "async def create_app" not in out
    assert "# flask2quart: F2Q191 `with app.app_context()`" in out
    assert "async def index():" in out  # the view itself is still ported


def test_factory_called_in_main_block_and_wsgi_module_stays_sync(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": FACTORY,
        "wsgi.py": "from pkg import create_app\n\nif __name__ == '__main__':\n    create_app().run()\n",
    })
    assert "\ndef create_app():" in out["pkg/__init__.py"]


def test_factory_only_awaited_elsewhere_becomes_async(tmp_path):
    # no import-time caller: the factory may become async, its callers await it
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": FACTORY,
        "tests/conftest.py": d("""
            import pytest
            from pkg import create_app

            @pytest.fixture
            def app():
                return create_app()
            """),
    })
    assert "async def create_app():" in out["pkg/__init__.py"]
    assert "async with app.app_context():" in out["pkg/__init__.py"]
    assert "return await create_app()" in out["tests/conftest.py"]
