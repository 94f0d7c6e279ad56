"""The edit vocabulary: what analysis decides, and the applier writes.

Detectors (``codemods/phaseN/*.py``) look at the stdlib ``ast`` of a module plus
whole-project facts and emit edits. Every edit points at source by *span*
(line, column, end line, end column; columns in characters, 1-based lines), the
same coordinates LibCST's ``PositionProvider`` reports, so the applier can find
the node in one pass over the LibCST tree without re-deriving any fact.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int


class LineIndex:
    """Converts ast byte offsets into character columns (LibCST's unit)."""

    def __init__(self, source: str):
        self._lines = source.splitlines(keepends=True)
        self._ascii = [ln.isascii() for ln in self._lines]

    def col(self, line: int, byte_col: int) -> int:
        if line - 1 >= len(self._lines) or self._ascii[line - 1]:
            return byte_col
        return len(self._lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> Span:
        return Span(
            node.lineno,
            self.col(node.lineno, node.col_offset),
            node.end_lineno,
            self.col(node.end_lineno, node.end_col_offset),
        )

    def line_text(self, line: int) -> str:
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""


@dataclass(frozen=True)
class Edit:
    """Base class. ``code`` is the rule that asked for the edit."""

    code: str


@dataclass(frozen=True)
class Await(Edit):
    """Wrap the expression at ``span`` in ``await`` (parenthesised where precedence needs it)."""

    span: Span


@dataclass(frozen=True)
class MakeAsync(Edit):
    """``def name`` on ``line`` becomes ``async def``."""

    line: int
    name: str


@dataclass(frozen=True)
class RemoveParam(Edit):
    """Remove parameter ``param`` from the signature of def ``name`` on ``line``."""

    line: int
    name: str
    param: str


@dataclass(frozen=True)
class PrependStatement(Edit):
    """Insert ``statement`` (source text, one simple statement) as the first statement of the
    body of def ``name`` on ``line`` (after its docstring)."""

    line: int
    name: str
    statement: str


@dataclass(frozen=True)
class AsyncWith(Edit):
    """The ``with`` statement starting at ``line`` becomes ``async with``."""

    line: int
    col: int


@dataclass(frozen=True)
class AsyncFor(Edit):
    """The ``for`` statement starting at (line, col) becomes ``async for``."""

    line: int
    col: int


@dataclass(frozen=True)
class Replace(Edit):
    """Replace the expression at ``span`` by ``template``.

    ``{name}`` placeholders in the template are filled with the original source of
    the sub-expressions at the given spans (so their comments/formatting survive).
    """

    span: Span
    template: str
    subs: tuple[tuple[str, Span], ...] = ()


@dataclass(frozen=True)
class RenameKeyword(Edit):
    """In the call at ``span``, keyword ``old=`` becomes ``new=``."""

    span: Span
    old: str
    new: str


@dataclass(frozen=True)
class AddKeyword(Edit):
    """Append ``name=value`` to the call at ``span`` (value is source text)."""

    span: Span
    name: str
    value: str


@dataclass(frozen=True)
class ReplaceStatement(Edit):
    """Replace the simple statement line starting at ``line`` with ``template`` lines.

    Placeholders are filled like :class:`Replace`. The statement's own leading
    comments are kept; indentation follows the block. An empty template removes the
    statement (its code was moved into another template through ``subs``); blank lines that open
    the template are kept.
    """

    line: int
    template: str
    subs: tuple[tuple[str, Span], ...] = ()


@dataclass(frozen=True)
class AddDecorator(Edit):
    """Add ``@decorator`` (source text) to def ``name`` at ``line``, innermost position."""

    line: int
    name: str
    decorator: str


@dataclass(frozen=True)
class AddImport(Edit):
    """Ensure ``import module`` (name None) or ``from module import name``."""

    module: str
    name: str | None = None


@dataclass(frozen=True)
class RewriteImport(Edit):
    """Rewrite the import statement at (line, col).

    ``module``: new module for ``from X import ...`` (None: unchanged);
    ``names``: old imported name → new name (``Flask`` → ``Quart``; for ``import a.b``
    statements the dotted module names).
    """

    line: int
    col: int
    module: str | None
    names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Marker(Edit):
    """Leave ``# flask2quart: CODE message`` above the statement holding ``line``."""

    line: int
    message: str


@dataclass
class FileEdits:
    """All edits for one file, plus non-Python outputs of the analysis."""

    edits: list[Edit] = field(default_factory=list)

    def add(self, edit: Edit) -> None:
        self.edits.append(edit)

    def __bool__(self) -> bool:
        return bool(self.edits)


MARKER_PREFIX = "# flask2quart:"


def edit_line(e: Edit) -> int | None:
    """The line an edit is placed at (its span's first line), None for file-level edits
    (:class:`AddImport`)."""
    span = getattr(e, "span", None)
    return span.line if span is not None else getattr(e, "line", None)


def marker_comment(code: str, message: str) -> str:
    return f"{MARKER_PREFIX} {code} {message}".rstrip()
