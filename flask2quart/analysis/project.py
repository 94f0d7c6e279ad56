"""Discover a project's Python files, name their modules, parse them with ``ast``.

This is the cheap first pass: the stdlib parser, no LibCST. A file that does not
parse becomes a :class:`ParseFailure` and is reported, never transformed.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import os
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from flask2quart.edits import LineIndex

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
     "build", "dist", ".eggs", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)


@dataclass
class SourceFile:
    path: Path          # absolute
    rel: str            # relative to the project root, posix
    raw: bytes
    text: str
    encoding: str
    module: str         # dotted module name
    is_package: bool    # an __init__.py
    tree: ast.Module
    lines: LineIndex
    #: ``walk_with_parents(tree)``, computed while loading (with the depth check)
    walk: tuple | None = field(default=None, repr=False, compare=False)


@dataclass
class ParseFailure:
    path: Path
    rel: str
    error: str


@dataclass
class Project:
    root: Path
    files: list[SourceFile] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)
    other_files: list[Path] = field(default_factory=list)  # requirements, pyproject, …
    skipped: list[ParseFailure] = field(default_factory=list)  # symlinks: never followed

    def by_module(self) -> dict[str, SourceFile]:
        return {f.module: f for f in self.files}


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    """Dotted module name for ``path``: climb while the folder is a package."""
    parts = [path.stem] if path.name != "__init__.py" else []
    folder = path.parent
    while (folder / "__init__.py").exists() and folder != folder.parent:
        parts.insert(0, folder.name)
        if folder == root.parent:
            break
        folder = folder.parent
    return ".".join(parts) or path.stem, path.name == "__init__.py"


def _unique_module(module: str, rel: str, taken: set[str]) -> str:
    """``module``, or a name of its own when another file already has it: two ``auth.py`` or
    ``conftest.py`` in folders that are not packages (imported through ``sys.path``) are both
    ``auth`` to Python. The first file (path order) keeps the import name; the next one is
    analysed and rewritten under its path (``tests.unit.conftest``), never skipped."""
    if module in taken:
        base = rel[:-3].replace("/", ".") if rel.endswith(".py") else rel
        base = base.removesuffix(".__init__")
        module, n = base, 2
        while module in taken:
            module, n = f"{base}#{n}", n + 1
    taken.add(module)
    return module


def decode(raw: bytes) -> tuple[str, str]:
    """Decode Python source honouring a coding cookie or BOM (PEP 263)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    text = raw.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


def iter_files(paths: list[Path], excludes: list[str],
               skipped: list[Path] | None = None) -> tuple[Path, list[Path]]:
    """Return (project root, files). ``paths`` are directories or files. Symlinks met
    while walking are never followed (nor written, see ``engine.write_atomic``): a
    link's target inside the project is migrated under its own path, one outside it is
    not touched at all. They are appended to ``skipped`` to be reported."""
    paths = [p.resolve() for p in paths]
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    if len(paths) > 1:
        import os

        root = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in paths]))
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        candidates = [p] if p.is_file() else _walk(p, skipped if skipped is not None else [])
        for f in candidates:
            rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name
            if any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(f.name, g) for g in excludes):
                continue
            if f not in seen:
                seen.add(f)
                out.append(f)
    return root, out


def _walk(folder: Path, skipped: list[Path]):
    try:
        children = sorted(folder.iterdir())
    except OSError:  # vanished or unreadable folder
        return
    for child in children:
        if child.name in SKIP_DIRS or child.name.endswith(".egg-info"):
            continue
        if child.is_symlink():
            if child.suffix == ".py" or child.is_dir():
                skipped.append(child)
            continue  # never follow a link (in or out of the project)
        if child.is_dir():
            yield from _walk(child, skipped)
        elif child.is_file():
            yield child


#: the field-less token classes (``Load``, ``Add``, ``Eq``, ``Not``, ``And``, …): the parser
#: shares one instance of each, the analysis reads them as attributes (``node.ctx``,
#: ``node.op``) and never needs them as nodes of a walk: a third of all nodes
TOKEN_NODES = frozenset(
    cls for base in (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
    for cls in base.__subclasses__())


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))`` without the :data:`TOKEN_NODES` and without the
    generator overhead (the analysis visits every node of every module several times)."""
    out = []
    tokens = TOKEN_NODES
    for name in node._fields:
        v = getattr(node, name, None)
        if isinstance(v, ast.AST):
            if type(v) not in tokens:
                out.append(v)
        elif isinstance(v, list):
            out.extend(x for x in v if isinstance(x, ast.AST) and type(x) not in tokens)
    return out


def walk_with_parents(tree: ast.AST, limit: int | None = None
                      ) -> tuple[list[ast.AST], dict[ast.AST, ast.AST]] | None:
    """``list(ast.walk(tree))`` (same breadth-first order) without the :data:`TOKEN_NODES`,
    and each node's parent; None when ``tree`` nests deeper than ``limit`` levels (``tree``
    itself is level 1)."""
    nodes = [tree]
    parents: dict[ast.AST, ast.AST] = {}
    level, depth = [tree], 1
    while level:
        if limit is not None and depth > limit:
            return None
        below = []
        for n in level:
            for c in child_nodes(n):
                parents[c] = n
                below.append(c)
        nodes.extend(below)
        level, depth = below, depth + 1
    return nodes, parents


MAX_DEPTH = 200  # ast nesting; real code stays under 50 (3,189 installed modules: at most 44)


def too_deep(tree: ast.AST, limit: int = MAX_DEPTH) -> bool:
    """Whether ``tree`` nests deeper than ``limit`` (iterative, stops at the first hit)."""
    stack = [(tree, 1)]
    pop, push, children = stack.pop, stack.append, child_nodes
    while stack:
        node, depth = pop()
        if depth > limit:
            return True
        for child in children(node):
            push((child, depth + 1))
    return False


PROJECT_FILE_PATTERNS = ("requirements*.txt", "requirements/*.txt", "*requirements*.in",
                         "pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini",
                         # entry points (codemods/phase1/entry_points.py, catalogue/project.py)
                         ".flaskenv", ".env", "Procfile", "Procfile.*", "Dockerfile",
                         "Dockerfile.*", "*.dockerfile", "Makefile", "makefile", "GNUmakefile",
                         "*.mk", "*.sh", "docker-compose*.yml", "docker-compose*.yaml",
                         "compose.yml", "compose.yaml")


def load_project(paths: list[Path], excludes: list[str] = ()) -> Project:
    links: list[Path] = []
    root, files = iter_files(paths, list(excludes), links)
    project = Project(root=root)
    for link in links:
        rel = link.relative_to(root).as_posix() if link.is_relative_to(root) else link.name
        if any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(link.name, g) for g in excludes):
            continue
        try:
            target = os.readlink(link)
        except OSError:
            target = "?"
        project.skipped.append(ParseFailure(link, rel, f"symlink to {target}: not followed, not written"))
    taken: set[str] = set()
    for path in files:
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        if path.suffix != ".py":
            if any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat)
                   for pat in PROJECT_FILE_PATTERNS):
                project.other_files.append(path)
            continue
        try:
            raw = path.read_bytes()
            text, encoding = decode(raw)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text, filename=str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError, RecursionError, MemoryError) as exc:
            project.failures.append(ParseFailure(path, rel, f"{type(exc).__name__}: {exc}"))
            continue
        walk = walk_with_parents(tree, MAX_DEPTH)
        if walk is None:  # the recursive analysis would overflow the stack for the whole run
            project.failures.append(ParseFailure(
                path, rel, f"nested more than {MAX_DEPTH} levels deep (e.g. a very long a + b + ... "
                           "chain): too deep to analyse and rewrite safely"))
            continue
        module, is_pkg = module_name(path, root)
        module = _unique_module(module, rel, taken)
        project.files.append(
            SourceFile(path, rel, raw, text, encoding, module, is_pkg, tree, LineIndex(text), walk)
        )
    return project
