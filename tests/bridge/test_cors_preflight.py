"""Flask-CORS ``@cross_origin`` answers a preflight itself (``automatic_options``): its sync
wrapper calls ``current_app.make_default_options_response()``, a coroutine method in Quart
(0.22 without arguments, 0.23 with the app context). On the bridge it answers as on Flask."""

from __future__ import annotations

import flask
import pytest
from flask_cors import cross_origin

from flask2quart.bridge import Quart

PREFLIGHT = {"Origin": "https://blog.example.net", "Access-Control-Request-Method": "GET"}
COMPARED = ("Access-Control-Allow-Origin", "Access-Control-Max-Age", "Access-Control-Allow-Methods",
            "Allow", "Access-Control-Allow-Credentials")


def _register(app, asynchronous: bool) -> None:
    if asynchronous:
        @app.route("/catalogue.json")
        @cross_origin(origins="*", max_age=86400)
        async def catalogue():
            return {"books": []}
    else:
        @app.route("/catalogue.json")
        @cross_origin(origins="*", max_age=86400)
        def catalogue():
            return {"books": []}


def _flask_preflight():
    app = flask.Flask(__name__)
    _register(app, asynchronous=False)
    response = app.test_client().options("/catalogue.json", headers=PREFLIGHT)
    return response.status_code, {h: response.headers.get(h) for h in COMPARED}


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync-view", "async-view"])
@pytest.mark.parametrize("sync_in_loop", [True, False], ids=["greenlet", "thread"])
async def test_cross_origin_preflight_answers_like_flask(asynchronous, sync_in_loop):
    app = Quart(__name__)
    app.config["BRIDGE_SYNC_IN_LOOP"] = sync_in_loop
    _register(app, asynchronous)
    response = await app.test_client().options("/catalogue.json", headers=PREFLIGHT)
    got = response.status_code, {h: response.headers.get(h) for h in COMPARED}
    expected = _flask_preflight()
    assert expected[1]["Access-Control-Allow-Origin"] == "https://blog.example.net"
    assert expected[1]["Access-Control-Max-Age"] == "86400"
    assert got == expected
    assert await response.get_data() == b""


async def test_make_default_options_response_still_a_coroutine_for_quart():
    """Quart's own dispatch awaits it (provide_automatic_options views)."""
    app = Quart(__name__)

    @app.route("/plain", methods=["GET", "POST"])
    async def plain():
        return "p"

    response = await app.test_client().options("/plain")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}
