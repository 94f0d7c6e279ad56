"""flask2quart.testing: the ported suite's client answers like Flask's own test client.

Each check runs the same small app on Flask (its own test client) and on Quart (the shim) and
compares what a test reads: ``request.path``/``full_path``/``method``/``url``/``args``,
``len(history)``, ``is_streamed`` before and after reading the body, and ``g`` inside
``with client:`` after a request. Runs on whichever Quart line the interpreter has (0.22 on
Python 3.11, 0.23.1 on Python 3.13: run it with both venvs).
"""

from __future__ import annotations

import asyncio

import flask
import pytest
import quart

from flask2quart import testing as T


def _flask_app():
    app = flask.Flask("shim_flask")
    app.testing = True

    @app.route("/")
    def index():
        return "home"

    @app.route("/stream")
    def stream():
        def gen():
            yield "a"
            yield "b"
        return flask.Response(gen(), mimetype="text/csv")

    @app.route("/hop")
    def hop():
        return flask.redirect("/hop2?x=1")

    @app.route("/hop2")
    def hop2():
        return flask.redirect(flask.url_for("index", y="2"))

    @app.route("/form", methods=["POST"])
    def form():
        return flask.redirect("/")

    @app.route("/who")
    def who():
        flask.g.user = flask.request.args.get("u", "nobody")
        return flask.g.user

    return app


def _quart_app():
    app = quart.Quart("shim_quart")
    app.testing = True

    @app.route("/")
    async def index():
        return "home"

    @app.route("/stream")
    async def stream():
        async def gen():
            yield "a"
            yield "b"
        return quart.Response(gen(), mimetype="text/csv")

    @app.route("/hop")
    async def hop():
        return quart.redirect("/hop2?x=1")

    @app.route("/hop2")
    async def hop2():
        return quart.redirect(quart.url_for("index", y="2"))

    @app.route("/form", methods=["POST"])
    async def form():
        return quart.redirect("/")

    @app.route("/who")
    async def who():
        quart.g.user = quart.request.args.get("u", "nobody")
        return quart.g.user

    return app


def _view(rv) -> dict:
    r = rv.request
    return {"path": r.path, "full_path": r.full_path, "method": r.method, "url": r.url,
            "args": dict(r.args), "host": r.headers.get("Host"), "status": rv.status_code,
            "history": [(h.status_code, h.request.path) for h in rv.history]}


CASES = [
    ("GET", "/", {}),
    ("GET", "/?q=1&q=2", {}),
    ("GET", "/stream", {}),
    ("GET", "/hop", {"follow_redirects": True}),
    ("GET", "/hop", {}),
    ("POST", "/form", {"follow_redirects": True}),
]


@pytest.mark.parametrize("method,path,kw", CASES)
def test_request_and_history_match_flask(method, path, kw):
    f_rv = _flask_app().test_client().open(path, method=method, **kw)
    want = _view(f_rv)

    async def run():
        client = T.test_client(_quart_app())
        return _view(await client.open(path, method=method, **kw))

    assert asyncio.run(run()) == want
    assert isinstance(f_rv.history, tuple)


@pytest.mark.parametrize("path", ["/", "/stream"])
def test_is_streamed_matches_flask(path):
    f_rv = _flask_app().test_client().get(path)
    want = [f_rv.is_streamed]
    f_rv.get_data()
    want.append(f_rv.is_streamed)

    async def run():
        rv = await T.test_client(_quart_app()).get(path)
        got = [rv.is_streamed]
        await rv.get_data()
        got.append(rv.is_streamed)
        return got

    assert asyncio.run(run()) == want == [True, False]


def test_g_after_request_in_with_client_matches_flask():
    f_client = _flask_app().test_client()
    with f_client:
        f_client.get("/who?u=ann")
        want = (flask.g.user, flask.request.path)
    assert not flask.has_app_context()

    async def run():
        client = T.test_client(_quart_app())
        async with client:
            await client.get("/who?u=ann")
            got = (quart.g.user, quart.request.path)
            await client.get("/who?u=bob")     # the last request's g, as in Flask
            got_last = quart.g.user
        return got, got_last, quart.has_app_context(), quart.has_request_context()

    got, got_last, app_ctx_after, req_ctx_after = asyncio.run(run())
    assert got == want == ("ann", "/who")
    assert got_last == "bob"
    assert (app_ctx_after, req_ctx_after) == (False, False)


def test_plain_quart_client_lacks_these_members():
    """The shim is needed: Quart's own client has none of these (checks the premise)."""
    async def run():
        rv = await _quart_app().test_client().get("/")
        return [hasattr(rv, a) for a in ("request", "history", "is_streamed")]

    assert asyncio.run(run()) == [False, False, False]

    async def g_after():
        client = _quart_app().test_client()
        async with client:
            await client.get("/who?u=ann")
            return getattr(quart.g, "user", None) if quart.has_app_context() else None

    assert asyncio.run(g_after()) is None     # 0.22: no app context; 0.23.1: an empty g


def test_outer_app_context_is_restored_after_with_client():
    async def run():
        app = _quart_app()
        client = T.test_client(app)
        async with app.app_context():
            quart.g.mark = "outer"
            async with client:
                await client.get("/who?u=ann")
                inner = quart.g.user
            return inner, quart.g.mark

    assert asyncio.run(run()) == ("ann", "outer")


# -- the rule (F2Q133) -------------------------------------------------------------------------

from tests.helpers import migrate_tree  # noqa: E402

_APP = "from flask import Flask\n\napp = Flask(__name__)\n"
_CONFTEST = ("import pytest\nfrom pkg import app as _app\n\n\n@pytest.fixture\n"
             "def client():\n    return _app.test_client({args})\n")
_TEST = ("from flask import g\n\n\ndef test_x(client):\n    with client:\n"
         "        rv = client.get('/', follow_redirects=True)\n        assert g.user\n"
         "    assert rv.request.path == '/'\n    assert rv.is_streamed\n")


def _port(tmp_path, args="", test=_TEST):
    return migrate_tree(tmp_path, {"pkg/__init__.py": _APP,
                                   "tests/conftest.py": _CONFTEST.format(args=args),
                                   "tests/test_x.py": test,
                                   "requirements-dev.txt": "pytest==9.2.0\n"})


def test_rule_gives_the_suite_the_shim_client(tmp_path):
    out = _port(tmp_path)
    assert "return flask2quart.testing.test_client(_app)\n" in out["tests/conftest.py"]
    assert "import flask2quart.testing\n" in out["tests/conftest.py"]
    assert "flask2quart:" not in out["tests/test_x.py"]       # no F2Q181/F2Q186 left
    assert out["requirements-dev.txt"].splitlines()[-1].startswith("flask2quart==")


def test_rule_keeps_use_cookies(tmp_path):
    out = _port(tmp_path, args="use_cookies=False")
    assert "flask2quart.testing.test_client(_app, use_cookies=False)" in out["tests/conftest.py"]


def test_rule_not_proven_keeps_markers(tmp_path):
    # Flask forwards other arguments to its client class: the shim cannot take them
    out = _port(tmp_path, args="True, extra=1")
    assert "flask2quart.testing" not in out["tests/conftest.py"]
    got = out["tests/test_x.py"]
    assert "# flask2quart: F2Q181 `.request`" in got and "# flask2quart: F2Q186" in got
    assert "flask2quart.testing.test_client(app)" in got      # the marker says what to do
    assert "flask2quart" not in out["requirements-dev.txt"]


def test_rule_not_needed_changes_nothing_extra(tmp_path):
    out = _port(tmp_path, test="def test_x(client):\n    assert client.get('/').status_code\n")
    assert "flask2quart" not in out["tests/conftest.py"]
    assert "flask2quart" not in out["requirements-dev.txt"]
