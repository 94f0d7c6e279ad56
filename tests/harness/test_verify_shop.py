"""End to end on the shop apps: the faithful Quart port is equivalent; planted changes are caught."""

from __future__ import annotations

import pytest

from tests.harness.conftest import CORPUS, PY313, field_map, plant, run


def test_faithful_port_is_equivalent(shop_env, stub):
    before = len(stub.hits)
    with run(env=shop_env) as result:
        assert result.exit_code == 0, result.report("text")
        assert (result.total, result.different, result.errors) == (32, 0, 0)
        assert result.equal == 32
        assert result.sides["baseline"].framework == "flask"
        assert result.sides["candidate"].framework == "quart"
        fired = {n["name"] for n in result.normalizers}
        # the framework-only differences this corpus exercises, each named in the report
        assert {"vary-cookie", "head-body", "send-file-defaults", "session-cookie-payload", "remote-addr-echo"} <= fired
        text = result.report("text")
        for name in ("vary-cookie", "send-file-defaults", "head-body"):
            assert name in text
        assert "Vary: Cookie" in result.report("html")
    # only the baseline went to the network: GET /weather and POST /notify, once each
    assert stub.hits[before:] == [("GET", "/weather?city=oslo"), ("POST", "/notify")]


@pytest.mark.skipif(not PY313.exists(), reason="needs the Python 3.13 venv (.venv313)")
def test_candidate_on_python_313_quart_023(shop_env):
    with run(env=shop_env, candidate_python=str(PY313)) as result:
        assert result.exit_code == 0, result.report("text")
        assert result.sides["candidate"].python_version.startswith("3.13")
        assert result.sides["candidate"].framework_version.startswith("0.23")
        assert result.sides["baseline"].python_version.startswith("3.11")
        # 0.23 adds Vary: Cookie on every response (the session is always accessed)
        counts = {n["name"]: n["count"] for n in result.normalizers}
        assert counts["vary-cookie"] > 10


PLANTS = [
    # (old, new) in the Quart port -> (endpoint, field) that must be reported
    ('return "username required", 400', 'return "username required", 422'),
    ("return jsonify(dict(row))", 'resp = jsonify(dict(row))\n        resp.headers["X-Cache"] = "miss"\n        return resp'),
    ("return jsonify(items=[dict(r) for r in rows], count=len(rows))", "return jsonify(items=[dict(r) for r in rows], count=len(rows) + 1)"),
    ('return redirect(url_for("index"))', 'resp = redirect(url_for("index"))\n        resp.set_cookie("seen", "1", httponly=True)\n        return resp'),
    ('session["cart"] = session.get("cart", []) + [item_id]', 'session["cart"] = session.get("cart", []) + [item_id, item_id]'),
    ('f"{app.config[\'STUB_URL\']}/weather", params={"city": city}', 'f"{app.config[\'STUB_URL\']}/weather2", params={"city": city}'),
    ('json={"event": payload.get("event"), "user": session.get("user")}', 'json={"event": payload.get("event"), "user": None}'),
]


def test_planted_changes_are_caught(tmp_path, shop_env):
    candidate = plant(tmp_path, PLANTS)
    with run(candidate, env=shop_env) as result:
        assert result.exit_code == 1
        fields = field_map(result)
        # status
        assert fields["POST /login"]["status"]["baseline"] == 400
        assert fields["POST /login"]["status"]["candidate"] == 422
        # header
        assert fields["GET /items/<int:item_id>"]["header:x-cache"]["candidate"] == "miss"
        assert "baseline" not in fields["GET /items/<int:item_id>"]["header:x-cache"]
        # JSON field
        assert fields["GET /items"]["body:$.count"]["baseline"] == 2
        assert fields["GET /items"]["body:$.count"]["candidate"] == 3
        # a cookie, with its attributes
        assert fields["GET /logout"]["cookie:seen"]["candidate"] == "1"
        assert fields["GET /logout"]["cookie:seen;httponly"]["candidate"] is True
        # session value (decoded cookie payload) and the JSON that shows it
        cart = fields["POST /cart"]
        assert any(f.startswith("session:$.cart") for f in cart), cart
        # outbound request URL (requests on the baseline, httpx on the candidate)
        weather = fields["GET /weather"]
        assert weather["outbound[0].url"]["baseline"].endswith("/weather")
        assert weather["outbound[0].url"]["candidate"].endswith("/weather2")
        # outbound request body
        notify = fields["POST /notify"]
        assert notify["outbound[0].body:$.user"]["baseline"] == "ada"
        assert notify["outbound[0].body:$.user"]["candidate"] is None
        assert all(f["class"] == "difference" for ep in fields.values() for f in ep.values())


def test_unmatched_outbound_call_is_a_difference(tmp_path, shop_env):
    extra = (
        "        return jsonify(city=city, temp=data[\"temp\"], upstream_status=resp.status_code)",
        "        async with httpx.AsyncClient(timeout=5) as client:\n"
        "            await client.get(f\"{app.config['STUB_URL']}/audit\")\n"
        "        return jsonify(city=city, temp=data[\"temp\"], upstream_status=resp.status_code)",
    )
    candidate = plant(tmp_path, [extra])
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(CORPUS.read_text().splitlines()[13] + "\n")  # GET /weather?city=oslo
    with run(candidate, env=shop_env, corpus=corpus, setup_cli=[]) as result:
        assert result.exit_code == 1
        fields = field_map(result)["GET /weather"]
        assert "outbound.extra[0]" in fields
        assert fields["outbound.extra[0]"]["candidate"].endswith("/audit")
        assert "exception" in fields  # the app saw a connection error for the unrecorded call


def test_unhandled_exceptions_under_testing(tmp_path, shop_env):
    """TESTING on: Werkzeug's client re-raises, Quart renders a traceback page; same exception = equal."""
    from tests.harness.conftest import write_corpus

    corpus = write_corpus(tmp_path / "c.jsonl", [{"path": "/boom"}, {"path": "/status"}])
    env = dict(shop_env, SHOP_TESTING="1")
    with run(env=env, corpus=corpus, setup_cli=[]) as result:
        assert result.exit_code == 0, result.report("text")
        assert {n["name"] for n in result.normalizers} >= {"unhandled-exception"}
    other = plant(tmp_path, [('raise ValueError("boom")', 'raise KeyError("boom")')])
    with run(other, env=env, corpus=corpus, setup_cli=[]) as result:
        assert result.exit_code == 1
        fields = field_map(result)["GET /boom"]
        assert fields["exception"]["baseline"] == "ValueError: boom"
        assert fields["exception"]["candidate"] == "KeyError: 'boom'"
