"""Random but valid mutations of Flask modules, with LibCST (formatting-preserving).

Each mutation takes module source and a ``random.Random`` and returns new source that
still compiles (callers check, and drop the rare mutation that does not). They mimic
how real Flask code differs from our fixtures: other names, other order, views inside
classes, extra decorators, comments and blank lines everywhere, and every spelling of
the Flask import.
"""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst

from tests.helpers import FIXTURES

# Flask names whose references keep meaning across the ``import flask`` swap.
FLASK_MODULES = ("flask",)


def flask_modules() -> list[tuple[str, str]]:
    """(name, source) of every Python module under fixtures/apps and fixtures/cases
    (the "before" side) that mentions Flask."""
    out = []
    roots = [FIXTURES / "apps", FIXTURES / "cases"]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "after" in path.parts or "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "flask" in text.lower():
                out.append((path.relative_to(FIXTURES).as_posix(), text))
    return out


def flask_projects() -> list[Path]:
    """Multi-module fixture trees: every app and every case's ``before`` tree."""
    return sorted((FIXTURES / "apps").iterdir()) + sorted((FIXTURES / "cases").glob("*/*/before"))


# ---------------------------------------------------------------------- helpers

def _top_defs(module: cst.Module) -> list[int]:
    return [i for i, s in enumerate(module.body) if isinstance(s, (cst.FunctionDef, cst.ClassDef))]


def _defined_names(module: cst.Module) -> list[str]:
    names = []
    for s in module.body:
        if isinstance(s, (cst.FunctionDef, cst.ClassDef)):
            names.append(s.name.value)
        elif isinstance(s, cst.SimpleStatementLine):
            for small in s.body:
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            names.append(t.target.value)
    return [n for n in names if not n.startswith("__")]


class _Rename(cst.CSTTransformer):
    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def leave_Name(self, original, updated):
        return updated.with_changes(value=self.new) if updated.value == self.old else updated


# ---------------------------------------------------------------------- mutations

def rename_identifier(src: str, rnd: random.Random) -> str:
    """Rename one module-level name (a view, helper, class or the app object itself)
    everywhere it appears as a name."""
    module = cst.parse_module(src)
    names = _defined_names(module)
    if not names:
        return src
    old = rnd.choice(names)
    new = f"{old}_{rnd.choice(['x', 'renamed', 'v2', 'zz'])}"
    return module.visit(_Rename(old, new)).code


def reorder_functions(src: str, rnd: random.Random) -> str:
    """Swap two top-level function/class definitions (module order of views, helpers)."""
    module = cst.parse_module(src)
    defs = [i for i in _top_defs(module) if isinstance(module.body[i], cst.FunctionDef)]
    if len(defs) < 2:
        return src
    i, j = rnd.sample(defs, 2)
    body = list(module.body)
    body[i], body[j] = body[j], body[i]
    return module.with_changes(body=body).code


def wrap_in_class(src: str, rnd: random.Random) -> str:
    """Move a top-level function into a new class (it becomes a method; decorators such
    as ``@app.route`` stay and are still evaluated at class creation)."""
    module = cst.parse_module(src)
    defs = [i for i in _top_defs(module) if isinstance(module.body[i], cst.FunctionDef)]
    if not defs:
        return src
    i = rnd.choice(defs)
    fn = module.body[i]
    fn = fn.with_changes(leading_lines=())
    cls = cst.ClassDef(
        name=cst.Name(f"Wrapped{i}"),
        body=cst.IndentedBlock(body=[fn]),
        leading_lines=module.body[i].leading_lines,
    )
    body = list(module.body)
    body[i] = cls
    return module.with_changes(body=body).code


IDENTITY = "def _f2q_identity(fn):\n    return fn\n\n\n"


def add_decorator(src: str, rnd: random.Random) -> str:
    """Add an identity decorator (outermost or innermost) to a function."""
    module = cst.parse_module(src)
    targets = []

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            targets.append(node)

    module.visit(Collect())
    if not targets:
        return src
    chosen = rnd.choice(targets)
    outer = rnd.random() < 0.5

    class Add(cst.CSTTransformer):
        def leave_FunctionDef(self, original, updated):
            if original is not chosen:
                return updated
            deco = cst.Decorator(cst.Name("_f2q_identity"))
            decos = [deco, *updated.decorators] if outer else [*updated.decorators, deco]
            return updated.with_changes(decorators=decos)

    new = module.visit(Add()).code
    return _after_header(new, IDENTITY)


def _after_header(src: str, text: str) -> str:
    """Insert ``text`` after the module docstring and ``from __future__`` imports."""
    module = cst.parse_module(src)
    k = 0
    for k, s in enumerate(module.body):
        if isinstance(s, cst.SimpleStatementLine) and s.body and (
            isinstance(s.body[0], cst.Expr) and isinstance(s.body[0].value, cst.SimpleString)
            or isinstance(s.body[0], cst.ImportFrom) and isinstance(s.body[0].module, cst.Name)
            and s.body[0].module.value == "__future__"
        ):
            continue
        break
    else:
        k = len(module.body)
    extra = cst.parse_module(text).body
    body = list(module.body[:k]) + list(extra) + list(module.body[k:])
    return module.with_changes(body=body).code


COMMENTS = ["# a comment", "#", "# TODO: flask → quart?", "# noqa", "#!weird ÿ", "# request.args"]


def comments_and_blank_lines(src: str, rnd: random.Random) -> str:
    """Blank lines and comment lines before random statements (at any depth), and
    trailing comments."""

    class Add(cst.CSTTransformer):
        def _lines(self):
            return [cst.EmptyLine(comment=cst.Comment(rnd.choice(COMMENTS)))
                    if rnd.random() < 0.6 else cst.EmptyLine()
                    for _ in range(rnd.randint(1, 3))]

        def leave_SimpleStatementLine(self, original, updated):
            if rnd.random() < 0.25:
                updated = updated.with_changes(leading_lines=[*updated.leading_lines, *self._lines()])
            if rnd.random() < 0.1 and updated.trailing_whitespace.comment is None:
                updated = updated.with_changes(trailing_whitespace=cst.TrailingWhitespace(
                    whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(rnd.choice(COMMENTS)),
                    newline=updated.trailing_whitespace.newline))
            return updated

        def leave_FunctionDef(self, original, updated):
            if rnd.random() < 0.4:
                updated = updated.with_changes(leading_lines=[*updated.leading_lines, *self._lines()])
            return updated

    return cst.parse_module(src).visit(Add()).code


class _FlaskNames(cst.CSTTransformer):
    """``from flask import a, b`` → ``import flask [as alias]`` with ``a`` → ``alias.a``."""

    def __init__(self, alias: str):
        self.alias = alias
        self.names: set[str] = set()
        self.skip: set[int] = set()

    def visit_ImportFrom(self, node):
        if isinstance(node.module, cst.Name) and node.module.value == "flask" and not isinstance(
                node.names, cst.ImportStar) and all(a.asname is None for a in node.names):
            self.names.update(a.name.value for a in node.names if isinstance(a.name, cst.Name))
        return False

    def visit_Import(self, node):
        return False

    def visit_Attribute(self, node):
        self.skip.add(id(node.attr))

    def visit_Arg(self, node):
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_Param(self, node):
        self.skip.add(id(node.name))

    def visit_FunctionDef(self, node):
        self.skip.add(id(node.name))

    def visit_ClassDef(self, node):
        self.skip.add(id(node.name))

    def visit_NameItem(self, node):
        self.skip.add(id(node.name))

    def visit_AsName(self, node):
        return False

    def leave_Name(self, original, updated):
        if id(original) in self.skip or original.value not in self.names:
            return updated
        return cst.Attribute(value=cst.Name(self.alias), attr=cst.Name(original.value))

    def leave_ImportFrom(self, original, updated):
        if isinstance(original.module, cst.Name) and original.module.value == "flask" and not isinstance(
                original.names, cst.ImportStar) and all(a.asname is None for a in original.names):
            asname = None if self.alias == "flask" else cst.AsName(name=cst.Name(self.alias))
            return cst.Import(names=[cst.ImportAlias(name=cst.Name("flask"), asname=asname)])
        return updated


def swap_import_form(src: str, rnd: random.Random) -> str:
    """Respell the Flask import: ``import flask`` / ``import flask as fl`` with attribute
    references, one ``from flask import`` per name, or a parenthesised multi-line list."""
    module = cst.parse_module(src)
    form = rnd.choice(["module", "alias", "split", "paren"])
    if form in ("module", "alias"):
        # two passes: collect names first so references before the import are rewritten too
        t = _FlaskNames("flask" if form == "module" else "fl")
        module.visit(t)  # collects names (leave_* results discarded)
        return module.visit(t).code

    class Respell(cst.CSTTransformer):
        def leave_SimpleStatementLine(self, original, updated):
            if len(updated.body) != 1 or not isinstance(updated.body[0], cst.ImportFrom):
                return updated
            imp = updated.body[0]
            if not (isinstance(imp.module, cst.Name) and imp.module.value == "flask") or isinstance(
                    imp.names, cst.ImportStar):
                return updated
            names = list(imp.names)
            if form == "split" and len(names) > 1:
                lines = [updated.with_changes(body=[imp.with_changes(
                    names=[n.with_changes(comma=cst.MaybeSentinel.DEFAULT)], lpar=None, rpar=None)],
                    leading_lines=updated.leading_lines if k == 0 else ())
                    for k, n in enumerate(names)]
                return cst.FlattenSentinel(lines)
            if form == "paren":
                ws = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(),
                                                 indent=True, last_line=cst.SimpleWhitespace("    "))
                new_names = [n.with_changes(comma=cst.Comma(whitespace_after=ws)) for n in names]
                return updated.with_changes(body=[imp.with_changes(
                    names=new_names, lpar=cst.LeftParen(whitespace_after=ws), rpar=cst.RightParen())])
            return updated

    return module.visit(Respell()).code


MUTATIONS = [rename_identifier, reorder_functions, wrap_in_class, add_decorator,
             comments_and_blank_lines, swap_import_form]
