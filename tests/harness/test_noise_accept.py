"""The A/A run classifies noise; --accept suppresses known differences, new ones still fail."""

from __future__ import annotations

import json

from tests.harness.conftest import field_map, plant, run, write_corpus

NOISY = [
    {"session": "a", "path": "/token"},
    {"session": "a", "path": "/token"},
    {"session": "a", "path": "/items"},
    {"session": "a", "path": "/status"},
]


def test_aa_run_classifies_noise(tmp_path, shop_env):
    corpus = write_corpus(tmp_path / "c.jsonl", NOISY)
    with run(env=shop_env, corpus=corpus) as result:
        assert result.exit_code == 0, result.report("text")
        assert result.noise == 2 and result.different == 0
        assert result.noise_fields == {"GET /token": ["body:$.token"]}
        fields = field_map(result)["GET /token"]
        assert fields["body:$.token"]["class"] == "noise"
        assert "Noise" in result.report("text") and "body:$.token" in result.report("markdown")


def test_without_aa_the_same_field_is_a_difference(tmp_path, shop_env):
    corpus = write_corpus(tmp_path / "c.jsonl", NOISY)
    with run(env=shop_env, corpus=corpus, aa=False) as result:
        assert result.exit_code == 1
        assert result.different == 2
        assert "A/A run disabled" in result.report("text")


def test_noise_learned_on_one_request_covers_the_endpoint(tmp_path, shop_env):
    # a real difference in a noisy field is still noise: the A/A run shows the field is unstable
    candidate = plant(tmp_path, [('return jsonify(token=secrets.token_hex(8), kind="demo")', 'return jsonify(token="fixed", kind="demo")')])
    corpus = write_corpus(tmp_path / "c.jsonl", NOISY)
    with run(candidate, env=shop_env, corpus=corpus) as result:
        assert result.exit_code == 0
        assert result.noise == 2


ACCEPT_PLANTS = [("return jsonify(items=[dict(r) for r in rows], count=len(rows))", "return jsonify(items=[dict(r) for r in rows], count=-1)")]
NEW_PLANT = ('return "username required", 400', 'return "username required", 422')


def test_accept_suppresses_known_differences_and_new_ones_fail(tmp_path, shop_env):
    known = plant(tmp_path, ACCEPT_PLANTS, name="known")
    report = tmp_path / "accepted.json"
    with run(known, env=shop_env, reports={"json": report}) as first:
        assert first.exit_code == 1
        assert first.different == 1
    doc = json.loads(report.read_text())
    assert doc["differences"][0]["fields"][0]["fingerprint"]

    with run(known, env=shop_env, accept=report) as second:
        assert second.exit_code == 0, second.report("text")
        assert (second.accepted, second.different) == (1, 0)
        assert field_map(second)["GET /items"]["body:$.count"]["class"] == "accepted"

    worse = plant(tmp_path, [*ACCEPT_PLANTS, NEW_PLANT], name="worse")
    with run(worse, env=shop_env, accept=report) as third:
        assert third.exit_code == 1
        assert (third.accepted, third.different) == (1, 1)
        flagged = {r["endpoint"]: r["outcome"] for r in third.flagged()}
        assert flagged == {"GET /items": "accepted", "POST /login": "different"}


def test_hand_written_accept_file(tmp_path, shop_env):
    known = plant(tmp_path, ACCEPT_PLANTS, name="known")
    with run(known, env=shop_env) as first:
        prints = [f["fingerprint"] for r in first.differences() for f in r["fields"]]
    accept = tmp_path / "accept.json"
    accept.write_text(json.dumps({"accepted": [{"fingerprint": p, "reason": "count is computed later"} for p in prints]}))
    with run(known, env=shop_env, accept=accept) as result:
        assert result.exit_code == 0
