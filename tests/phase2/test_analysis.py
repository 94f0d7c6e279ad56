"""Phase 2 analysis: chains across modules, safety decisions, phase-3 hand-off, scope."""

from __future__ import annotations

import importlib.util
import sys
import types

from flask2quart import edits as E
from flask2quart.analysis.blocking import analysis_for
from flask2quart.analysis.project import load_project
from flask2quart.engine import analyse, plan
from tests.helpers import migrate_tree, write_tree

PKG = {
    "pkg/__init__.py": "",
    "pkg/db.py": """\
        import sqlite3

        def connect(path):
            return sqlite3.connect(path)       # returned: escapes the call

        def count(path):
            with sqlite3.connect(path) as conn:  # used and dropped inside
                return conn.execute("SELECT 1").fetchone()[0]

        def cursor(path):
            conn = sqlite3.connect(path)
            return conn.execute("SELECT 1")    # the cursor escapes (and the connection with it)
        """,
    "pkg/services.py": """\
        from . import db

        def total(path):
            return db.count(path) + 1

        def open_it(path):
            return db.connect(path)

        def rows(path):
            for n in range(db.count(path)):
                yield n
        """,
    "pkg/views.py": """\
        from flask import Blueprint
        from . import db
        from .services import total, open_it, rows

        bp = Blueprint("v", __name__)

        @bp.route("/a")
        def a():
            return str(total("x.db"))

        @bp.route("/b")
        def b():
            open_it("x.db")
            return str(list(rows("x.db")))

        @bp.route("/c")
        def c():
            return str(db.cursor("x.db").fetchone())
        """,
}


def _facts(tmp_path, files):
    root = tmp_path / "proj"
    write_tree(root, files)
    project = load_project([root], [])
    return project, analyse(project, 2)


def test_chain_across_modules_reported_at_the_view(tmp_path):
    _, facts = _facts(tmp_path, PKG)
    found = {(f.scope.qualname, f.call.lineno): f for f in analysis_for(facts).all_findings()}
    a = found[("pkg.views.a", 9)]
    assert a.action == "helper" and a.code is None
    assert a.chain == ("pkg.services.total", "pkg.db.count", "sqlite3.connect")
    b = found[("pkg.views.b", 13)]
    assert b.action == "mark" and b.code == "F2Q281"
    assert "returns a `sqlite3.Connection`" in b.reason and b.chain[:2] == ("pkg.services.open_it", "pkg.db.connect")
    gen = found[("pkg.views.b", 14)]
    assert gen.code == "F2Q281" and "generator" in gen.reason
    cur = [f for f in analysis_for(facts).all_findings() if f.scope.qualname == "pkg.views.c"]
    assert {(f.action, f.code) for f in cur} == {("mark", "F2Q281"), ("mark", "F2Q280")}
    assert any("returns a `sqlite3.Cursor`" in f.reason for f in cur)
    assert [f.as_dict()["chain"] for f in analysis_for(facts).all_findings()
            if f.scope.qualname == "pkg.views.a"] == [["pkg.services.total", "pkg.db.count",
                                                      "sqlite3.connect"]]


def test_sync_code_tests_and_shadowed_asyncio(tmp_path):
    out = migrate_tree(tmp_path, {
        "app.py": """\
            import time
            from flask import Flask
            app = Flask(__name__)

            @app.route("/")
            def index():
                time.sleep(1)
                return "x"

            def job():
                time.sleep(1)
            """,
        "other.py": """\
            import time
            from flask import Blueprint
            asyncio = None
            bp = Blueprint("o", __name__)

            @bp.route("/o")
            def o():
                time.sleep(1)
                return "o"
            """,
        "tests/test_app.py": """\
            import time

            async def test_waits():
                time.sleep(0.01)
            """,
    }, phase=2)
    assert "    await asyncio.sleep(1)\n" in out["app.py"]
    assert "def job():\n    time.sleep(1)" in out["app.py"]
    assert "F2Q286" in out["other.py"] and "    time.sleep(1)\n" in out["other.py"]
    assert "    time.sleep(0.01)" in out["tests/test_app.py"]


REQ = {
    "app.py": """\
        import time
        import requests
        from quart import Quart
        app = Quart(__name__)

        @app.route("/")
        async def index():
            time.sleep(1)
            requests.post("http://h/x", json={})
            return requests.get("http://h/").text
        """,
}


def _replaced_lines(tmp_path, phase, select=("F2Q201", "F2Q202", "F2Q203")):
    project, facts = _facts(tmp_path, REQ)
    script = plan(project, facts, phase, set(select))["app.py"]
    return sorted(e.span.line for e in script if isinstance(e, E.Replace))


def test_requests_left_to_phase3(tmp_path, monkeypatch):
    # lines: 8 time.sleep, 9 requests.post, 10 requests.get
    assert _replaced_lines(tmp_path / "a", 2) == [8, 9, 10]
    import flask2quart.catalogue as cat
    if importlib.util.find_spec("flask2quart.catalogue.http") is None:
        # no phase-3 catalogue yet: every requests.* call is phase 3's
        assert _replaced_lines(tmp_path / "b", 3) == [8]
    # with the phase-3 catalogue's answer: only what it claims
    fake = types.ModuleType("flask2quart.catalogue.http")
    fake.handled_by_phase3 = lambda name: name == "requests.get"
    monkeypatch.setitem(sys.modules, "flask2quart.catalogue.http", fake)
    monkeypatch.setattr(cat, "http", fake, raising=False)
    assert _replaced_lines(tmp_path / "c", 3) == [8, 9]
    # phase 3's per-call answer (when switched on): a call it keeps on requests is phase 2's again
    fake.handled_by_phase3 = lambda name: name.startswith("requests.")
    fake.rewritten_by_phase3 = lambda facts, scope, call: call.lineno != 10
    assert _replaced_lines(tmp_path / "d", 3) == [8]  # off: the name-level contract
    from flask2quart.catalogue import blocking as B
    monkeypatch.setattr(B, "PHASE3_PER_CALL", True)
    assert _replaced_lines(tmp_path / "e", 3) == [8, 10]


def test_real_phase3_catalogue_takes_every_requests_call(tmp_path):
    """With the real phase-3 catalogue (per-call answers off): every requests call is phase 3's."""
    if importlib.util.find_spec("flask2quart.catalogue.http") is None:
        return  # phase 3 not there: covered by the fallback above
    assert _replaced_lines(tmp_path, 3) == [8]
