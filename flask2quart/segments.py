"""Transform only the top-level statements of a file that carry edits.

LibCST's parse, position metadata and transformer cost grows with the whole file, while an
edit script usually touches a few of its functions. A file is cut at line boundaries between
its top-level statements (the cut points come from the ``ast`` tree the analysis already
has); each run of consecutive statements holding an edit is parsed, transformed and printed
on its own, and spliced back between the untouched lines, which are copied byte for byte.

The cut is exact: a segment is a complete sequence of top-level statements (with the
comments and blank lines above them), so LibCST sees the same nodes it would see in the
whole module, and :class:`flask2quart.apply._Applier` shifts every position by the
segment's first line. Whenever the cut could change the result, :func:`transform` returns
``None`` and the caller transforms the whole module instead:

- a segment that LibCST does not print back byte for byte, whose first line ending is
  not the file's first, or whose indented blocks use another default indent than the
  file's first indent (new code would be indented differently);
- lone ``\\r`` line endings (line numbers could disagree with ``ast``'s);
- an edit outside every statement, an import to add whose insertion point (after the
  leading import block) is not inside the first segment, or the removal of a segment's
  first statement (its leading comments are the segment's header);
- any error: the whole-module transform reports it as before.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from bisect import bisect_left
from dataclasses import dataclass
from typing import Sequence

from flask2quart import edits as E

_NEWLINE_RE = re.compile(r"\r\n?|\n")  # LibCST's rule for a module's default newline


@dataclass(frozen=True)
class Layout:
    """Where a module may be cut: ``ends[i]`` is the last line of top-level statement group
    ``i`` (statements sharing a line form one group); ``imports_upto`` is the last group
    ``AddImportsVisitor`` may read or change (docstring, leading imports, one statement)."""

    ends: tuple[int, ...]
    imports_upto: int


def layout(tree: ast.Module) -> Layout | None:
    """The cut points of a parsed module, or None when it has no statement."""
    ends: list[int] = []
    pure_import: list[bool] = []
    for st in tree.body:
        start = min([st.lineno, *(d.lineno for d in getattr(st, "decorator_list", ()))])
        end = st.end_lineno or st.lineno
        if ends and start <= ends[-1]:  # `a = 1; b = 2`: one line, one group
            ends[-1] = max(ends[-1], end)
            pure_import[-1] = False
        else:
            ends.append(end)
            pure_import.append(isinstance(st, (ast.Import, ast.ImportFrom)))
    if not ends:
        return None
    upto = len(ends) - 1
    for i in range(1, len(ends)):
        if not pure_import[i]:
            upto = i
            break
    return Layout(tuple(ends), upto)


def _split_lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _default_indent(text: str) -> str | None:
    """The file's first INDENT, as LibCST detects it (``"    "`` when there is none)."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.INDENT:
                return tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return "    "


def transform(raw: bytes, script: Sequence[E.Edit], lay: Layout | None) -> bytes | None:
    """``raw`` with ``script`` applied segment by segment, or None (see the module doc)."""
    import libcst as cst

    from flask2quart.apply import apply_edits

    if lay is None or not script:
        return None
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
        text = raw.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if "\r" in text.replace("\r\n", ""):
        return None
    ends = lay.ends
    groups: dict[int, list[E.Edit]] = {}
    needs_imports = False
    for e in script:
        if isinstance(e, E.AddImport):
            needs_imports = True
            continue
        line = E.edit_line(e)
        if line is None:
            return None
        g = bisect_left(ends, line)
        if g >= len(ends):
            return None
        groups.setdefault(g, []).append(e)
    wanted = set(groups)
    if needs_imports:
        wanted.update(range(lay.imports_upto + 1))
    lines = _split_lines(text)
    if ends[-1] > len(lines):
        return None
    m = _NEWLINE_RE.search(text)
    newline = m.group(0) if m else "\n"
    indent = None  # computed on first use

    out: list[str] = []
    done = 0  # lines of the file already in ``out``
    runs: list[list[int]] = []
    for g in sorted(wanted):
        if runs and runs[-1][-1] == g - 1:
            runs[-1].append(g)
        else:
            runs.append([g])
    try:
        for run in runs:
            first = ends[run[0] - 1] if run[0] > 0 else 0  # lines before the segment
            last = ends[run[-1]]
            seg_text = "".join(lines[first:last])
            module = cst.parse_module(seg_text)
            if indent is None:
                indent = _default_indent(text)
                if indent is None:
                    return None
            if module.default_newline != newline:
                return None
            if module.default_indent != indent:
                if any(isinstance(st, cst.BaseCompoundStatement) for st in module.body):
                    return None  # its blocks were parsed against another default indent
                module = module.with_changes(default_indent=indent)  # for new blocks only
            seg_script = [e for g in run for e in groups.get(g, ())]
            if run[0] == 0 and needs_imports:
                seg_script += [e for e in script if isinstance(e, E.AddImport)]
            new = apply_edits(module, seg_script, line_offset=first, segment=first > 0,
                              truncated=last < len(lines), source=seg_text)
            out.append("".join(lines[done:first]))
            out.append(new.code)
            done = last
    except Exception:  # noqa: BLE001 - the whole-module path reports it properly
        return None
    out.append("".join(lines[done:]))
    try:
        return "".join(out).encode(encoding)
    except UnicodeEncodeError:
        return None
