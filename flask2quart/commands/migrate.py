"""``flask2quart migrate``: the thin CLI over :func:`flask2quart.engine.run`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from flask2quart import engine
from flask2quart.config import ConfigError, Settings, load_settings
from flask2quart.diffing import unified_diff
from flask2quart.reports.migration_formats import report_dict  # noqa: F401  (re-exported)

EXIT_OK, EXIT_PENDING, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "github", "sarif")


def _git_dirty(root: Path, paths: list[Path]) -> list[str] | None:
    """Uncommitted changes under ``paths`` if ``root`` is in a git work tree, else None."""
    try:
        inside = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                             *[str(p.resolve()) for p in paths]],
                            capture_output=True, text=True, timeout=60)
    return [ln for ln in status.stdout.splitlines() if ln.strip()]


def _display(path: Path, root: Path) -> str:
    """Diff paths: relative to the current directory when inside it (so ``git apply``
    works from there), else relative to the project root."""
    for base in (Path.cwd().resolve(), root.resolve()):
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name


def load_settings_or_exit(start: Path, select, ignore) -> tuple[Settings, set[str] | None]:
    """``[tool.flask2quart]`` for ``start`` and the rule selection (CLI over config);
    a bad configuration or an unknown rule code exits 2 with the file and key named."""
    from flask2quart.rules import load_all

    try:
        settings = load_settings(start)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    known = set(load_all())
    asked = {c.upper() for c in (*select, *ignore)}
    unknown = sorted(asked - known)
    if unknown:
        click.echo(f"error: unknown rule code(s): {', '.join(unknown)}; see `flask2quart rules`", err=True)
        sys.exit(EXIT_ERROR)
    return settings, settings.rules(select, ignore, known)


def tty_progress(label: str, quiet: bool):
    """A rich progress callback for the engine on a TTY (else None) and a stop function."""
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    prog = Progress(transient=True, console=Console(stderr=True))
    task = None

    def progress(rel, i, total):
        nonlocal task
        if task is None:
            prog.start()
            task = prog.add_task(label, total=total)
        prog.update(task, completed=i, description=rel[-40:])

    def stop():
        if task is not None:
            prog.stop()

    return progress, stop


def colour_enabled(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def colourize_diff(text: str) -> str:
    out = []
    for ln in text.splitlines(keepends=True):
        if ln.startswith(("+++", "---")):
            out.append(click.style(ln, bold=True))
        elif ln.startswith("+"):
            out.append(click.style(ln, fg="green"))
        elif ln.startswith("-"):
            out.append(click.style(ln, fg="red"))
        elif ln.startswith("@@"):
            out.append(click.style(ln, fg="cyan"))
        else:
            out.append(ln)
    return "".join(out)


def _cache(disabled: bool, settings: Settings):
    """The result cache (keyed also by the settings the engine does not see), or None."""
    if disabled:
        return None
    from flask2quart.cache import Cache

    return Cache(extra=repr((settings.target_quart, sorted(settings.tables.items(), key=str))))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--phase", type=click.IntRange(1, 3), default=None,
              help="Apply every phase up to N (1: direct port, 2: blocking calls, 3: HTTP clients). "
                   "Default: `phase` in [tool.flask2quart], else 1.")
@click.option("--dry-run", is_flag=True, help="Write nothing; print a summary of what would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff (git apply accepts it).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when anything would change.")
@click.option("--jobs", "-j", type=click.IntRange(1, None), default=1, show_default=True,
              help="Transform files in N processes.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable; adds to config).")
@click.option("--report", type=click.Path(path_type=Path), help="Write a JSON report to FILE.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output on stdout: text, json (schemas/report.schema.json), github (Actions "
                   "annotations) or sarif (2.1.0).")
@click.option("--allow-dirty", is_flag=True, help="Write even if the git work tree has uncommitted changes.")
@click.option("--select", multiple=True, metavar="CODE", help="Only apply these rule codes (overrides config).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Never apply these rule codes (adds to config).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.option("-v", "--verbose", is_flag=True, help="List the rules applied to every file.")
@click.option("--no-cache", is_flag=True,
              help="Do not read or write the result cache ($FLASK2QUART_CACHE_DIR, else "
                   "$XDG_CACHE_HOME/flask2quart or ~/.cache/flask2quart; safe to delete).")
def migrate(paths, phase, dry_run, show_diff, check, jobs, exclude, report, fmt, allow_dirty, select,
            ignore, quiet, verbose, no_cache):
    """Rewrite a Flask project (PATHS: project directory or files) for Quart.

    \b
    Exit codes: 0 done / nothing to do, 1 changes pending (--check),
    2 error (bad path, bad configuration, unreadable or unparsable input, refused dirty tree).
    """
    from flask2quart.reports import migration_formats

    missing = [p for p in paths if not p.exists()]
    if missing:
        click.echo(f"error: no such file or directory: {', '.join(map(str, missing))}", err=True)
        sys.exit(EXIT_ERROR)
    if show_diff and fmt != "text":
        click.echo(f"error: --diff prints a patch on stdout; it cannot be combined with --format {fmt}",
                   err=True)
        sys.exit(EXIT_ERROR)
    settings, rules = load_settings_or_exit(paths[0], select, ignore)
    phase = phase or settings.phase or 1
    writing = not (dry_run or show_diff or check)
    if writing and not allow_dirty:
        root = paths[0] if paths[0].is_dir() else paths[0].parent
        dirty = _git_dirty(root, list(paths))
        if dirty:
            click.echo("error: the git work tree has uncommitted changes under PATH "
                       "(git is your undo); commit or stash them, or pass --allow-dirty:", err=True)
            for ln in dirty[:10]:
                click.echo(f"  {ln}", err=True)
            sys.exit(EXIT_ERROR)

    progress, stop = tty_progress("transforming", quiet)
    try:
        result = engine.run(list(paths), phase, excludes=(*settings.exclude, *exclude), jobs=jobs,
                            select=rules, progress=progress, cache=_cache(no_cache, settings))
    finally:
        stop()

    if show_diff:
        colour = colour_enabled(sys.stdout)
        for f in result.changed:
            patch = unified_diff(f.old, f.new, _display(f.path, result.root))
            sys.stdout.write(colourize_diff(patch) if colour else patch)
    written = 0
    if writing:
        for f in result.changed:
            try:
                engine.write_atomic(f.path, f.new, expected=f.old, root=result.root)
                written += 1
            except OSError as exc:
                f.status, f.error = "failed", f"cannot write: {exc}"
    if report:
        report.write_text(migration_formats.render(result, "json"))
    if fmt != "text":
        sys.stdout.write(migration_formats.render(result, fmt, check=check, base=Path.cwd()))

    for f in result.failed:
        click.echo(f"error: {f.rel}: {f.error.splitlines()[0]}", err=True)
    if not quiet:
        verb = "rewrote" if writing else "would rewrite"
        n = written if writing else len(result.changed)
        lines = [f"{verb} {n} file(s), {len(result.markers)} marker(s) for a person, "
                 f"{len(result.failed)} file(s) failed ({len(result.files)} checked, phase {phase})"]
        if dry_run or check or verbose:
            for f in result.changed:
                codes = ", ".join(f"{c}×{n}" for c, n in sorted(f.rules.items()))
                lines.insert(0, f"  {f.rel}: {codes}")
        for f, m in result.markers:
            lines.append(f"  {f.rel}:{m.line}: {m.code} {m.message}")
        click.echo("\n".join(lines), err=show_diff or fmt != "text")
    if result.failed:
        sys.exit(EXIT_ERROR)
    if check and result.changed:
        sys.exit(EXIT_PENDING)
    sys.exit(EXIT_OK)
