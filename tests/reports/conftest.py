"""Shared trees for the report/scan/config tests."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import write_tree

DATA = Path(__file__).parent / "data"
SCHEMAS = Path(__file__).resolve().parents[2] / "flask2quart" / "schemas"

# a two-module app: a helper awaiting request.form, called from a view in another module,
# a thread target that must stay sync (a marker), an error handler, a before_request hook
APP = {
    "pkg/__init__.py": """
        from flask import Flask
        from flask_cors import CORS

        def create_app():
            app = Flask(__name__)
            CORS(app)
            from pkg import views
            app.register_blueprint(views.bp)

            @app.errorhandler(404)
            def not_found(e):
                return "nope", 404

            return app
    """,
    "pkg/forms.py": """
        from flask import request

        def read_title():
            return request.form["title"]

        def clean_title():
            return read_title().strip()
    """,
    "pkg/views.py": """
        import threading
        from flask import Blueprint, render_template, request
        from pkg.forms import clean_title

        bp = Blueprint("views", __name__)

        @bp.before_request
        def load_user():
            pass

        @bp.route("/", methods=["POST"])
        def create():
            return render_template("x.html", title=clean_title())

        def background():
            return request.form

        def start():
            threading.Thread(target=background).start()
    """,
    "requirements.txt": "flask==3.1.3\nflask-cors==6.0.2  # cors\nrequests>=2\n",
}


@pytest.fixture
def app_tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_tree(root, APP)
    return root


class Ran:
    def __init__(self, result):
        self.returncode = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception


def cli(*args: str, cwd: Path | None = None) -> Ran:
    """``flask2quart ARGS`` in-process (click's runner): the CLI contract without paying a
    Python start-up per call. One test per command also runs the real executable."""
    from click.testing import CliRunner

    from flask2quart.cli import main

    import os

    old = os.getcwd()
    os.chdir(cwd or old)
    try:
        return Ran(CliRunner().invoke(main, list(args)))
    finally:
        os.chdir(old)


def validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
