"""Before/after pairs for the phase-1 core rules, with what they must NOT touch."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import migrate_one, migrate_tree


def d(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


# The rewrite pairs live as case trees in fixtures/cases/phase1/ (tests/phase1/test_case_trees.py).


NOOPS = [
    pytest.param(
        """
        from flask import Flask

        app = Flask(__name__)

        @app.route("/")
        def index(request):
            # a parameter named `request` shadows the import: not the Flask proxy
            return request.form["a"]
        """,
        "`request` is a local parameter",
        id="shadowed-request",
    ),
    pytest.param(
        """
        class Thing:
            form = {"a": 1}

        request = Thing()

        def view():
            return request.form["a"]
        """,
        "`request` is not from flask",
        id="not-flask-request",
    ),
    pytest.param(
        """
        def render_template(name):
            return name

        def view():
            return render_template("x")
        """,
        "a project function that happens to be called render_template",
        id="own-render-template",
    ),
]


@pytest.mark.parametrize("src,why", NOOPS)
def test_noop(tmp_path, src, why):
    out = migrate_one(tmp_path, d(src))
    if "from flask import Flask" in src:
        # views become async (one thread per request), but nothing is awaited
        assert "await" not in out, why
    else:
        assert out == d(src), why


def test_url_value_preprocessor_stays_sync_with_marker(tmp_path):
    out = migrate_one(tmp_path, d("""
        from flask import Blueprint, g, render_template

        bp = Blueprint("u", __name__)

        @bp.url_value_preprocessor
        def pull(endpoint, values):
            g.page = render_template("x.html")
    """))
    assert "def pull(endpoint, values):" in out and "async def pull" not in out
    assert "# flask2quart: F2Q191" in out


def test_propagation_across_modules_and_decorators(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/helpers.py": """
            from flask import request

            def payload():
                return request.get_json()

            def wrapped():
                return payload()
        """,
        "pkg/decorators.py": """
            import functools
            from flask import g, redirect

            def login_required(view):
                @functools.wraps(view)
                def inner(**kwargs):
                    if g.user is None:
                        return redirect("/login")
                    return view(**kwargs)
                return inner
        """,
        "pkg/views.py": """
            from flask import Blueprint
            from . import helpers
            from .decorators import login_required

            bp = Blueprint("v", __name__)

            @bp.route("/")
            @login_required
            def index():
                return {"data": helpers.wrapped()}

            def plain():
                return 1
        """,
    }
    out = migrate_tree(tmp_path, files)
    assert "async def payload():\n    return await request.get_json()" in out["pkg/helpers.py"]
    assert "async def wrapped():\n    return await payload()" in out["pkg/helpers.py"]
    assert "async def inner(**kwargs):" in out["pkg/decorators.py"]
    assert "return await view(**kwargs)" in out["pkg/decorators.py"]
    assert "def login_required(view):" in out["pkg/decorators.py"]  # the decorator itself stays sync
    assert "async def index():\n    return {\"data\": await helpers.wrapped()}" in out["pkg/views.py"]
    assert "\ndef plain():" in out["pkg/views.py"]


def test_call_from_cli_command_is_marked_not_awaited(tmp_path):
    out = migrate_one(tmp_path, d("""
        from flask import Flask, render_template

        app = Flask(__name__)

        def page():
            return render_template("p.html")

        @app.cli.command("dump")
        def dump():
            print(page())
    """))
    assert "async def page():" in out
    assert "print(page())" in out and "# flask2quart: F2Q193" in out


def test_reexport_inside_project(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/compat.py": "from flask import request\n",
        "pkg/views.py": "from .compat import request\n\ndef helper():\n    return request.json\n",
    })
    assert "async def helper():\n    return await request.json if request.is_json else quart.abort(415" in out["pkg/views.py"]


def test_dependency_files(tmp_path):
    out = migrate_tree(tmp_path, {
        "requirements.txt": "Flask==3.1.3  # the web framework\nrequests>=2\n",
        "app.py": "import flask\n",
    })
    assert out["requirements.txt"] == (
        'quart==0.22.0; python_version < "3.13"  # the web framework\n'
        'quart==0.23.1; python_version >= "3.13"\nhypercorn==0.18.0\nrequests>=2\n'
    )


def test_comments_and_formatting_kept(tmp_path):
    src = d("""
        from flask import (
            Flask,  # the app class
            request,
        )

        app = Flask(__name__)   # odd   spacing kept


        @app.route("/")
        def index():
            # read the form
            value = request.form.get( "a" )  # inline
            return value
    """)
    out = migrate_one(tmp_path, src)
    assert "    Quart,  # the app class\n" in out
    assert "app = Quart(__name__)   # odd   spacing kept" in out
    assert '    # read the form\n    value = (await request.form).get( "a" )  # inline\n' in out


def test_strict_json_keeps_flask_415(tmp_path):
    out = migrate_one(tmp_path, d("""
        from flask import Flask, request

        app = Flask(__name__)

        @app.put("/a")
        def a():
            data = request.json
            return {"n": len(request.get_json()["x"])}

        @app.put("/b")
        def b():
            return request.get_json(silent=True) or {}
    """))
    msg = repr("Did not attempt to load JSON data because the request Content-Type was not 'application/json'.")
    assert f"    data = await request.json if request.is_json else quart.abort(415, {msg})\n" in out
    assert f'len((await request.get_json() if request.is_json else quart.abort(415, {msg}))["x"])' in out
    # silent=True: Flask and Quart both return None, a plain await is exact
    assert "return await request.get_json(silent=True) or {}" in out
    assert "import quart\n" in out
    assert migrate_one(tmp_path / "again", out) == out


def test_after_this_request_callback_and_stream_decorator(tmp_path):
    out = migrate_one(tmp_path, d("""
        from flask import Flask, after_this_request, request, stream_with_context

        app = Flask(__name__)

        @app.route("/")
        def index():
            @after_this_request
            def add(response):
                response.headers["X-Len"] = str(len(response.get_data()))
                return response

            @stream_with_context
            def gen():
                yield request.args.get("q", "")

            return app.response_class(gen())
    """))
    assert "    @after_this_request\n    async def add(response):\n" in out
    assert 'str(len(await response.get_data()))' in out
    assert "    @stream_with_context\n    async def gen():\n" in out


def test_jobs_give_the_same_result(tmp_path):
    from flask2quart import engine
    from tests.helpers import copy_fixture_app

    app_dir = copy_fixture_app("notebook", tmp_path)
    one = engine.run([app_dir], 1, jobs=1)
    two = engine.run([app_dir], 1, jobs=2)
    assert [(f.rel, f.new) for f in one.files] == [(f.rel, f.new) for f in two.files]
    assert len(one.changed) > 5


def test_calls_to_functions_already_async_are_left_alone(tmp_path):
    # a coroutine handed to asyncio.run / create_task was a coroutine in Flask too
    src = '''\
        import asyncio

        from flask import Flask

        app = Flask(__name__)


        async def fetch():
            return [1]


        def warm_cache():
            return asyncio.run(fetch())


        @app.route("/")
        async def index():
            task = asyncio.create_task(fetch())
            return {"n": len(await task)}
        '''
    out = migrate_one(tmp_path, src)
    assert "asyncio.run(fetch())" in out
    assert "def warm_cache():" in out and "async def warm_cache" not in out
    assert "asyncio.create_task(fetch())" in out


def test_yield_from_generator_is_marked_not_made_async(tmp_path):
    src = '''\
        from flask import Flask, request

        app = Flask(__name__)


        def rows():
            payload = request.get_json()
            yield from payload["rows"]
        '''
    out = migrate_one(tmp_path, src)
    assert "async def rows" not in out
    assert "# flask2quart: F2Q193" in out and "yield from" in out
