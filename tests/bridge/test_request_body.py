"""Synchronous ``flask.request`` body access over a body read before the view."""

from __future__ import annotations

import io

import flask
import quart

from flask2quart.bridge import BridgeSyncError, Quart, no_preload


def body_app(**config) -> Quart:
    app = Quart(__name__)
    app.config.update(config)

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    async def echo():
        r = flask.request
        return {
            "form": r.form.to_dict(),
            "values": r.values.to_dict(),
            "json": r.get_json(silent=True),
            "data": r.get_data(as_text=True),
            "files": sorted(r.files),
        }

    @app.route("/raw", methods=["POST"])
    async def raw():
        # Quart's own async API still sees the whole body after the bridge read it.
        return {"raw": (await quart.request.get_data(as_text=True)), "form": (await quart.request.form).to_dict()}

    return app


async def test_form_values_and_raw_body():
    client = body_app().test_client()
    body = await (await client.post("/echo?q=1", form={"a": "1", "b": "é"})).get_json()
    assert body["form"] == {"a": "1", "b": "é"}
    assert body["values"] == {"q": "1", "a": "1", "b": "é"}
    assert body["json"] is None
    assert body["data"] == "a=1&b=%C3%A9"  # urlencoded raw body kept (Quart semantics)
    raw = await (await client.post("/raw", form={"a": "1"})).get_json()
    assert raw == {"raw": "a=1", "form": {"a": "1"}}


async def test_json_and_data():
    client = body_app().test_client()
    body = await (await client.put("/echo", json={"k": [1, 2]})).get_json()
    assert body["json"] == {"k": [1, 2]} and body["form"] == {} and body["data"] == '{"k": [1, 2]}'


async def test_get_json_has_flask_semantics():
    app = body_app()

    @app.route("/strict", methods=["POST"])
    async def strict():
        return {"json": flask.request.get_json()}

    client = app.test_client()
    assert (await client.post("/strict", data="{}", headers={"Content-Type": "text/plain"})).status_code == 415
    assert (await client.post("/strict", data="{nope", headers={"Content-Type": "application/json"})).status_code == 400
    response = await client.post("/strict", data="[1]", headers={"Content-Type": "application/json"})
    assert (await response.get_json()) == {"json": [1]}


async def test_multipart_files_save_synchronously(tmp_path):
    app = body_app()
    target = tmp_path / "up.txt"

    @app.route("/upload", methods=["POST"])
    def upload():  # a sync Flask-style view
        f = flask.request.files["doc"]
        f.save(str(target))  # Werkzeug FileStorage: sync save
        return {"name": f.filename, "field": flask.request.form["field"]}

    client = app.test_client()
    response = await client.post(
        "/upload",
        files={"doc": quart.datastructures.FileStorage(io.BytesIO(b"hello"), filename="a.txt")},
        form={"field": "x"},
    )
    assert (await response.get_json()) == {"name": "a.txt", "field": "x"}
    assert target.read_bytes() == b"hello"


async def test_stream_and_environ():
    app = body_app()

    @app.route("/stream", methods=["POST"])
    async def stream():
        return {
            "read": flask.request.stream.read().decode(),
            "method": flask.request.environ["REQUEST_METHOD"],
            "errors": flask.request.environ["wsgi.errors"] is not None,
            "ua": flask.request.environ.get("HTTP_USER_AGENT"),
        }

    body = await (await app.test_client().post("/stream", data=b"abc")).get_json()
    assert body == {"read": "abc", "method": "POST", "errors": True, "ua": "Quart"}


async def test_attribute_writes_reach_the_quart_request():
    app = body_app()

    @app.before_request
    def mark():
        flask.request.marker = "set by sync hook"

    @app.route("/mark")
    async def view():
        return quart.request.marker

    assert (await (await app.test_client().get("/mark")).get_data()) == b"set by sync hook"


async def test_without_preload_sync_code_waits_and_async_code_gets_a_clear_error():
    app = body_app(BRIDGE_PRELOAD_BODY=False)

    @app.route("/sync", methods=["POST"])
    def sync_view():
        return flask.request.form.to_dict()

    @app.route("/async", methods=["POST"])
    async def async_view():
        try:
            flask.request.form
        except BridgeSyncError as error:
            return {"error": str(error)}
        return {"error": None}

    client = app.test_client()
    assert (await (await client.post("/sync", form={"a": "1"})).get_json()) == {"a": "1"}
    body = await (await client.post("/async", form={"a": "1"})).get_json()
    assert "had to wait for async work" in body["error"] and "await quart.request.form" in body["error"]


async def test_no_preload_view_can_stream_the_body():
    app = body_app()

    @app.route("/stream-upload", methods=["POST"])
    @no_preload
    async def stream_upload():
        size = 0
        async for chunk in quart.request.body:
            size += len(chunk)
        return {"size": size}

    body = await (await app.test_client().post("/stream-upload", data=b"x" * 5000)).get_json()
    assert body == {"size": 5000}


async def test_body_too_large_is_413():
    app = body_app(MAX_CONTENT_LENGTH=10)
    response = await app.test_client().post("/echo", data=b"x" * 100)
    assert response.status_code == 413


async def test_bodyless_get():
    body = await (await body_app().test_client().get("/echo?x=1")).get_json()
    assert body == {"form": {}, "values": {"x": "1"}, "json": None, "data": "", "files": []}


async def test_get_with_a_declared_body_is_preloaded():
    app = body_app()
    payload = b'{"q": 1}'
    response = await app.test_client().open(
        "/echo",
        method="GET",
        data=payload,
        headers={"Content-Type": "application/json", "Content-Length": str(len(payload))},
    )
    body = await response.get_json()
    assert body["json"] == {"q": 1} and body["data"] == '{"q": 1}'


async def test_get_body_without_framing_headers():
    """Quart's test client sends GET bodies without Content-Length. Such a GET is not preloaded
    (RFC 9112: no framing, no body); sync code still waits for the body, async code sees it
    only if it has already arrived."""
    app = body_app()

    @app.route("/sync-echo")
    def sync_echo():
        return {"json": flask.request.get_json()}

    client = app.test_client()
    response = await client.open("/sync-echo", method="GET", json={"q": 2})
    assert (await response.get_json()) == {"json": {"q": 2}}
    response = await client.open("/echo", method="GET", json={"q": 2})
    assert response.status_code == 200
