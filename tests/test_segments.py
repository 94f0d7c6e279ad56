"""Segment-wise transformation (flask2quart.segments) gives the whole-module output.

Each case runs one edit script both ways: ``segments.transform`` (only the top-level
statements carrying edits go through LibCST) and the whole-module transform. They must
agree byte for byte, or the segment path must decline (None) where the module doc says so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flask2quart import edits as E
from flask2quart import engine, segments

ROOT = Path(__file__).resolve().parent.parent


def _both(src: str | bytes, script: list[E.Edit]) -> tuple[bytes | None, bytes]:
    raw = src.encode() if isinstance(src, str) else src
    lay = segments.layout(ast.parse(raw))
    return segments.transform(raw, script, lay), engine._transform_module(raw, script)


def _span(src: str, needle: str, occurrence: int = 0) -> E.Span:
    """Span of the call expression ``needle`` (its text) in ``src``."""
    lines = src.splitlines(keepends=True)
    seen = 0
    for i, ln in enumerate(lines, start=1):
        col = ln.find(needle)
        if col >= 0:
            if seen == occurrence:
                return E.Span(i, col, i, col + len(needle))
            seen += 1
    raise AssertionError(needle)


def _line(src: str, needle: str) -> int:
    return next(i for i, ln in enumerate(src.splitlines(), start=1) if needle in ln)


VIEWS = '''"""Views."""
import os
from flask import Flask, request  # the app

app = Flask(__name__)
x = 1; y = 2


# a comment above
@app.route("/")
def index():
    return request.get_json()


@(
    app.route("/b")
)
def b():
    data = request.get_json()
    return data


class Helper:
    def m(self):
        return request.get_json()
    # footer comment of Helper


if os.environ.get("X"):
    z = 3
# the end
'''


def _views_script(src: str) -> list[E.Edit]:
    return [
        E.RewriteImport("F2Q101", _line(src, "from flask"), 0, "quart", (("Flask", "Quart"),)),
        E.MakeAsync("F2Q102", _line(src, "def index"), "index"),
        E.Await("F2Q103", _span(src, "request.get_json()", 0)),
        E.MakeAsync("F2Q102", _line(src, "def b()"), "b"),
        E.Await("F2Q103", _span(src, "request.get_json()", 1)),
        E.Marker("F2Q190", _line(src, "def m(self)"), "check this"),
        E.Marker("F2Q191", _line(src, "if os.environ"), "and this"),
    ]


@pytest.mark.parametrize("variant", ["lf", "crlf", "bom", "no-final-newline", "tabs"])
def test_segments_match_the_whole_module(variant):
    src = VIEWS
    if variant == "tabs":
        src = src.replace("    ", "\t")
    script = _views_script(src)
    raw = src.encode()
    if variant == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    elif variant == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif variant == "no-final-newline":
        raw = raw.rstrip(b"\n")
    seg, whole = _both(raw, script)
    assert seg is not None
    assert seg == whole
    assert b"async def index" in seg and b"await request.get_json()" in seg
    # and a second run with the same markers adds none (the markers are found again)
    text = seg.decode("utf-8-sig").replace("\r\n", "\n")
    markers = [E.Marker("F2Q190", _line(text, "def m(self)"), "check this"),
               E.Marker("F2Q191", _line(text, "if os.environ"), "and this")]
    again, again_whole = _both(seg, markers)
    assert again == again_whole == seg


def test_imports_are_added_to_the_first_segment():
    src = '"""Doc."""\nimport os\nimport sys\n\nA = 1\n\n\ndef f():\n    return os.sep\n'
    script = [E.AddImport("F2Q301", "asyncio"), E.MakeAsync("F2Q102", 8, "f")]
    seg, whole = _both(src, script)
    assert seg == whole and b"import asyncio" in seg


def test_marker_on_the_first_statement_of_a_file_is_not_repeated():
    src = "# licence\nimport flask_socketio\n\nx = 1\n"
    script = [E.Marker("F2Q170", 2, "kept")]
    once, whole = _both(src, script)
    assert once == whole
    again = [E.Marker("F2Q170", _line(once.decode(), "import flask_socketio"), "kept")]
    twice, twice_whole = _both(once, again)
    assert twice == twice_whole == once
    assert once.count(b"F2Q170") == 1


@pytest.mark.parametrize("src,script", [
    # the edited function indents with 4 spaces, the file's first indent is 2: new code
    # would be indented differently
    ("def a():\n  return 1\n\n\ndef f():\n    return 2\n",
     [E.ReplaceStatement("T", 6, "async with x:\n    return 2")]),
    # lone CR line endings
    ("x = 1\rdef f():\r    return 2\r", [E.MakeAsync("T", 2, "f")]),
    # removing a segment's first statement would leave its comments behind
    ("import os\n\n# about s\ns = make()\n", [E.ReplaceStatement("T", 4, "")]),
    # an edit turns the statement after the import block into an import: the block (and
    # the insertion point) may now go on after the first segment
    ("import os\nx = 1\ny = 2\n", [E.AddImport("T", "asyncio"),
                                   E.ReplaceStatement("T", 2, "import x")]),
])
def test_segments_decline_where_the_cut_could_change_the_result(src, script):
    raw = src.encode()
    assert segments.transform(raw, script, segments.layout(ast.parse(raw))) is None


def test_an_edit_that_cannot_be_placed_is_reported_by_the_whole_module_path():
    src = "def f():\n    return 1\n"
    raw = src.encode()
    with pytest.raises(Exception, match="could not be placed"):
        engine.transform_source(raw, [E.MakeAsync("T", 1, "g")], segments.layout(ast.parse(raw)))


def test_statements_without_edits_are_not_parsed(monkeypatch):
    """The point of it: LibCST sees the edited statement only."""
    import libcst

    parsed: list[str] = []
    real = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda code, *a, **k: (parsed.append(code),
                                                                       real(code, *a, **k))[1])
    src = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(50))
    seg, _ = _both(src, [E.MakeAsync("T", 1 + 4 * 30, "f30")])
    assert seg is not None and b"async def f30" in seg
    assert parsed[0] == "\n\ndef f30():\n    return 30\n"


def test_fixture_cases_give_the_same_output_both_ways():
    """Every edit script of the before/after case trees, phases 1-3."""
    compared = 0
    for before in sorted((ROOT / "fixtures" / "cases").glob("phase*/*/before")):
        phase = int(before.parent.parent.name[-1])
        project = engine.load_project([before], [])
        facts = engine.analyse(project, phase)
        for src in project.files:
            script = engine.plan(project, facts, phase).get(src.rel)
            if not script or isinstance(script, str):
                continue
            seg = segments.transform(src.raw, script, segments.layout(src.tree))
            if seg is not None:
                assert seg == engine._transform_module(src.raw, script), (before, src.rel)
                compared += 1
    assert compared >= 60
