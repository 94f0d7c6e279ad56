"""Flask-Migrate's ``db`` commands and other ``app.cli`` commands through the Quart CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import click
import flask
import pytest

from .apps import add_users, create_app

APP_MODULE = textwrap.dedent(
    """
    import click
    import flask
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy

    from flask2quart.bridge import Quart

    app = Quart(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///{db}"
    db = SQLAlchemy(app)
    Migrate(app, db)


    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80))
    {extra}

    @app.cli.command("seed")
    @click.argument("name")
    def seed(name):
        db.session.add(User(name=name))
        db.session.commit()
        click.echo(f"seeded {{name}} in {{flask.current_app.name}}: {{User.query.count()}}")
    """
)


def write_app(tmp_path, extra: str = "") -> None:
    (tmp_path / "migapp.py").write_text(APP_MODULE.format(db=tmp_path / "app.db", extra=extra))


def quart_cli(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    env.pop("QUART_APP", None)
    return subprocess.run(
        [sys.executable, "-m", "quart", "--app", "migapp:app", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def tables(path) -> set[str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}


@pytest.mark.slow
def test_db_init_migrate_upgrade_in_a_subprocess(tmp_path):
    write_app(tmp_path)
    for args in (["db", "init"], ["db", "migrate", "-m", "users"], ["db", "upgrade"]):
        result = quart_cli(tmp_path, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "migrations" / "env.py").exists()
    assert {"user", "alembic_version"} <= tables(tmp_path / "app.db")

    write_app(tmp_path, extra="\n\nclass Post(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n")
    assert quart_cli(tmp_path, "db", "migrate", "-m", "posts").returncode == 0
    assert quart_cli(tmp_path, "db", "upgrade").returncode == 0
    assert "post" in tables(tmp_path / "app.db")
    current = quart_cli(tmp_path, "db", "current")
    assert current.returncode == 0 and "(head)" in current.stdout

    seeded = quart_cli(tmp_path, "seed", "ada")
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.strip() == "seeded ada in migapp: 1"


def test_db_commands_via_test_cli_runner(tmp_path):
    ns = create_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'r.db'}")
    runner = ns.app.test_cli_runner()
    directory = str(tmp_path / "migrations")
    for args in (["db", "init", "-d", directory], ["db", "migrate", "-d", directory], ["db", "upgrade", "-d", directory]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (result.output, result.exception)
    assert {"user", "item", "alembic_version"} <= tables(tmp_path / "r.db")


async def test_test_cli_runner_from_an_async_test(tmp_path):
    ns = create_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}")
    await add_users(ns, "ada")

    @ns.app.cli.command("count")
    def count():
        click.echo(f"{ns.User.query.count()} users, ctx={flask.has_app_context()}")

    result = ns.app.test_cli_runner().invoke(args=["count"])
    assert result.exit_code == 0, result.exception
    assert result.output.strip() == "1 users, ctx=True"


def test_commands_get_an_app_context_unless_opted_out():
    ns = create_app()

    @ns.app.cli.command("where")
    def where():
        click.echo(f"{flask.has_app_context()} {flask.current_app.name}")

    @ns.app.cli.command("bare", with_appcontext=False)
    def bare():
        click.echo(str(flask.has_app_context()))

    group = click.Group("tools")

    @group.command("inner")
    def inner():
        click.echo(f"inner {flask.current_app.name}")

    ns.app.cli.add_command(group)
    runner = ns.app.test_cli_runner()
    assert runner.invoke(args=["where"]).output.strip() == f"True {ns.app.name}"
    assert runner.invoke(args=["bare"]).output.strip() == "False"
    assert runner.invoke(args=["tools", "inner"]).output.strip() == f"inner {ns.app.name}"


def test_cli_command_can_wait_for_async_code():
    from flask2quart.bridge import await_sync

    ns = create_app()

    async def answer():
        return 42

    @ns.app.cli.command("answer")
    def answer_cmd():
        click.echo(str(await_sync(answer())))

    assert ns.app.test_cli_runner().invoke(args=["answer"]).output.strip() == "42"


def test_blueprint_cli_commands_get_an_app_context():
    import quart

    ns = create_app()
    bp = quart.Blueprint("tools_bp", __name__, cli_group="bp-tools")

    @bp.cli.command("where")
    def where():
        click.echo(f"{flask.current_app.name}")

    ns.app.register_blueprint(bp)
    result = ns.app.test_cli_runner().invoke(args=["bp-tools", "where"])
    assert result.exit_code == 0, result.exception
    assert result.output.strip() == ns.app.name
