"""``flask2quart migrate``: the thin CLI over :func:`flask2quart.engine.run`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from flask2quart import engine
from flask2quart.diffing import unified_diff

EXIT_OK, EXIT_PENDING, EXIT_ERROR = 0, 1, 2


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


def report_dict(result: engine.RunResult) -> dict:
    return {
        "tool": "flask2quart",
        "phase": result.phase,
        "root": str(result.root),
        "summary": {
            "files": len(result.files),
            "changed": len(result.changed),
            "failed": len(result.failed),
            "markers": len(result.markers),
        },
        "files": [
            {
                "path": f.rel,
                "status": f.status,
                "rules": dict(sorted(f.rules.items())),
                "markers": [{"code": m.code, "line": m.line, "message": m.message} for m in f.markers],
                **({"error": f.error.splitlines()[0]} if f.error else {}),
            }
            for f in result.files
            if f.status != "unchanged" or f.markers
        ],
    }


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--phase", type=click.IntRange(1, 3), default=1, show_default=True,
              help="Apply every phase up to N (1: direct port, 2: blocking calls, 3: HTTP clients).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print a summary of what would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff (git apply accepts it).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when anything would change.")
@click.option("--jobs", "-j", type=click.IntRange(1, None), default=1, show_default=True,
              help="Transform files in N processes.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable).")
@click.option("--report", type=click.Path(path_type=Path), help="Write a JSON report to FILE.")
@click.option("--allow-dirty", is_flag=True, help="Write even if the git work tree has uncommitted changes.")
@click.option("--select", multiple=True, metavar="CODE", help="Only apply these rule codes.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def migrate(paths, phase, dry_run, show_diff, check, jobs, exclude, report, allow_dirty, select, quiet):
    """Rewrite a Flask project (PATHS: project directory or files) for Quart.

    \b
    Exit codes: 0 done / nothing to do, 1 changes pending (--check),
    2 error (bad path, unreadable or unparsable input, refused dirty tree).
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        click.echo(f"error: no such file or directory: {', '.join(map(str, missing))}", err=True)
        sys.exit(EXIT_ERROR)
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

    progress = None
    if not quiet and sys.stderr.isatty():
        from rich.progress import Progress

        prog = Progress(transient=True)
        task = None

        def progress(rel, i, total):  # noqa: F811
            nonlocal task
            if task is None:
                prog.start()
                task = prog.add_task("transforming", total=total)
            prog.update(task, completed=i, description=rel[-40:])
            if i == total:
                prog.stop()

    result = engine.run(list(paths), phase, excludes=exclude, jobs=jobs,
                        select=set(select) or None, progress=progress)

    if show_diff:
        for f in result.changed:
            sys.stdout.write(unified_diff(f.old, f.new, _display(f.path, result.root)))
    written = 0
    if writing:
        for f in result.changed:
            try:
                engine.write_atomic(f.path, f.new)
                written += 1
            except OSError as exc:
                f.status, f.error = "failed", f"cannot write: {exc}"
    if report:
        report.write_text(json.dumps(report_dict(result), indent=2) + "\n")

    for f in result.failed:
        click.echo(f"error: {f.rel}: {f.error.splitlines()[0]}", err=True)
    if not quiet:
        verb = "rewrote" if writing else "would rewrite"
        n = written if writing else len(result.changed)
        lines = [f"{verb} {n} file(s), {len(result.markers)} marker(s) for a person, "
                 f"{len(result.failed)} file(s) failed ({len(result.files)} checked, phase {phase})"]
        if dry_run or check:
            for f in result.changed:
                codes = ", ".join(f"{c}×{n}" for c, n in sorted(f.rules.items()))
                lines.insert(0, f"  {f.rel}: {codes}")
        for f, m in result.markers:
            lines.append(f"  {f.rel}:{m.line}: {m.code} {m.message}")
        click.echo("\n".join(lines), err=show_diff)
    if result.failed:
        sys.exit(EXIT_ERROR)
    if check and result.changed:
        sys.exit(EXIT_PENDING)
    sys.exit(EXIT_OK)
