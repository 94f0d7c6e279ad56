"""F2Q108: ``send_file`` / ``send_from_directory`` keyword differences.

Quart kept the pre-Flask-2.0 names (quart/helpers.py:264,304; flask/helpers.py:407,533):
``download_name``→``attachment_filename``, ``max_age``→``cache_timeout``, ``etag``→
``add_etags``, ``path``→``file_name``; Flask's ``send_file`` defaults ``conditional=True``,
Quart's to False, so it is passed explicitly. Facts: ``catalogue.SEND_FILE_*``.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.rules import Example, marker, rule

SEND_FILE_MANUAL = marker(
    "F2Q194", "send-file-manual", 1,
    "A send_file/send_from_directory argument has no mechanical Quart form",
    "Quart's positional order differs after the 3rd argument, `max_age`/`etag` only take an "
    "int/bool, and file objects must be `io.BytesIO`. Check the call by hand.",
)


@rule(
    "F2Q108", "send-file-arguments", 1,
    "Translate send_file/send_from_directory keywords to Quart's names and keep Flask's defaults",
    examples=(Example(
        "return send_file(path, as_attachment=True, download_name='r.csv', max_age=60)\n",
        "return await send_file(path, as_attachment=True, attachment_filename='r.csv', cache_timeout=60, conditional=True)\n",
    ),),
)
class SendFileArguments(Rule):
    """Renames keywords; passes ``conditional=True`` where Flask relied on its default."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        for scope in ctx.scopes():
            for node in index.own_nodes(scope):
                if not isinstance(node, ast.Call):
                    continue
                canon = index.canonical(node.func, ctx.eval_scope(scope, node))
                if canon == C.SEND_FILE:
                    table, safe_pos = C.SEND_FILE_KWARGS, C.SEND_FILE_SAFE_POSITIONAL
                elif canon == C.SEND_FROM_DIRECTORY:
                    table, safe_pos = C.SEND_FROM_DIRECTORY_KWARGS, C.SEND_FROM_DIRECTORY_SAFE_POSITIONAL
                else:
                    continue
                span = ctx.span(node)
                problems = []
                if len(node.args) > safe_pos:
                    problems.append("positional arguments after the first "
                                    f"{safe_pos} mean something else in Quart")
                if canon == C.SEND_FILE and node.args and _is_open_call(node.args[0], index, scope):
                    problems.append("Quart's send_file takes a path or io.BytesIO, not an open file")
                for kw in node.keywords:
                    if kw.arg not in table:
                        continue
                    new = table[kw.arg]
                    if new is None:
                        problems.append(f"`{kw.arg}=` has no Quart equivalent")
                        continue
                    if kw.arg == "max_age" and isinstance(kw.value, (ast.Lambda, ast.Name)) \
                            and not _is_int_name(kw.value, index, scope):
                        problems.append("`max_age` callables are not supported by Quart")
                        continue
                    if kw.arg == "etag" and isinstance(kw.value, ast.Constant) \
                            and isinstance(kw.value.value, str):
                        problems.append("Quart's `add_etags` takes a bool, not an ETag string")
                        continue
                    yield E.RenameKeyword(self.info.code, span, kw.arg, new)
                if canon == C.SEND_FILE:
                    for name, value in C.SEND_FILE_DEFAULTS_TO_KEEP.items():
                        if not any(k.arg == name for k in node.keywords) and not any(
                                k.arg is None for k in node.keywords):
                            yield E.AddKeyword(self.info.code, span, name, value)
                if problems:
                    yield E.Marker(SEND_FILE_MANUAL.code, node.lineno, "; ".join(problems))


def _is_open_call(expr: ast.expr, index, scope) -> bool:
    return isinstance(expr, ast.Call) and index.qualify(expr.func, scope) in (
        "builtins.open", "io.open")


def _is_int_name(expr: ast.expr, index, scope) -> bool:
    if isinstance(expr, ast.Name):
        found = index.lookup(expr.id, scope)
        return bool(found) and found[1].kind in ("assign", "param")
    return False
