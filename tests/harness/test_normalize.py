"""Built-in normalizers: what each one aligns, and (as carefully) what it leaves alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from flask2quart.harness.compare import diff_views
from flask2quart.harness.normalize import BUILTINS, Pair, UserRules, compile_json_path, user_normalizers


def pair(a, b, method="GET", ma=None, mb=None):
    return Pair(method, dict(a), dict(b), ma or {}, mb or {})


def fires(name, p):
    fired = BUILTINS[name](p)
    return fired, diff_views(p.a, p.b)


FIRES = [
    # (normalizer, baseline view, candidate view, method, messages)
    ("date-server", {"header:date": "Mon"}, {"header:date": "Tue", "header:server": "hypercorn-h11"}, "GET", None),
    ("vary-cookie", {}, {"header:vary": "Cookie"}, "GET", None),
    ("vary-cookie", {"header:vary": "Accept"}, {"header:vary": "Accept, Cookie"}, "GET", None),
    ("allow-order", {"header:allow": "GET, HEAD, OPTIONS"}, {"header:allow": "OPTIONS, GET, HEAD"}, "OPTIONS", None),
    ("test-client-content-length", {}, {"header:content-length": "12"}, "GET", None),
    ("head-body", {"header:content-length": "5"}, {"body": "hello", "header:content-length": "5"}, "HEAD", None),
    ("send-file-defaults",
     {"header:cache-control": "no-cache", "header:accept-ranges": "bytes", "header:etag": '"978307200.0-26-111"',
      "header:content-disposition": "inline; filename=report.txt"},
     {"header:cache-control": "public, max-age=43200", "header:expires": "Thu, 01 Jan 2099 00:00:00 GMT",
      "header:etag": '"978307200.0-26-222"'}, "GET", None),
    ("clock-dates", {"cookie:s;expires": "Mon, 01 Jan 2030 00:00:00 GMT"}, {"cookie:s;expires": "Mon, 01 Jan 2030 00:00:03 GMT"},
     "GET", ({"t": 100.0}, {"t": 101.0})),
    ("client-library-exceptions", {"exception": "ConnectionError: refused"}, {"exception": "ConnectError: All connection attempts failed"}, "GET", None),
    ("unhandled-exception", {"status": 500, "exception": "ValueError: boom"},
     {"status": 500, "exception": "ValueError: boom", "body": "<html>traceback</html>", "header:content-type": "text/html"}, "GET", None),
    ("remote-addr-echo", {"body:$.headers.Host": "localhost"}, {"body:$.headers.Host": "localhost", 'body:$.headers["Remote-Addr"]': "127.0.0.1"}, "GET", None),
    ("sent-cookie-echo", {"body:$.cookie": "session=AAAAAAAAAA"}, {"body:$.cookie": "session=BBBBBBBBBB"}, "GET",
     ({"cookie": "session=AAAAAAAAAA"}, {"cookie": "session=BBBBBBBBBB"})),
]


@pytest.mark.parametrize("name, a, b, method, msgs", FIRES, ids=[f[0] for f in FIRES])
def test_normalizer_aligns(name, a, b, method, msgs):
    ma, mb = msgs or ({}, {})
    p = pair(a, b, method, ma, mb)
    fired, remaining = fires(name, p)
    assert fired and remaining == []


NOOPS = [
    # each is a real difference the normalizer must not hide
    ("vary-cookie", {"header:vary": "Accept"}, {"header:vary": "Accept-Language, Cookie"}, "GET", None),  # Accept changed too
    ("allow-order", {"header:allow": "GET, HEAD"}, {"header:allow": "GET, HEAD, POST"}, "OPTIONS", None),  # POST added
    ("test-client-content-length", {"header:content-length": "5"}, {"header:content-length": "6"}, "GET", None),  # both sent
    ("head-body", {"body": "a"}, {"body": "b"}, "GET", None),  # only for HEAD
    ("send-file-defaults", {"header:cache-control": "no-cache"}, {"header:cache-control": "public, max-age=43200"}, "GET", None),  # not a file response
    ("send-file-defaults",  # an explicit max_age that the port lost is not a default
     {"header:accept-ranges": "bytes", "header:cache-control": "public, max-age=60"}, {"header:accept-ranges": "bytes", "header:cache-control": "public, max-age=43200"}, "GET", None),
    ("send-file-defaults",  # a different file size is a different file
     {"header:etag": '"978307200.0-26-111"'}, {"header:etag": '"978307200.0-27-222"'}, "GET", None),
    ("clock-dates", {"cookie:s;expires": "Mon, 01 Jan 2030 00:00:00 GMT"}, {"cookie:s;expires": "Tue, 01 Jan 2030 01:00:00 GMT"},
     "GET", ({"t": 100.0}, {"t": 101.0})),  # an hour apart: a different lifetime
    ("client-library-exceptions", {"exception": "ConnectionError: x"}, {"exception": "ReadTimeout: y"}, "GET", None),
    ("unhandled-exception", {"status": 500, "exception": "ValueError: boom", "body": "a"}, {"status": 500, "exception": "KeyError: 'x'", "body": "b"}, "GET", None),
    ("remote-addr-echo", {}, {'body:$.headers["Remote-Addr"]': "10.1.1.1"}, "GET", None),  # not the replay address
    ("sent-cookie-echo", {"body:$.cookie": "session=AAAAAAAAAA"}, {"body:$.cookie": "session=CCCCCCCCCC"}, "GET",
     ({"cookie": "session=AAAAAAAAAA"}, {"cookie": "session=BBBBBBBBBB"})),  # not what was sent
]


@pytest.mark.parametrize("name, a, b, method, msgs", NOOPS, ids=[n[0] for n in NOOPS])
def test_normalizer_leaves_real_differences(name, a, b, method, msgs):
    ma, mb = msgs or ({}, {})
    p = pair(a, b, method, ma, mb)
    fired, remaining = fires(name, p)
    assert not fired and remaining


def test_every_builtin_is_explained():
    for n in BUILTINS.values():
        assert n.summary and len(n.explanation) > 60 and n.source, n.name


@pytest.mark.parametrize("path, matches, misses", [
    ("$.a", ["$.a", "$.a.b", "$.a[0]"], ["$.ab", "$.b.a"]),
    ("$.items[*].id", ["$.items[0].id", "$.items[12].id"], ["$.items.id", "$.items[0].ids"]),
    ("$..token", ["$.token", "$.a.b[2].token", '$["x"].token'], ["$.tokens", "$.a.b"]),
    ("$.a.*", ["$.a.b", '$.a["c-d"]'], ["$.a"]),
    ('$["Remote-Addr"]', ['$["Remote-Addr"]'], ["$.Remote"]),
])
def test_json_paths(path, matches, misses):
    rx = compile_json_path(path)
    assert all(rx.match(m) for m in matches)
    assert not any(rx.match(m) for m in misses)


def test_user_rules():
    rules = UserRules(
        ignore_headers=["X-Request-Id"], ignore_cookies=["tracker"], ignore_json_paths=["$.meta"],
        ignore_fields=["outbound[*].header:x-trace"], replace=[(r"\d{4}-\d\d-\d\d", "<date>", [])],
    )
    p = pair(
        {"header:x-request-id": "1", "cookie:tracker": "a", "cookie:tracker;path": "/", "body:$.meta.t": 1,
         "outbound[0].header:x-trace": "a", "body:$.day": "on 2024-01-01", "body:$.keep": 1},
        {"header:x-request-id": "2", "cookie:tracker": "b", "body:$.meta.t": 2, "outbound[0].header:x-trace": "b",
         "body:$.day": "on 2025-02-02", "body:$.keep": 2},
    )
    names = [n.name for n in user_normalizers(rules) if n(p)]
    assert names == ["ignore-header:x-request-id", "ignore-cookie:tracker", "ignore-json-path:$.meta",
                     "ignore-field:outbound[*].header:x-trace", r"replace:\d{4}-\d\d-\d\d"]
    assert diff_views(p.a, p.b) == [("body:$.keep", 1, 2)]


def test_docs_list_every_builtin():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "harness.md").read_text()
    for name in BUILTINS:
        assert f"| `{name}` |" in docs, f"docs/harness.md does not describe {name}"
