"""``flask2quart rules`` and ``flask2quart explain CODE``."""

from __future__ import annotations

import sys

import click

from flask2quart.rules import load_all


@click.command()
def rules():
    """List every rule: code, phase, fix applicability and summary."""
    for info in load_all().values():
        kind = "safe" if info.safe else "marker"
        click.echo(f"{info.code}  phase {info.phase}  {kind:6}  {info.name}: {info.summary}")


@click.command()
@click.argument("code")
def explain(code):
    """Print the documentation of rule CODE with a before/after example."""
    registry = load_all()
    info = registry.get(code.upper())
    if info is None:
        click.echo(f"error: unknown rule {code!r}; see `flask2quart rules`", err=True)
        sys.exit(2)
    click.echo(f"{info.code} {info.name} (phase {info.phase}, {'safe fix' if info.safe else 'marker'})")
    click.echo(f"\n{info.summary}\n")
    if info.doc:
        click.echo(info.doc + "\n")
    for ex in info.examples:
        click.echo("Before:\n" + "\n".join("    " + ln for ln in ex.before.rstrip().splitlines()))
        click.echo("After:\n" + "\n".join("    " + ln for ln in ex.after.rstrip().splitlines()) + "\n")
