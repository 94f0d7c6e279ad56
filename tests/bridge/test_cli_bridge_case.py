"""The ported commands of ``fixtures/cases/phase1/cli-bridge-commands/after`` (F2Q106 in a bridge
project) run in an app context on the bridge, invoked from sync and from async code."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.helpers import FIXTURES

AFTER = FIXTURES / "cases" / "phase1" / "cli-bridge-commands" / "after" / "app.py"
COMMANDS = [["init-db"], ["seed"], ["bare-seed"], ["admin", "purge"], ["admin", "bare-purge"]]


@pytest.fixture
def app():
    spec = importlib.util.spec_from_file_location("f2q_cli_bridge_case", AFTER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module.create_app()
    finally:
        sys.modules.pop(spec.name, None)


def _names(app):
    import click

    ctx = click.Context(app.cli)
    return set(app.cli.list_commands(ctx))


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_command_runs_from_sync_code(app, args):
    assert {"init-db", "seed", "bare-seed", "admin"} <= _names(app)
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, (result.output, result.exception)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
async def test_command_runs_from_async_code(app, args):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, (result.output, result.exception)
