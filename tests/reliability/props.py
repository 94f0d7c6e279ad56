"""The safety properties every reliability test checks, in one place.

``check_tree(root)`` runs every phase (``engine.run(..., phase=3)``) over a tree and
asserts, for every file:

1. **no crash**: ``engine.run`` returns; an internal error on a file is a ``failed``
   FileResult with an error message, and that file's ``new`` bytes are its ``old`` ones;
2. **outputs parse**: every ``changed`` output compiles (``compile(..., "exec")``);
3. **untouched is byte-identical**: an ``unchanged`` file's output is its input, bytes
   for bytes; in a ``changed`` file, every original line outside the *touched regions*
   of its edits survives byte-identical and in order (see :func:`untouched_violations`);
4. **idempotent**: after writing the outputs, a second run changes nothing and fails
   on nothing new.

What counts as a *touched region* (the checkable form of "code the tool did not need to
change is byte-identical"): each edit anchors at source lines (its span, or its line).
An anchor line is widened to the statement that owns it — a whole simple statement, or
the header (decorators … ``:``) of a compound one — because an edit may re-render the
statement it sits in (``await`` plus parentheses, a rewritten multi-line import); a
``ReplaceStatement`` also owns the blank and comment lines right above it (LibCST's
leading lines, removed with a removed statement); ``PrependStatement`` inserts before
the first statement of a def's body (after its docstring).
``AddImport`` edits may touch top-level ``from <module> import`` lines of their module
and insert lines anywhere up to the end of the module's last top-level import.
Original lines outside every region must be copied verbatim; new lines may only appear
next to a region (markers go above their statement) or in that import zone.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from flask2quart import edits as E
from flask2quart import engine
from flask2quart.analysis.project import decode, load_project

PHASE = 3  # every phase: includes whatever phase 2/3 rules exist

# Known violations by rules this suite does not own (each has a minimal reproducer in
# test_known_issues.py, marked xfail(strict=True)). The only tolerated form: the second
# run *inserts* nothing but ``# flask2quart: CODE`` marker lines of these codes; anything
# else is still a violation. Remove a code when its reproducer turns green.
KNOWN_ISSUES: dict[str, str] = {
    # (F2Q280 and F2Q382 second-run markers, found here, were fixed: their reproducers are
    # regression tests in test_known_issues.py)
}


def _only_known_markers(old: bytes, new: bytes) -> bool:
    import difflib
    import re

    if not KNOWN_ISSUES:
        return False
    marker = re.compile(rb"^\s*# flask2quart: (%s)\b" % b"|".join(c.encode() for c in KNOWN_ISSUES))
    a, b = old.splitlines(True), new.splitlines(True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag != "insert" or not all(marker.match(ln) for ln in b[j1:j2]):
            return False
    return True


@dataclass
class Outcome:
    files: int = 0
    changed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)        # (rel, first error line)
    compile_failures: list[str] = field(default_factory=list)          # rel: changed, does not compile
    compile_rejected: list[str] = field(default_factory=list)          # rel: the engine's check caught it
    not_idempotent: list[str] = field(default_factory=list)            # rel
    untouched_changed: list[tuple[str, str]] = field(default_factory=list)  # (rel, detail)
    tolerated: list[str] = field(default_factory=list)  # run 2 only added KNOWN_ISSUES markers
    second_run: list[str] = field(default_factory=list)                # what run 2 did
    crash: str | None = None                                           # engine.run raised


def _short_diff(old: bytes, new: bytes) -> str:
    import difflib

    return "".join(list(difflib.unified_diff(old.decode("utf-8", "replace").splitlines(True),
                                             new.decode("utf-8", "replace").splitlines(True), n=1))[:12])


def compiles(data: bytes) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<check>", "exec", dont_inherit=True)
            return True
        except (SyntaxError, ValueError):
            return False


# ---------------------------------------------------------------------- touched regions

def _own_ranges(tree: ast.Module) -> list[tuple[int, int]]:
    """(first, last) line of every statement's own lines: whole simple statements,
    decorators-to-colon headers of compound ones."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and body[0].lineno > node.lineno:
            end = body[0].lineno - 1
        else:
            end = node.end_lineno or node.lineno
        out.append((start, end))
    return out


def _anchor_lines(edit: E.Edit) -> list[int]:
    span = getattr(edit, "span", None)
    if span is not None:
        return list(range(span.line, span.end_line + 1))
    line = getattr(edit, "line", None)
    return [line] if line else []


def insertion_points(tree: ast.Module, script: list[E.Edit]) -> set[int]:
    """Lines before which an edit inserts new lines without touching the neighbours:
    ``PrependStatement`` goes first in a def's body (after its docstring)."""
    points: set[int] = set()
    prepend = {(e.line, e.name) for e in script if type(e).__name__ == "PrependStatement"}
    if not prepend:
        return points
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body and any(
                name == node.name and (line == node.lineno or any(d.lineno == line for d in node.decorator_list))
                for line, name in prepend):
            points.add(node.body[0].lineno)
            if len(node.body) > 1:
                points.add(node.body[1].lineno)
    return points


def touched(text: str, script: list[E.Edit]) -> tuple[set[int], int]:
    """(1-based original lines an edit may rewrite, last line of the import zone)."""
    tree = ast.parse(text)
    ranges = _own_ranges(tree)
    src_lines = text.splitlines()
    lines: set[int] = set()
    for edit in script:
        for anchor in _anchor_lines(edit):
            owners = [r for r in ranges if r[0] <= anchor <= r[1]]
            if owners:
                lo, hi = min(owners, key=lambda r: r[1] - r[0])
                if isinstance(edit, E.ReplaceStatement):
                    # a replaced/removed statement takes its leading blank and comment
                    # lines along (they belong to it in LibCST)
                    while lo > 1 and (not src_lines[lo - 2].strip() or src_lines[lo - 2].lstrip().startswith("#")):
                        lo -= 1
                lines.update(range(lo, hi + 1))
            else:
                lines.add(anchor)
    import_zone = 0
    add_modules = {e.module for e in script if isinstance(e, E.AddImport)}
    if add_modules:
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                import_zone = max(import_zone, node.end_lineno or node.lineno)
                if isinstance(node, ast.ImportFrom) and node.module in add_modules:
                    lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        import_zone = max(import_zone, 1)
    return lines, import_zone


def untouched_violations(old: bytes, new: bytes, text: str, script: list[E.Edit]) -> list[str]:
    """Violations of "original lines outside the touched regions survive verbatim".

    The untouched lines form maximal *runs* (split at every line of the import zone,
    where imports may be inserted). The new file must contain every run as a
    contiguous block, in order; new material can only sit between runs, i.e. next to a
    touched region or in the import zone. The first run must start the file unless a
    region or the import zone precedes it; likewise the last run must end it.
    Greedy earliest matching decides this exactly (as for subsequences).
    """
    lines, import_zone = touched(text, script)
    breaks = insertion_points(ast.parse(text), script)
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    runs: list[tuple[int, int]] = []  # [start, end) in a, 0-based
    i = 0
    while i < len(a):
        if i + 1 in lines:
            i += 1
            continue
        j = i + 1
        while i >= import_zone and j < len(a) and j + 1 not in lines and j + 1 not in breaks:
            j += 1
        runs.append((i, j))
        i = j
    problems = []
    pos = 0
    for k, (s, e) in enumerate(runs):
        block = a[s:e]
        must_start_here = (s == 0 and import_zone == 0) if k == 0 else False
        found = -1
        for j in range(pos, len(b) - len(block) + 1):
            if b[j] == block[0] and b[j:j + len(block)] == block:
                found = j
                break
            if must_start_here:
                break
        if found < 0:
            problems.append(f"original lines {s + 1}-{e} not found verbatim after output line {pos}: "
                            f"{block[:2]!r}")
            return problems
        pos = found + len(block)
    if runs and runs[-1][1] == len(a) and pos != len(b) and len(a) > import_zone:
        problems.append(f"lines appended after the last original line {len(a)}, away from every edit: "
                        f"{b[pos:pos + 2]!r}")
    return problems


# ---------------------------------------------------------------------- the check

def scripts_for(root: Path, phase: int = PHASE) -> dict[str, list[E.Edit] | str]:
    project = load_project([root])
    facts = engine.analyse(project, phase)
    return engine.plan(project, facts, phase, None)


def check_tree(root: Path, phase: int = PHASE, *, spans: bool = True, write: bool = True) -> Outcome:
    """Run the tool over ``root`` twice (writing in between) and collect every
    violation of the properties above (never raises for a property violation)."""
    out = Outcome()
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    try:
        result = engine.run([root], phase, select=None)
    except Exception as exc:  # noqa: BLE001 - the property is "never raises"
        import traceback

        out.crash = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        return out
    # run() writes nothing
    after = {p: p.read_bytes() for p in before}
    assert after == before, "engine.run wrote to the tree"
    out.files = len(result.files)
    script_of = scripts_for(root, phase) if spans else {}
    for f in result.files:
        if f.status == "failed":
            out.failed.append((f.rel, (f.error or "no error message").splitlines()[0]))
            if f.error and ("<migrated>" in f.error.splitlines()[0] or f.error.startswith("SyntaxError")):
                out.compile_rejected.append(f.rel)  # caught by the engine: reported, untouched
            if f.new and f.new != f.old:
                out.untouched_changed.append((f.rel, "failed file has new bytes"))
            continue
        if f.status == "unchanged":
            if f.new != f.old:
                out.untouched_changed.append((f.rel, "unchanged file's output differs"))
            continue
        if f.status != "changed":
            continue
        out.changed += 1
        if f.rel.endswith(".py") and not compiles(f.new):
            out.compile_failures.append(f.rel)
            continue
        script = script_of.get(f.rel)
        if spans and f.rel.endswith(".py") and isinstance(script, list):
            text, _ = decode(f.old)
            for problem in untouched_violations(f.old, f.new, text, script):
                out.untouched_changed.append((f.rel, problem))
    if not write:
        return out
    for f in result.changed:
        f.path.write_bytes(f.new)
    again = engine.run([root], phase, select=None)
    failed_first = {rel for rel, _ in out.failed}
    for f in again.files:
        if f.status == "changed" and _only_known_markers(f.old, f.new):
            out.tolerated.append(f.rel)
        elif f.status == "changed" or (f.status == "failed" and f.rel not in failed_first):
            out.not_idempotent.append(f.rel)
            out.second_run.append(f.error or _short_diff(f.old, f.new))
    return out


# A refusal, not a crash: the file is reported and left untouched (see engine.transform_source).
ROUND_TRIP_REFUSAL = "ValueError: LibCST does not reproduce this file"


def assert_safe(out: Outcome, *, allow_failed: bool = False, allow: tuple[str, ...] = ()) -> None:
    assert out.crash is None, out.crash
    assert not out.compile_failures, out.compile_failures
    assert not out.untouched_changed, out.untouched_changed
    assert not out.not_idempotent, (out.not_idempotent, out.second_run)
    if not allow_failed:
        unexpected = [(rel, err) for rel, err in out.failed if not err.startswith(allow or ("\0",))]
        assert not unexpected, unexpected
