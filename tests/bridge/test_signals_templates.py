"""Flask signals re-sent by the bridge; Flask's render_template / make_response from sync code."""

from __future__ import annotations

import flask
import pytest
import quart
from flask import signals as fs

from flask2quart.bridge import BridgeSyncError, Quart

TEMPLATES = __file__.rsplit("/", 1)[0] + "/templates"


@pytest.fixture
def sig_app():
    app = Quart(__name__, template_folder=TEMPLATES)
    app.config["SECRET_KEY"] = "s"

    @app.route("/ok")
    async def ok():
        return "ok"

    @app.route("/fail")
    async def fail():
        raise RuntimeError("x")

    @app.route("/tmpl")
    async def tmpl():
        return await quart.render_template("hello.html", name="quart")

    return app


async def test_flask_request_signals_fire_via_app(sig_app):
    events = []

    def started(sender, **kw):
        events.append(("started", sender is sig_app, flask.request.path))

    def finished(sender, response, **kw):
        events.append(("finished", response.status_code))

    def exception(sender, exception, **kw):
        events.append(("exception", type(exception).__name__))

    def teardown(sender, exc=None, **kw):
        events.append(("teardown", flask.has_app_context()))

    with fs.request_started.connected_to(started, sig_app), \
            fs.request_finished.connected_to(finished, sig_app), \
            fs.got_request_exception.connected_to(exception, sig_app), \
            fs.appcontext_tearing_down.connected_to(teardown, sig_app):
        client = sig_app.test_client()
        await client.get("/ok")
        await client.get("/fail")
    assert events == [
        ("started", True, "/ok"),
        ("finished", 200),
        ("teardown", True),
        ("started", True, "/fail"),
        ("exception", "RuntimeError"),
        ("finished", 500),
        ("teardown", True),
    ]


async def test_connect_via_decorator_and_template_rendered(sig_app):
    rendered = []

    @fs.template_rendered.connect_via(sig_app)
    def record(sender, template, context, **extra):
        rendered.append((template.name, context["name"]))

    try:
        body = await (await sig_app.test_client().get("/tmpl")).get_data(as_text=True)
    finally:
        fs.template_rendered.disconnect(record)
    assert body == "Hello quart from /tmpl"
    assert rendered == [("hello.html", "quart")]


async def test_message_flashed_from_quart_and_flask_flash(sig_app):
    got = []
    receiver = lambda sender, message, category: got.append(message)  # noqa: E731

    @sig_app.route("/flash")
    async def view():
        await quart.flash("from quart")
        flask.flash("from flask")
        return "ok"

    with fs.message_flashed.connected_to(receiver, sig_app):
        await sig_app.test_client().get("/flash")
    assert got == ["from quart", "from flask"]


async def test_forwarders_connect_only_once_flask_receivers_exist():
    from flask2quart.bridge import _signals

    app = Quart("lazy_forwarders")
    forwarder = next(f for f in app._f2q_signal_forwarders if f.name == "request_tearing_down")
    assert forwarder.active == bool(fs.request_tearing_down.receivers)
    with fs.request_tearing_down.connected_to(lambda sender, **kw: None, app):
        assert forwarder.active
    assert _signals.FORWARDED


async def test_flask_render_template_from_sync_code(sig_app):
    @sig_app.route("/sync-render")
    def sync_render():
        return flask.render_template("hello.html", name="flask")

    @sig_app.route("/string")
    def string():
        return flask.render_template_string("{{ 1 + 1 }} {{ g.x }}", **{})

    @sig_app.before_request
    def set_g():
        flask.g.x = "gx"

    client = sig_app.test_client()
    assert (await (await client.get("/sync-render")).get_data(as_text=True)) == "Hello flask from /sync-render"
    assert (await (await client.get("/string")).get_data(as_text=True)) == "2 gx"


async def test_flask_render_template_from_async_view_fails_clearly(sig_app):
    @sig_app.route("/async-render")
    async def async_render():
        try:
            flask.render_template("hello.html", name="x")
        except BridgeSyncError as error:
            return str(error)
        return "rendered?"

    body = await (await sig_app.test_client().get("/async-render")).get_data(as_text=True)
    assert "await quart.render_template" in body


@pytest.mark.filterwarnings("ignore:flask2quart.bridge")  # the dropped PendingCoroutine warns
async def test_flask_make_response_sync_and_async(sig_app):
    @sig_app.route("/sync-resp")
    def sync_resp():
        response = flask.make_response({"a": 1}, 201)
        response.headers["X-Sync"] = "1"
        return response

    @sig_app.route("/async-resp")
    async def async_resp():
        try:
            flask.make_response("x").headers["X"] = "1"  # Flask style: use the response
        except BridgeSyncError as error:
            return {"error": str(error)}
        return {"error": None}

    @sig_app.route("/async-return")
    async def async_return():
        return flask.make_response("returned as is", 201)  # awaited by the bridge

    @sig_app.route("/quart-resp")
    async def quart_resp():
        response = await quart.make_response("q", 202)
        return response

    client = sig_app.test_client()
    response = await client.get("/sync-resp")
    assert response.status_code == 201 and response.headers["X-Sync"] == "1"
    assert (await response.get_json()) == {"a": 1}
    assert "await" in (await (await client.get("/async-resp")).get_json())["error"]
    assert (await client.get("/quart-resp")).status_code == 202
    response = await client.get("/async-return")
    assert response.status_code == 201 and (await response.get_data()) == b"returned as is"


async def test_dropped_pending_coroutine_warns_clearly(sig_app):
    import gc

    async with sig_app.test_request_context("/"):
        with pytest.warns(RuntimeWarning, match="flask.make_response"):
            flask.make_response("dropped")
            gc.collect()


async def test_sync_code_can_read_and_rewrite_response_bodies(sig_app):
    import gzip

    @sig_app.after_request
    def compress(response):  # what Flask-Compress-style hooks do
        if response.mimetype == "application/json":
            response.headers["X-Keys"] = ",".join(response.get_json())
            response.set_data(gzip.compress(response.get_data()))
            response.headers["Content-Encoding"] = "gzip"
        return response

    @sig_app.route("/j")
    def j():
        r = flask.jsonify(a=1)
        assert r.get_json() == {"a": 1} and r.data == b'{"a":1}\n'
        return r

    response = await sig_app.test_client().get("/j")
    assert response.headers["X-Keys"] == "a"
    assert gzip.decompress(await response.get_data()) == b'{"a":1}\n'


async def test_make_response_in_sync_after_request(sig_app):
    @sig_app.after_request
    def wrap(response):
        other = flask.make_response("replaced", 203)
        other.headers["X-Orig"] = str(response.status_code)
        return other

    response = await sig_app.test_client().get("/ok")
    assert response.status_code == 203 and response.headers["X-Orig"] == "200"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_flask_stream_with_context_fails_with_a_hint(sig_app):
    sig_app.config["PROPAGATE_EXCEPTIONS"] = False

    @sig_app.route("/stream")
    def stream():
        def gen():
            yield flask.request.path

        return flask.stream_with_context(gen())

    with pytest.raises(BaseException) as info:
        await sig_app.test_client().get("/stream")
    errors = getattr(info.value, "exceptions", [info.value])
    assert any("quart.stream_with_context" in str(e) for e in errors), errors


async def test_flask_send_file_is_not_bridged(sig_app):
    import io

    sig_app.config["PROPAGATE_EXCEPTIONS"] = False

    @sig_app.route("/file")
    def send():
        return flask.send_file(io.BytesIO(b"abc"), mimetype="text/plain")

    @sig_app.route("/qfile")
    async def qsend():
        return await quart.send_file(io.BytesIO(b"abc"), mimetype="text/plain")

    client = sig_app.test_client()
    assert (await client.get("/file")).status_code == 500  # werkzeug's direct_passthrough
    assert (await (await client.get("/qfile")).get_data()) == b"abc"
