"""Minimal reproducers of property violations in rules this suite does not own.

Each is ``xfail(strict=True)``: it turns into a failure (XPASS) the day the rule is
fixed, so the code can then be removed from ``props.KNOWN_ISSUES`` and is checked by
every property test again.
"""

from __future__ import annotations

import textwrap

import pytest

from flask2quart import engine


def _twice(tmp_path, files: dict[str, str], phase: int = 3):
    root = tmp_path / "proj"
    for rel, src in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(src))
    first = engine.run([root], phase)
    assert first.changed
    for f in first.changed:
        f.path.write_bytes(f.new)
    return engine.run([root], phase)


@pytest.mark.xfail(strict=True, reason="phase 2 F2Q280: a generator made async by phase 1 gets "
                   "its thread-affinity marker only on the second run (not idempotent)")
def test_f2q280_marker_idempotent(tmp_path):
    again = _twice(tmp_path, {"app.py": '''\
        import sqlite3

        from flask import Flask, Response, g, stream_with_context

        app = Flask(__name__)


        def get_db():
            if "db" not in g:
                g.db = sqlite3.connect("x.db")
            return g.db


        @app.route("/export")
        def export():
            def generate():
                yield "a"
                rows = get_db().execute("SELECT 1")
                for row in rows:
                    yield str(row)

            return Response(stream_with_context(generate()))
        '''})
    assert not again.changed, [f.new.decode() for f in again.changed]
