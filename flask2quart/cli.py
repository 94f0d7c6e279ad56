"""Command-line entry point: a thin layer over the Python API.

Subcommands live in their own modules and are imported only when used, so
``flask2quart --help`` stays fast and the harness never pulls in LibCST.
"""

from __future__ import annotations

import importlib

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


if __name__ == "__main__":  # pragma: no cover
    main()
