"""``flask2quart scan``: the thin CLI over :func:`flask2quart.scan.build` (writes nothing
to the project; ``--output`` writes the report only)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flask2quart.commands.migrate import EXIT_ERROR, EXIT_OK, load_settings_or_exit, tty_progress


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report to FILE instead of stdout.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable; adds to config).")
@click.option("--select", multiple=True, metavar="CODE", help="Only these rule codes (overrides config).")
@click.option("--ignore", multiple=True, metavar="CODE", help="Never these rule codes (adds to config).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="More detail: phase-1 rules, callers, changes per file.")
def scan(paths, fmt, output, exclude, select, ignore, quiet, verbose):
    """Assess a Flask project: what migration would change, phase by phase. Writes nothing.

    \b
    Exit codes: 0 report produced, 2 error (bad path or configuration).
    """
    from flask2quart.scan import build
    from flask2quart.scan.render import render

    missing = [p for p in paths if not p.exists()]
    if missing:
        click.echo(f"error: no such file or directory: {', '.join(map(str, missing))}", err=True)
        sys.exit(EXIT_ERROR)
    settings, rules = load_settings_or_exit(paths[0], select, ignore)
    progress, stop = tty_progress("analysing", quiet)
    try:
        report = build(list(paths), excludes=(*settings.exclude, *exclude), select=rules,
                       target_quart=settings.target_quart, config_path=settings.path, progress=progress)
    finally:
        stop()
    out = render(report, fmt, verbose=verbose)
    if output:
        try:
            output.write_text(out, encoding="utf-8")
        except OSError as exc:
            click.echo(f"error: cannot write {output}: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        if not quiet:
            s = report["summary"]
            click.echo(f"wrote {fmt} report to {output}: {s['files_touched']} file(s) to touch, "
                       f"{s['edits']} edit(s), {s['markers']} marker(s)", err=True)
    else:
        sys.stdout.write(out)
    sys.exit(EXIT_OK)
