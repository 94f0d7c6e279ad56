"""The migration engine: files → analysis → edits → per-file results.

Results are values (:class:`FileResult`), never exceptions across the engine: a file
that fails to parse, or whose edits cannot be applied safely, is reported and left
untouched while the run goes on.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import traceback
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from flask2quart import edits as E
from flask2quart import segments
from flask2quart.analysis import facts as F
from flask2quart.analysis.index import ProjectIndex
from flask2quart.analysis.project import Project, load_project
from flask2quart.rules import REGISTRY, load_all

if TYPE_CHECKING:
    from flask2quart.cache import Cache
    from flask2quart.segments import Layout


@dataclass
class MarkerInfo:
    code: str
    line: int
    message: str


@dataclass
class FileResult:
    path: Path
    rel: str
    status: str  # "changed" | "unchanged" | "failed" | "skipped"
    old: bytes = b""
    new: bytes = b""
    rules: Counter = field(default_factory=Counter)
    markers: list[MarkerInfo] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.status == "changed"


@dataclass
class RunResult:
    root: Path
    phase: int
    files: list[FileResult]
    facts: F.ProjectFacts | None = None

    @property
    def changed(self) -> list[FileResult]:
        return [f for f in self.files if f.changed]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def markers(self) -> list[tuple[FileResult, MarkerInfo]]:
        return [(f, m) for f in self.files for m in f.markers]


def _detectors(phase: int, select: set[str] | None):
    """Instances of every ast-level rule up to ``phase`` (optionally a subset)."""
    from codemods.base import Rule

    load_all()
    out = []
    for cls in _rule_classes():
        info = cls.info
        if info.phase > phase or (select and info.code not in select):
            continue
        if issubclass(cls, Rule):
            out.append(cls())
    return out


def _text_rules(phase: int, select: set[str] | None):
    load_all()
    return [
        cls() for cls in _rule_classes()
        if hasattr(cls, "rewrite") and cls.info.phase <= phase
        and (not select or cls.info.code in select)
    ]


def _rule_classes():
    import codemods  # noqa: F401
    import inspect
    import sys

    seen = []
    for name, mod in list(sys.modules.items()):
        if not name.startswith("codemods."):
            continue
        for obj in vars(mod).values():
            if inspect.isclass(obj) and getattr(obj, "__module__", "") == name and hasattr(obj, "info"):
                seen.append(obj)
    return sorted(seen, key=lambda c: c.info.code)


def analyse(project: Project, phase: int = 1) -> F.ProjectFacts:
    """Whole-project facts. The async fixpoint is seeded by every registered await-site
    provider of the phases up to ``phase`` (phase 1: Quart coroutines; later phases add
    their own, e.g. calls that become ``await client.get(...)``)."""
    from codemods.base import await_site_providers

    providers = await_site_providers(phase)

    def sites_for(facts, scope):
        for provider in providers:
            yield from provider(facts, scope)

    index = ProjectIndex(project)
    return F.collect(index, sites_for)


def plan(project: Project, facts: F.ProjectFacts, phase: int,
         select: set[str] | None = None) -> dict[str, list[E.Edit]]:
    """Edits per file (relative path), from every detector."""
    from codemods.base import RuleContext

    detectors = _detectors(phase, select)
    out: dict[str, list[E.Edit] | str] = {}
    for src in project.files:
        info = facts.index.modules.get(src.module)
        if info is None or info.source is not src:
            continue  # a duplicate module name: analysed under the first file only
        ctx = RuleContext(src, info, facts.index, facts, phase)
        script: list[E.Edit] = []
        try:
            for det in detectors:
                script.extend(det.detect(ctx))
        except Exception as exc:  # an internal error on one file: report it, go on
            out[src.rel] = f"internal error in {det.info.code}: {type(exc).__name__}: {exc}\n" + \
                traceback.format_exc(limit=4)
            continue
        script = _suppress(src.text, script)
        if script:
            out[src.rel] = _dedupe(script)
    return out


def _dedupe(script: list[E.Edit]) -> list[E.Edit]:
    seen, out = set(), []
    for e in script:
        if e not in seen:
            seen.add(e)
            out.append(e)
    return out


def _suppress(text: str, script: list[E.Edit]) -> list[E.Edit]:
    """``# flask2quart: ignore[F2Q102]`` on a line drops that rule's edits there."""
    if "flask2quart: ignore" not in text:
        return script
    lines = text.splitlines()
    ignored: dict[int, set[str]] = {}
    for i, ln in enumerate(lines, start=1):
        j = ln.find("flask2quart: ignore[")
        if j >= 0:
            codes = ln[j + len("flask2quart: ignore["):].split("]")[0]
            ignored[i] = {c.strip() for c in codes.split(",")}

    return [e for e in script if e.code not in ignored.get(E.edit_line(e) or -1, ())]


def transform_source(raw: bytes, script: list[E.Edit], layout: "Layout | None" = None) -> bytes:
    """Apply ``script`` to one module's bytes with LibCST; verify the result compiles.

    With the module's :class:`~flask2quart.segments.Layout`, only the top-level statements
    carrying edits are parsed and transformed (same output); the whole module otherwise, or
    when a segment cannot be transformed on its own."""
    out = segments.transform(raw, script, layout)
    if out is None:
        out = _transform_module(raw, script)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # one full compile: it parses too (same SyntaxError as an AST-only compile) and
        # catches what the parser accepts but the compiler does not ('await' outside async)
        compile(out, "<migrated>", "exec", dont_inherit=True)
    return out


def _transform_module(raw: bytes, script: list[E.Edit]) -> bytes:
    import libcst as cst

    from flask2quart.apply import apply_edits

    module = cst.parse_module(raw)
    if module.bytes != raw:  # LibCST 1.9 drops e.g. trailing comment lines after a blank line
        raise ValueError("LibCST does not reproduce this file byte for byte (comments or blank "
                         "lines would be lost); left untouched")
    return apply_edits(module, script).bytes


def _transform_job(args):
    rel, raw, script, layout = args
    try:
        return rel, transform_source(raw, script, layout), None
    except Exception as exc:  # reported per file, never crashes the run
        return rel, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"


def run(paths: list[Path], phase: int = 1, *, excludes: Iterable[str] = (), jobs: int = 1,
        select: set[str] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
        cache: "Cache | None" = None) -> RunResult:
    """Compute every change for ``paths`` without writing anything.

    With a :class:`flask2quart.cache.Cache`, an unchanged project (same files, tool, phase,
    selection, excludes) returns the stored result without parsing anything, and otherwise
    only files whose bytes or edit script changed are transformed again."""
    with _gc_paused():
        return _run(paths, phase, excludes=excludes, jobs=jobs, select=select,
                    progress=progress, cache=cache)


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection during a run.

    The analysis keeps every module's ``ast`` tree alive: millions of tracked objects that
    each automatic full collection walks again. Pausing the collector makes parsing 3-4x
    faster (``benchmarks/migration_speed.py``). A run's cyclic garbage is small and left to
    the next automatic collection (an explicit one here would walk every live tree again)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run(paths: list[Path], phase: int, *, excludes: Iterable[str], jobs: int,
         select: set[str] | None, progress, cache) -> RunResult:
    key = None
    if cache is not None:
        key, hit = _cached_run(cache, paths, list(excludes), phase, select)
        if hit is not None:
            return hit
    project = load_project(paths, list(excludes))
    facts = analyse(project, phase)
    scripts = plan(project, facts, phase, select)
    results: list[FileResult] = []
    for fail in project.failures:
        results.append(FileResult(fail.path, fail.rel, "failed", error=f"does not parse: {fail.error}"))
    for link in project.skipped:  # symlinks: reported, never followed nor written
        results.append(FileResult(link.path, link.rel, "skipped", error=link.error))
    by_rel = {f.rel: f for f in project.files}
    jobs_in = [(rel, by_rel[rel].raw, script, segments.layout(by_rel[rel].tree))
               for rel, script in scripts.items() if not isinstance(script, str)]
    outputs = _cached_jobs(cache, jobs_in, jobs, progress) if cache is not None else \
        _run_jobs(jobs_in, jobs, progress)
    for src in project.files:
        script = scripts.get(src.rel)
        if not script:
            results.append(FileResult(src.path, src.rel, "unchanged", src.raw, src.raw))
            continue
        res = FileResult(src.path, src.rel, "unchanged", src.raw, src.raw)
        if isinstance(script, str):
            res.status, res.error = "failed", script
            results.append(res)
            continue
        new, error = outputs[src.rel]
        res.markers = sorted((MarkerInfo(e.code, e.line, e.message) for e in script
                              if isinstance(e, E.Marker)), key=lambda m: m.line)
        if error is not None:
            res.status, res.error = "failed", error
        else:
            res.new = new
            res.status = "changed" if new != src.raw else "unchanged"
            res.rules = Counter(e.code for e in script if not isinstance(e, E.Marker))
            if res.status == "unchanged":
                res.rules = Counter()
        results.append(res)
    results.extend(_project_files(project, phase, select, facts))
    results.sort(key=lambda r: r.rel)
    if key is not None:
        _store_run(cache, key, results)
    return RunResult(project.root, phase, results, facts)


def _cached_run(cache, paths, excludes, phase, select):
    """(project key, cached RunResult or None). Reads every input file once, parses none."""
    import fnmatch

    from flask2quart.analysis.project import PROJECT_FILE_PATTERNS, iter_files, module_name

    def is_project_file(path, rel):
        return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat)
                   for pat in PROJECT_FILE_PATTERNS)

    links: list[Path] = []
    root, files = iter_files(paths, excludes, links)
    inputs = []
    for path in files:
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        if path.suffix != ".py" and not is_project_file(path, rel):
            continue
        try:
            raw = path.read_bytes()
        except OSError:
            return None, None  # let the real run report it
        module = module_name(path, root)[0] if path.suffix == ".py" else ""
        inputs.append((rel, module, raw))
    for link in links:
        try:
            target = os.readlink(link)
        except OSError:
            target = "?"
        inputs.append((link.as_posix(), "<link>", target.encode()))
    key = cache.project_key(root, phase, select, excludes, inputs)
    stored = cache.get_run(key)
    if stored is None:
        return key, None
    raws = {rel: raw for rel, _, raw in inputs}
    results = []
    for rel, path, status, new, rules, markers, error in stored:
        path = Path(path)
        old = raws.get(rel, b"")
        if status == "changed" and not old and path.exists():
            return key, None  # a file the run would create appeared meanwhile
        results.append(FileResult(path, rel, status, old, old if new is None else new,
                                  Counter(rules), [MarkerInfo(*m) for m in markers], error))
    return key, RunResult(root, phase, results, None)


def _store_run(cache, key, results) -> None:
    cache.put_run(key, [
        (r.rel, str(r.path), r.status, None if r.new == r.old else r.new, dict(r.rules),
         [(m.code, m.line, m.message) for m in r.markers], r.error)
        for r in results
    ])


def _cached_jobs(cache, jobs_in, jobs: int, progress):
    """:func:`_run_jobs` with per-file results from the cache (key: bytes + edit script)."""
    out, todo, keys = {}, [], {}
    for job in jobs_in:
        rel, raw, script, _ = job
        keys[rel] = k = cache.transform_key(raw, script)
        hit = cache.get_transform(k)
        if hit is not None:
            out[rel] = tuple(hit)
        else:
            todo.append(job)
    for rel, value in _run_jobs(todo, jobs, progress).items():
        out[rel] = value
        cache.put_transform(keys[rel], value)
    return out


def _run_jobs(jobs_in, jobs: int, progress) -> dict[str, tuple[bytes | None, str | None]]:
    out: dict[str, tuple[bytes | None, str | None]] = {}
    total = len(jobs_in)
    if jobs > 1 and total > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for i, (rel, new, err) in enumerate(pool.map(_transform_job, jobs_in, chunksize=4), 1):
                out[rel] = (new, err)
                if progress:
                    progress(rel, i, total)
    else:
        for i, job in enumerate(jobs_in, 1):
            rel, new, err = _transform_job(job)
            out[rel] = (new, err)
            if progress:
                progress(rel, i, total)
    return out


@dataclass
class TextContext:
    """What a text rule may read besides its file: the project and its facts.

    A text rule that defines ``bind(ctx)`` gets one before the files are rewritten. Its
    ``rewrite(name, text)`` returns ``(text, count)`` or ``(text, count, markers)`` with
    markers as ``(code, line, message)``; an optional ``creates(name, text) -> [(name, text)]``
    adds sibling files that do not exist yet (e.g. ``.quartenv`` next to ``.flaskenv``).
    """

    project: Project
    facts: F.ProjectFacts | None


def _project_files(project: Project, phase: int, select,
                   facts: F.ProjectFacts | None = None) -> list[FileResult]:
    rules = _text_rules(phase, select)
    ctx = TextContext(project, facts)
    for r in rules:
        if hasattr(r, "bind"):
            r.bind(ctx)
    results = []
    known = {p.resolve() for p in project.other_files} | {f.path.resolve() for f in project.files}
    for path in project.other_files:
        rel = path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else path.name
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            results.append(FileResult(path, rel, "failed", error=str(exc)))
            continue
        new_text, counts, markers, created = text, Counter(), [], []
        for r in rules:
            if r.applies_to(path.name):
                new_text, n, *extra = r.rewrite(path.name, new_text)
                if n:
                    counts[r.info.code] += n
                markers.extend(MarkerInfo(*m) for m in (extra[0] if extra else ()))
                if hasattr(r, "creates"):
                    created.extend((r.info.code, *c) for c in r.creates(path.name, new_text))
        new = new_text.encode("utf-8")
        results.append(FileResult(path, rel, "changed" if new != raw else "unchanged", raw, new, counts,
                                  markers))
        for code, name, body in created:
            target = path.parent / name
            if target.exists() or target.resolve() in known:
                continue
            known.add(target.resolve())
            trel = target.relative_to(project.root).as_posix() if target.is_relative_to(
                project.root) else name
            results.append(FileResult(target, trel, "changed", b"", body.encode("utf-8"),
                                      Counter({code: 1})))
    return results


TEMP_SUFFIX = ".f2q"


def write_atomic(path: Path, data: bytes, *, expected: bytes | None = None,
                 root: Path | None = None) -> None:
    """Replace ``path`` with ``data`` atomically (same directory temp file, fsync, rename):
    a reader, or a kill at any moment, sees the old bytes or the new ones, never a mix.

    Refuses (``OSError``, the file is left as it is) to write through a symlink — the
    link is never replaced and its target never written —, to write outside ``root``
    when given, to replace a read-only file, and, with ``expected``, a file whose bytes
    are no longer ``expected`` (it changed or vanished since it was read; ``b""`` for a
    file to create). A temp file (``.NAME.*.f2q``) is removed on any error; one left by
    a killed run is removed the next time this file is written.
    """
    import errno
    import stat
    import tempfile

    path = Path(os.path.abspath(path))
    if os.path.islink(path):
        raise OSError(errno.ELOOP, "refusing to write through a symlink", str(path))
    if root is not None:
        parent, base = os.path.realpath(path.parent), os.path.realpath(root)
        if os.path.commonpath([parent, base]) != base:
            raise OSError(errno.EPERM, f"refusing to write outside {root}", str(path))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, "read-only file, not rewritten", str(path))
    if expected is not None:
        try:
            current = path.read_bytes() if st is not None else None
        except FileNotFoundError:
            current = None
        if current is None and expected:
            raise FileNotFoundError(errno.ENOENT, "vanished since it was read", str(path))
        if current is not None and current != expected:
            raise OSError(errno.ESTALE, "changed on disk since it was read, not rewritten", str(path))
    mode = st.st_mode if st is not None else 0o644  # a file a text rule creates
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*{TEMP_SUFFIX}"):
        try:  # left by a killed run (its rename never happened, so this file is the original)
            stale.unlink()
        except OSError:
            pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


__all__ = ["FileResult", "RunResult", "run", "write_atomic", "REGISTRY"]
