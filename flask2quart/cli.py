"""Command-line entry point: a thin layer over the Python API.

Subcommands live in their own modules and are imported only when used, so
``flask2quart --help`` stays fast and the harness never pulls in LibCST.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import click

from flask2quart import __version__

# name -> "module:attribute" of a click command. Keep this table the only
# place that knows where a command lives.
COMMANDS: dict[str, str] = {
    "migrate": "flask2quart.commands.migrate:migrate",
    "scan": "flask2quart.commands.scan:scan",
    "rules": "flask2quart.commands.rules:rules",
    "explain": "flask2quart.commands.rules:explain",
    "verify": "flask2quart.harness.cli:verify",
    "record": "flask2quart.harness.cli:record",
    "corpus": "flask2quart.harness.cli:corpus",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a wing not installed / not built yet
            if exc.name and module_name.startswith(exc.name):
                return None
            raise
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flask2quart")
def main() -> None:
    """Move a Flask application to Quart in phases, and prove it still answers the same.

    \b
    Typical session:
      flask2quart scan myproject               # how big is the job?
      flask2quart migrate myproject --phase 1 --diff   # preview
      flask2quart migrate myproject --phase 1          # rewrite (git is your undo)
      flask2quart verify --baseline git:main --candidate . --app "pkg:create_app()" --corpus corpus.jsonl
    """


def console() -> NoReturn:
    """The ``flask2quart`` console script (and ``python -m flask2quart``): :func:`main`,
    then a hard exit once the command is done.

    A ``migrate`` or ``scan`` run ends holding millions of small objects (every module's
    ``ast``, the project index). Freeing them one by one and the interpreter's last garbage
    collection took 3.4 of the 29 CPU-seconds of ``benchmarks/migration_speed.py``'s CLI
    run; the process is ending anyway. Like mypy, flush the standard streams and leave.
    Commands close their own files, pools and temporary directories before they return;
    an exception other than ``SystemExit`` takes the normal way out (traceback, cleanup)."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click's standalone mode always ends with SystemExit
        code = 0
    hard_exit(code)


def hard_exit(code: object) -> NoReturn:
    """Exit like ``sys.exit(code)`` after flushing stdout and stderr, skipping interpreter
    teardown (no atexit handlers, no object finalization)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed on stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed pipe (`| head`) or closed stream
            status = status or 120  # what the interpreter reports when its flush fails
    os._exit(status & 0xFF)  # as the OS truncates sys.exit(256) or sys.exit(-1)


if __name__ == "__main__":  # pragma: no cover
    console()
