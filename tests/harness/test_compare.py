"""Views and field-level diffs; cookie jars; redaction."""

from __future__ import annotations

import json

from flask2quart.harness.compare import MISSING, diff_views, general_field, outbound_view, response_view
from flask2quart.harness.cookies import Jar, parse_set_cookie
from flask2quart.harness.redact import Redactor


def msg(status=200, headers=(), body=None, **extra):
    m = {"status": status, "headers": [list(h) for h in headers]}
    if body is not None:
        m["body"] = body
    m.update(extra)
    return m


def test_json_bodies_are_compared_as_data():
    a = response_view(msg(headers=[("Content-Type", "application/json")], body='{"b": 1, "a": [1, 2.0], "e": {}}'))
    b = response_view(msg(headers=[("content-type", "application/json")], body='{"a":[1,2],"b":1,"e":{}}'))
    assert diff_views(a, b) == []  # key order, spacing, 2.0 vs 2 and header-name case do not matter
    c = response_view(msg(headers=[("Content-Type", "application/json")], body='{"a": [1, 3], "b": true, "e": []}'))
    assert sorted(diff_views(a, c), key=str) == [("body:$.a[1]", 2.0, 3), ("body:$.b", 1, True), ("body:$.e", {}, [])]


def test_text_binary_headers_and_cookies():
    a = response_view(msg(headers=[("X-A", "1"), ("X-A", "2"), ("Set-Cookie", "t=1; Path=/; HttpOnly")], body="hi"))
    assert a["header:x-a"] == "1, 2"
    assert a["cookie:t"] == "1" and a["cookie:t;path"] == "/" and a["cookie:t;httponly"] is True
    assert a["body"] == "hi"
    b = response_view({"status": 200, "headers": [], "body_b64": "/w=="})
    assert b["body"].startswith("<1 bytes sha256 ")


def test_session_cookie_is_compared_by_payload():
    def view(raw, data):
        return response_view(msg(headers=[("Set-Cookie", f"session={raw}; HttpOnly; Path=/")],
                                 session={"name": "session", "ok": True, "data": data}), "session")
    a, b = view("AAA.sig1", {"user": "ada", "cart": [2]}), view("BBB.sig2", {"cart": [2], "user": "ada"})
    assert diff_views(a, b) == []
    c = view("CCC.sig3", {"cart": [2, 2], "user": "ada"})
    assert diff_views(a, c) == [("session:$.cart[1]", MISSING, 2)]


def test_outbound_views_pair_calls_by_recording():
    recorded = [{"method": "GET", "url": "http://api:80/w?city=oslo&units=c", "headers": [["Accept", "*/*"], ["User-Agent", "python-requests/2"]]}]
    replayed = [
        {"method": "GET", "url": "http://api/w?units=c&city=oslo", "headers": [["accept", "*/*"], ["user-agent", "python-httpx/0.28"]], "matched": 0},
        {"method": "POST", "url": "http://api/audit", "headers": [["Content-Type", "application/json"]], "body": '{"a": 1}', "matched": None},
    ]
    a, b = {}, {}
    outbound_view(a, recorded, recorded=True)
    outbound_view(b, replayed, recorded=False)
    # default port, query order and the client's own User-Agent do not matter; the extra call does
    assert diff_views(a, b) == [("outbound.extra[0]", MISSING, "POST http://api/audit")]  # details folded
    missing = diff_views(a, {})
    assert missing == [("outbound[0]", "GET http://api/w", MISSING)]  # details folded into the call


def test_general_field():
    assert general_field("body:$.items[3].tags[0]") == "body:$.items[*].tags[*]"


def test_jar_paths_expiry_and_explicit_cookies():
    jar = Jar()
    jar.update(["a=1; Path=/", "b=2; Path=/admin", "c=3; Max-Age=0", "d=4"], "/shop/cart", now=1000)
    assert jar.header("/", now=1000) == "a=1"
    assert jar.header("/admin/x", now=1000) == "b=2; a=1"
    assert jar.header("/shop/y", now=1000) == "d=4; a=1"  # default path /shop
    jar.update(["a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"], "/", now=1000)
    assert jar.header("/", explicit="a=old; z=9", now=1000) == "a=old; z=9"  # deleted from the jar
    jar.update(["a=new; Max-Age=10; Path=/"], "/", now=1000)
    assert jar.header("/", explicit="a=old; z=9", now=1000) == "a=new; z=9"  # the jar wins
    assert jar.header("/", now=1011) is None  # expired
    assert Jar.load(jar.dump()).cookies == jar.cookies
    assert parse_set_cookie('x="q v"; Secure') == ("x", "q v", {"secure": True})


def test_redactor():
    r = Redactor(headers=["X-Internal"], keys=["ssn"], patterns=[r"acct-\d+"])
    assert r.header_value("Authorization", "Bearer abc") == "<redacted>"
    assert r.header_value("X-Internal", "v") == "<redacted>"
    assert r.header_value("Set-Cookie", "session=abc; Path=/; HttpOnly") == "session=<redacted>; Path=/; HttpOnly"
    assert r.header_value("Cookie", "a=1; b=2") == "a=<redacted>; b=<redacted>"
    assert r.header_value("Accept", "text/html") == "text/html"
    assert r.path("/x?q=1&access_token=t&my_ssn=1") == "/x?q=1&access_token=<redacted>&my_ssn=<redacted>"
    assert r.url("https://u:pw@h/p?api_key=k") == "https://<redacted>@h/p?api_key=<redacted>"
    doc = r.data({"user": {"password": "p", "name": "ada", "tokens": [1]}, "author": "x", "authorization": "y"})
    assert doc == {"user": {"password": "<redacted>", "name": "ada", "tokens": [1]}, "author": "x", "authorization": "<redacted>"}
    assert r.text("see acct-12345 and Bearer xyz.abc") == "see <redacted> and Bearer <redacted>"
    assert json.loads(r.body('{"token": "t", "n": 1}', "application/json")) == {"n": 1, "token": "<redacted>"}
    assert r.field_value("body:$.user.password", "p") == "<redacted>"
    assert r.field_value('body:$["X-Auth-Token"]', "p") == "<redacted>"
    assert r.field_value("cookie:remember", "abc") == "<redacted>"
    assert r.field_value("cookie:remember;path", "/") == "/"
    assert r.field_value("outbound[0].header:x-api-key", "k") == "<redacted>"
    assert r.field_value("body:$.name", "ada") == "ada"
