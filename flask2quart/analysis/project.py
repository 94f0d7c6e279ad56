"""Discover a project's Python files, name their modules, parse them with ``ast``.

This is the cheap first pass: the stdlib parser, no LibCST. A file that does not
parse becomes a :class:`ParseFailure` and is reported, never transformed.
"""

from __future__ import annotations

import ast
import fnmatch
import io
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


def decode(raw: bytes) -> tuple[str, str]:
    """Decode Python source honouring a coding cookie or BOM (PEP 263)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    text = raw.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, encoding


def iter_files(paths: list[Path], excludes: list[str]) -> tuple[Path, list[Path]]:
    """Return (project root, files). ``paths`` are directories or files."""
    paths = [p.resolve() for p in paths]
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    if len(paths) > 1:
        import os

        root = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in paths]))
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        candidates = [p] if p.is_file() else _walk(p)
        for f in candidates:
            rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name
            if any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(f.name, g) for g in excludes):
                continue
            if f not in seen:
                seen.add(f)
                out.append(f)
    return root, out


def _walk(folder: Path):
    for child in sorted(folder.iterdir()):
        if child.is_symlink() and not child.resolve().is_relative_to(folder.resolve()):
            continue  # never follow a link out of the project
        if child.is_dir():
            if child.name in SKIP_DIRS or child.name.endswith(".egg-info"):
                continue
            yield from _walk(child)
        elif child.is_file():
            yield child


PROJECT_FILE_PATTERNS = ("requirements*.txt", "requirements/*.txt", "*requirements*.in",
                         "pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini",
                         # entry points (codemods/phase1/entry_points.py, catalogue/project.py)
                         ".flaskenv", ".env", "Procfile", "Procfile.*", "Dockerfile",
                         "Dockerfile.*", "*.dockerfile", "Makefile", "makefile", "GNUmakefile",
                         "*.mk", "*.sh", "docker-compose*.yml", "docker-compose*.yaml",
                         "compose.yml", "compose.yaml")


def load_project(paths: list[Path], excludes: list[str] = ()) -> Project:
    root, files = iter_files(paths, list(excludes))
    project = Project(root=root)
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
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError) as exc:
            project.failures.append(ParseFailure(path, rel, f"{type(exc).__name__}: {exc}"))
            continue
        module, is_pkg = module_name(path, root)
        project.files.append(
            SourceFile(path, rel, raw, text, encoding, module, is_pkg, tree, LineIndex(text))
        )
    return project
