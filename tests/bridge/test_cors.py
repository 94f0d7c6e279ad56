"""Flask-CORS 6.0 on the bridge, including its sync wrappers around the app's error handlers."""

from __future__ import annotations

import flask
import pytest
from flask_cors import CORS, cross_origin

from flask2quart.bridge import Quart


@pytest.fixture
def cors_app():
    app = Quart(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    CORS(app, origins=["http://allowed.example"], supports_credentials=True)

    @app.route("/data")
    async def data():
        return {"ok": True}

    @app.route("/boom")
    async def boom():
        raise ValueError("x")

    @app.route("/forbidden")
    async def forbidden():
        flask.abort(403)

    @app.route("/decorated")
    @cross_origin(origins="*")
    async def decorated():
        return "d"

    return app


@pytest.mark.parametrize(
    ("path", "status"), [("/data", 200), ("/missing", 404), ("/boom", 500), ("/forbidden", 403)]
)
async def test_cors_headers_on_responses_and_errors(cors_app, path, status):
    response = await cors_app.test_client().get(path, headers={"Origin": "http://allowed.example"})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


async def test_disallowed_origin_and_preflight(cors_app):
    client = cors_app.test_client()
    response = await client.get("/data", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = await client.options(
        "/data", headers={"Origin": "http://allowed.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


async def test_cross_origin_decorator_on_async_view(cors_app):
    response = await cors_app.test_client().get("/decorated", headers={"Origin": "http://x.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://x.example"  # echoed, as on Flask
    assert (await response.get_data()) == b"d"
