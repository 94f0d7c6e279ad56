"""Apply an edit script to one module in a single LibCST pass.

The applier knows nothing about Flask or Quart: it finds nodes by span and
performs the mechanical edit (await, async def, rename a keyword, …). Every
decision was made by analysis; see :mod:`flask2quart.edits`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from flask2quart import edits as E

_EMPTY_MODULE = cst.Module(body=[])


class ApplyError(Exception):
    """An edit could not be placed: the file is left untouched and reported."""


def _dotted(name: str) -> cst.BaseExpression:
    parts = name.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for p in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(p))
    return node


def _needs_parens(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Await) and not expr.lpar


def _paren(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


_PRUNABLE = (cst.BaseExpression, cst.SimpleStatementLine, cst.BaseSmallStatement)


def positions(module: cst.Module) -> tuple[dict[cst.CSTNode, cst.metadata.CodeRange], str]:
    """LibCST's ``PositionProvider`` range of every node of ``module``, and the code that
    pass printed (``module.code``).

    This is the provider's own codegen pass, run directly: ``MetadataWrapper`` would walk the
    whole tree once more for batchable providers even when there are none, copy the mapping,
    and the caller would print the module a second time to check that it round-trips.
    ``tests/test_apply_positions.py`` checks both results against LibCST's public API."""
    provider = PositionProvider()
    state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                          default_newline=module.default_newline,
                                          provider=provider)
    module._codegen(state)
    return provider._computed, "".join(state.tokens)


class _Applier(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, script: Sequence[E.Edit], positions: dict[cst.CSTNode, cst.metadata.CodeRange],
                 line_offset: int = 0, segment: bool = False):
        super().__init__()
        self.metadata = {PositionProvider: positions}  # what MetadataWrapper would resolve
        self._positions = positions
        #: the module being visited is lines ``line_offset + 1 ...`` of the file (a segment:
        #: see :mod:`flask2quart.segments`); every position read is shifted by it
        self.line_offset = line_offset
        #: a segment that does not start the file: its header lines are, in the whole file,
        #: the leading lines of its first statement (removing that statement is refused)
        self.segment = segment
        self._first: cst.CSTNode | None = None
        self._header_comments: set[str] = set()
        self.awaits: set[E.Span] = set()
        self.replaces: dict[E.Span, E.Replace] = {}
        self.call_edits: dict[E.Span, list[E.Edit]] = defaultdict(list)
        self.async_defs: set[tuple[int, str]] = set()
        self.def_edits: dict[tuple[int, str], list[E.Edit]] = defaultdict(list)
        self.decorators: dict[tuple[int, str], list[str]] = defaultdict(list)
        self.async_withs: set[tuple[int, int]] = set()
        self.async_fors: set[tuple[int, int]] = set()
        self.statements: dict[int, E.ReplaceStatement] = {}
        self.markers: dict[int, list[E.Marker]] = defaultdict(list)
        self.imports: list[E.AddImport] = []
        self.rewrites: dict[tuple[int, int], E.RewriteImport] = {}
        self.sub_spans: set[E.Span] = set()
        self.sub_code: dict[E.Span, str] = {}
        for e in script:
            if isinstance(e, E.Await):
                self.awaits.add(e.span)
            elif isinstance(e, E.Replace):
                self.replaces[e.span] = e
                self.sub_spans.update(s for _, s in e.subs)
            elif isinstance(e, (E.RenameKeyword, E.AddKeyword)):
                self.call_edits[e.span].append(e)
            elif isinstance(e, E.MakeAsync):
                self.async_defs.add((e.line, e.name))
            elif isinstance(e, (E.RemoveParam, E.PrependStatement)):
                if e not in self.def_edits[(e.line, e.name)]:
                    self.def_edits[(e.line, e.name)].append(e)
            elif isinstance(e, E.AddDecorator):
                if e.decorator not in self.decorators[(e.line, e.name)]:
                    self.decorators[(e.line, e.name)].append(e.decorator)
            elif isinstance(e, E.AsyncWith):
                self.async_withs.add((e.line, e.col))
            elif isinstance(e, E.AsyncFor):
                self.async_fors.add((e.line, e.col))
            elif isinstance(e, E.ReplaceStatement):
                self.statements[e.line] = e
                self.sub_spans.update(s for _, s in e.subs)
            elif isinstance(e, E.Marker):
                self.markers[e.line].append(e)
            elif isinstance(e, E.AddImport):
                self.imports.append(e)
            elif isinstance(e, E.RewriteImport):
                self.rewrites[(e.line, e.col)] = e
            else:  # pragma: no cover - a new edit type without an applier
                raise ApplyError(f"no applier for {type(e).__name__}")
        #: lines where an edit is placed (sorted): subtrees without one are not walked
        lines = set()
        for e in script:
            line = E.edit_line(e)
            if line is not None:
                lines.add(line)
            lines.update(s.line for _, s in getattr(e, "subs", ()))
        self._lines = sorted(lines)
        self.placed = 0
        self.pending = (
            len(self.awaits) + len(self.replaces) + len(self.call_edits) + len(self.async_defs)
            + len(self.async_withs) + len(self.statements) + len(self.markers)
            + len(self.rewrites) + len(self.async_fors) + len(self.def_edits)
        )

    # -- helpers ---------------------------------------------------------------
    def _range(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of ``node`` in the file."""
        r = self._positions[node]
        off = self.line_offset
        return r.start.line + off, r.start.column, r.end.line + off, r.end.column

    def _pos(self, node: cst.CSTNode) -> E.Span:
        return E.Span(*self._range(node))

    def on_visit(self, node: cst.CSTNode) -> bool:
        # only expressions and simple statements are skipped: a compound statement's or a
        # block's position starts after the decorators it holds (at the `def`/`class`)
        if isinstance(node, _PRUNABLE):
            r = self._positions.get(node)
            if r is not None:
                lines, off = self._lines, self.line_offset
                i = bisect_left(lines, r.start.line + off)
                if i == len(lines) or lines[i] > r.end.line + off:
                    return False  # no edit below: its on_leave still runs, its children do not
        return super().on_visit(node)

    def visit_Module(self, node: cst.Module) -> None:
        # a file's first statement has no leading lines of its own: the comments above it
        # are the module header (markers placed there by a previous run are found there)
        self._first = node.body[0] if node.body else None
        self._header_comments = {ln.comment.value for ln in node.header if ln.comment}

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, cst.BaseExpression) and self.sub_spans:
            span = self._pos(original_node)
            if span in self.sub_spans and isinstance(result, cst.CSTNode):
                self.sub_code[span] = _EMPTY_MODULE.code_for_node(result)
        if isinstance(original_node, cst.BaseExpression) and (self.awaits or self.replaces):
            span = self._pos(original_node)
            if span in self.replaces and isinstance(result, cst.BaseExpression):
                result = self._replace(result, self.replaces.pop(span))
            if span in self.awaits and isinstance(result, cst.BaseExpression):
                self.awaits.discard(span)
                self.placed += 1
                result = cst.Await(
                    expression=result.with_changes(lpar=[], rpar=[]),
                    lpar=list(result.lpar),
                    rpar=list(result.rpar),
                )
            if span in self.sub_spans and isinstance(result, cst.CSTNode):
                # enclosing templates see this node as rewritten (a template that refers
                # to its own span used the value recorded before the rewrite, above)
                self.sub_code[span] = _EMPTY_MODULE.code_for_node(result)
        return result

    def _fill(self, template: str, subs) -> str:
        values = {}
        for name, span in subs:
            if span not in self.sub_code:
                raise ApplyError(f"sub-expression {name} at {span} not found")
            values[name] = self.sub_code[span]
        return template.format(**values)

    def _replace(self, node: cst.BaseExpression, edit: E.Replace) -> cst.BaseExpression:
        self.placed += 1
        new = cst.parse_expression(self._fill(edit.template, edit.subs))
        if node.lpar:
            new = new.with_changes(lpar=list(node.lpar), rpar=list(node.rpar))
        return new

    # -- precedence: an await used as a primary needs parentheses --------------
    def leave_Attribute(self, original_node, updated_node):
        if _needs_parens(updated_node.value):
            return updated_node.with_changes(value=_paren(updated_node.value))
        return updated_node

    def leave_Subscript(self, original_node, updated_node):
        if _needs_parens(updated_node.value):
            return updated_node.with_changes(value=_paren(updated_node.value))
        return updated_node

    def leave_Call(self, original_node, updated_node):
        if _needs_parens(updated_node.func):
            updated_node = updated_node.with_changes(func=_paren(updated_node.func))
        edits = self.call_edits.pop(self._pos(original_node), None)
        if edits:
            self.placed += 1
            args = list(updated_node.args)
            for e in edits:
                if isinstance(e, E.RenameKeyword):
                    args = [
                        a.with_changes(keyword=cst.Name(e.new))
                        if a.keyword is not None and a.keyword.value == e.old else a
                        for a in args
                    ]
                elif isinstance(e, E.AddKeyword):
                    if any(a.keyword is not None and a.keyword.value == e.name for a in args):
                        continue
                    if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
                        args[-1] = args[-1].with_changes(
                            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                        )
                    args.append(
                        cst.Arg(
                            keyword=cst.Name(e.name),
                            value=cst.parse_expression(e.value),
                            equal=cst.AssignEqual(
                                whitespace_before=cst.SimpleWhitespace(""),
                                whitespace_after=cst.SimpleWhitespace(""),
                            ),
                        )
                    )
            updated_node = updated_node.with_changes(args=args)
        return updated_node

    # -- imports ------------------------------------------------------------------
    def _rewrite_for(self, node) -> E.RewriteImport | None:
        line, col, _, _ = self._range(node)
        return self.rewrites.pop((line, col), None)

    def leave_ImportFrom(self, original_node, updated_node):
        edit = self._rewrite_for(original_node)
        if edit is None:
            return updated_node
        self.placed += 1
        renames = dict(edit.names)
        if edit.module is not None:
            updated_node = updated_node.with_changes(module=_dotted(edit.module))
        if not isinstance(updated_node.names, cst.ImportStar):
            updated_node = updated_node.with_changes(names=[
                a.with_changes(name=_dotted(renames[_EMPTY_MODULE.code_for_node(a.name)]))
                if _EMPTY_MODULE.code_for_node(a.name) in renames else a
                for a in updated_node.names
            ])
        return updated_node

    def leave_Import(self, original_node, updated_node):
        edit = self._rewrite_for(original_node)
        if edit is None:
            return updated_node
        self.placed += 1
        renames = dict(edit.names)
        return updated_node.with_changes(names=[
            a.with_changes(name=_dotted(renames[_EMPTY_MODULE.code_for_node(a.name)]))
            if _EMPTY_MODULE.code_for_node(a.name) in renames else a
            for a in updated_node.names
        ])

    # -- definitions and statements ---------------------------------------------
    def leave_FunctionDef(self, original_node, updated_node):
        line = self._range(original_node)[0]
        key = (line, original_node.name.value)
        if key in self.async_defs:
            self.async_defs.discard(key)
            self.placed += 1
            if updated_node.asynchronous is None:
                updated_node = updated_node.with_changes(asynchronous=cst.Asynchronous())
        for edit in self.def_edits.pop(key, ()):
            self.placed += 1
            updated_node = _def_edit(updated_node, edit)
        extra = self.decorators.pop(key, None)
        if extra:
            have = {_EMPTY_MODULE.code_for_node(d.decorator) for d in updated_node.decorators}
            new = [cst.Decorator(cst.parse_expression(d)) for d in extra if d not in have]
            updated_node = updated_node.with_changes(
                decorators=[*updated_node.decorators, *new]
            )
        return self._mark(original_node, updated_node)

    def leave_With(self, original_node, updated_node):
        line, col, _, _ = self._range(original_node)
        if (line, col) in self.async_withs:
            self.async_withs.discard((line, col))
            self.placed += 1
            if updated_node.asynchronous is None:
                updated_node = updated_node.with_changes(asynchronous=cst.Asynchronous())
        return self._mark(original_node, updated_node)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        edit = self.statements.pop(self._range(original_node)[0], None)
        result = self._mark(original_node, updated_node)
        if edit is None:
            return result
        self.placed += 1
        if edit.template == "":  # an empty template removes the statement (moved elsewhere)
            if self.segment and original_node is self._first:
                # its leading lines are this segment's header: they would stay behind
                raise ApplyError("removes the first statement of a segment")
            return cst.RemoveFromParent()
        text = self._fill(edit.template, edit.subs)
        body = cst.parse_module(text).body
        if not body:
            raise ApplyError(f"empty statement template at line {edit.line}")
        # blank lines opening the template are kept after the statement's own leading lines
        blank = [cst.EmptyLine() for _ in range(len(text) - len(text.lstrip("\n")))]
        first = body[0].with_changes(leading_lines=[*result.leading_lines, *blank])
        return cst.FlattenSentinel([first, *body[1:]])

    def _mark(self, original_node, updated_node):
        if not self.markers:
            return updated_node
        start, _, end, _ = self._range(original_node)
        if isinstance(original_node, cst.SimpleStatementLine):
            last = end
        else:  # compound statement: its header line(s)
            last = self._range(original_node.body)[0]
        found = [m for ln in range(start, last + 1) for m in self.markers.pop(ln, ())]
        if not found:
            return updated_node
        self.placed += len({m.line for m in found})
        existing = {ll.comment.value for ll in updated_node.leading_lines if ll.comment}
        if original_node is self._first:
            existing |= self._header_comments
        lines = list(updated_node.leading_lines)
        for m in found:
            text = E.marker_comment(m.code, m.message)
            if not any(c.startswith(f"{E.MARKER_PREFIX} {m.code}") for c in existing):
                lines.append(cst.EmptyLine(comment=cst.Comment(text)))
                existing.add(text)
        return updated_node.with_changes(leading_lines=lines)

    def leave_If(self, o, u):
        return self._mark(o, u)

    def leave_For(self, o, u):
        line, col, _, _ = self._range(o)
        if (line, col) in self.async_fors:
            self.async_fors.discard((line, col))
            self.placed += 1
            if u.asynchronous is None:
                u = u.with_changes(asynchronous=cst.Asynchronous())
        return self._mark(o, u)

    def leave_While(self, o, u):
        return self._mark(o, u)

    def leave_Try(self, o, u):
        return self._mark(o, u)

    def leave_ClassDef(self, o, u):
        return self._mark(o, u)


def _def_edit(node: cst.FunctionDef, edit: E.Edit) -> cst.FunctionDef:
    """Apply a RemoveParam / PrependStatement to one def."""
    if isinstance(edit, E.RemoveParam):  # a positional parameter (posonly or regular)
        params = node.params
        for field in ("posonly_params", "params"):
            group = list(getattr(params, field))
            names = [p.name.value for p in group]
            if edit.param not in names:
                continue
            i = names.index(edit.param)
            del group[i]
            if group and i == len(group):  # the last one went: the new last has no comma
                group[-1] = group[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            changes: dict = {field: group}
            if field == "posonly_params" and not group:
                changes["posonly_ind"] = cst.MaybeSentinel.DEFAULT
            return node.with_changes(params=params.with_changes(**changes))
        raise ApplyError(f"no positional parameter {edit.param} in def {node.name.value}")
    assert isinstance(edit, E.PrependStatement)
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        raise ApplyError(f"def {node.name.value}: one-line body")
    stmts = list(body.body)
    at = 1 if stmts and _is_docstring(stmts[0]) else 0
    new = cst.parse_statement(edit.statement)
    if _EMPTY_MODULE.code_for_node(new).strip() in {
            _EMPTY_MODULE.code_for_node(s.with_changes(leading_lines=[])).strip()
            for s in stmts[at:at + 1]}:
        return node  # already there (second run)
    if at < len(stmts):  # comments above the old first statement stay above the new one
        new = new.with_changes(leading_lines=stmts[at].leading_lines)
        stmts[at] = stmts[at].with_changes(leading_lines=[])
    stmts.insert(at, new)
    return node.with_changes(body=body.with_changes(body=stmts))


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def apply_edits(module: cst.Module, script: Sequence[E.Edit], *, line_offset: int = 0,
                segment: bool = False, truncated: bool = False, source: str | None = None) -> cst.Module:
    """Return ``module`` with every edit applied; raise ApplyError if one cannot be placed,
    or if ``module`` does not print back to ``source`` when that is given.

    ``module`` may be a segment of a file (lines ``line_offset + 1 ...``; ``segment`` when
    it does not start the file, ``truncated`` when it does not end it): the edits'
    positions are the file's. Imports are added to a truncated module only when its
    leading import block (where they go) ends inside it."""
    where, code = positions(module)
    if source is not None and code != source:
        raise ApplyError("LibCST does not print this code back byte for byte")
    applier = _Applier(script, where, line_offset, segment)
    new = module.visit(applier)
    leftovers = (
        len(applier.awaits) + len(applier.replaces) + len(applier.call_edits)
        + len(applier.async_defs) + len(applier.async_withs) + len(applier.statements)
        + len(applier.markers) + len(applier.rewrites) + len(applier.async_fors)
        + len(applier.def_edits)
    )
    if leftovers:
        raise ApplyError(
            f"{leftovers} edit(s) could not be placed: "
            + ", ".join(
                repr(x)
                for x in [*applier.awaits, *applier.replaces, *applier.call_edits,
                          *applier.async_defs, *applier.async_withs, *applier.statements,
                          *applier.markers, *applier.rewrites, *applier.async_fors,
                          *applier.def_edits][:5]
            )
        )
    if applier.imports:
        if segment:
            raise ApplyError("imports are added to the segment that starts the file")
        if truncated and _import_block_reaches_end(new):
            raise ApplyError("the leading import block goes on after this segment")
        ctx = CodemodContext()
        for imp in applier.imports:
            if imp.name is None:
                AddImportsVisitor.add_needed_import(ctx, imp.module)
            else:
                AddImportsVisitor.add_needed_import(ctx, imp.module, imp.name)
        new = new.visit(_TopLevelAddImports(ctx))
    return new


def _import_block_reaches_end(module: cst.Module) -> bool:
    """Whether the statements ``AddImportsVisitor`` reads and changes (an optional docstring,
    the leading ``import`` lines and the statement after them) run to the module's end."""
    body = module.body
    i = 1 if body and _opens_with_docstring(body[0]) else 0
    while i < len(body) and _is_import_line(body[i]):
        i += 1
    return i >= len(body)


def _opens_with_docstring(stmt: cst.BaseStatement) -> bool:
    """LibCST's ``_skip_first``: a docstring or ``__strict__ = ...`` first statement (a
    superset is fine here: it only decides whether a segment is long enough)."""
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
        stmt.body[0], (cst.Expr, cst.Assign))


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
        stmt.body[0], (cst.Import, cst.ImportFrom))


class _TopLevelAddImports(AddImportsVisitor):
    """LibCST's ``AddImportsVisitor`` without the walk through every node: it only reads and
    changes module-level import statements (and the module), so nothing below a top-level
    statement is visited. Same output as ``AddImportsVisitor(ctx).transform_module`` (which
    also deep-copies the module for metadata it does not declare), at a fraction of the cost."""

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Module, cst.SimpleStatementLine, cst.Import, cst.ImportFrom)):
            return super().on_visit(node)
        return False

    def visit_Module(self, node: cst.Module) -> None:
        # LibCST's visit_Module walks the whole module with a gatherer that only reads the
        # leading statements (docstring, import lines, the first statement after them):
        # give it just those
        body = node.body
        i = 1
        while i < len(body) and _is_import_line(body[i]):
            i += 1
        super().visit_Module(node.with_changes(body=body[:i + 1]))

    def on_leave(self, original_node, updated_node):
        if isinstance(original_node, (cst.Module, cst.SimpleStatementLine, cst.Import,
                                      cst.ImportFrom)):
            return super().on_leave(original_node, updated_node)
        return updated_node
