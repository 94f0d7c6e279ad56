"""The project around the code (issue 10 §3): dependency files, entry points, app.run, ProxyFix,
markers. Before/after trees live in fixtures/cases/phase1/project-*; these tests add the unit
cases and the runtime proofs on both Quart lines (0.22 on this interpreter, 0.23.1 on .venv313).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codemods.phase1 import dependencies as D
from codemods.phase1.entry_points import EnvFiles, ServerCommands
from flask2quart import engine
from tests.helpers import interpreters, migrate_one, migrate_tree, write_tree

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------
# quart release by requires-python
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec, lines, unverified", [
    (None, ['quart==0.22.0; python_version < "3.13"', 'quart==0.23.1; python_version >= "3.13"'],
     False),
    (">=3.13", ["quart==0.23.1"], False),
    (">=3.11,<3.13", ["quart==0.22.0"], False),
    (">=3.10", ['quart==0.20.0; python_version < "3.11"',
                'quart==0.22.0; python_version >= "3.11" and python_version < "3.13"',
                'quart==0.23.1; python_version >= "3.13"'], True),
    ("~=3.12", ['quart==0.22.0; python_version < "3.13"', 'quart==0.23.1; python_version >= "3.13"'],
     False),
])
def test_quart_lines_follow_requires_python(spec, lines, unverified):
    assert D.quart_lines(spec) == (lines, unverified)


def test_requirements_keep_pins_comments_and_other_lines(tmp_path):
    out = migrate_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.13"\n'
                          'dependencies = ["Flask>=3  ", "requests==2.32.3"]\n',
        "requirements.txt": "# base\nflask==3.1.3  # web\nrequests==2.32.3 # http\n-r other.txt\n",
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    })
    assert out["requirements.txt"] == ("# base\nquart==0.23.1  # web\nhypercorn==0.18.0\n"
                                       "requests==2.32.3 # http\n-r other.txt\n")
    assert 'dependencies = ["quart==0.23.1", "hypercorn==0.18.0", "requests==2.32.3"]' in out[
        "pyproject.toml"]


def test_python310_project_gets_a_line_and_a_marker(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10"\n'
                                            'dependencies = [\n    "flask",\n]\n'})
    result = engine.run([tmp_path], 1)
    f = next(f for f in result.files if f.rel == "pyproject.toml")
    assert b"quart==0.20.0; python_version < \"3.11\"" in f.new
    assert [m.code for _f, m in result.markers] == ["F2Q160"]


def test_bridge_and_swaps_reach_the_requirements(tmp_path):
    pytest.importorskip("flask_sqlalchemy")
    out = migrate_tree(tmp_path, {
        "requirements.txt": "flask==3.1.3\nflask-sqlalchemy==3.1.1\n",
        "app.py": "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n"
                  "app = Flask(__name__)\ndb = SQLAlchemy(app)\n",
    })
    from flask2quart import __version__

    assert f"flask2quart=={__version__}\n" in out["requirements.txt"]
    assert "flask-sqlalchemy==3.1.1\n" in out["requirements.txt"]  # stays: runs on the bridge


def test_swapped_extension_distribution_is_replaced():
    plan = D.Plan()
    plan.swaps = {"flask-cors": "quart-cors==0.8.0"}
    assert plan.replacement("Flask_CORS>=4  ") == ["quart-cors==0.8.0"]
    assert plan.replacement("flask-login") is None


def test_setup_py_non_literal_lists_are_left(tmp_path):
    src = "from setuptools import setup\nREQS = ['flask']\nsetup(install_requires=REQS + ['x'])\n"
    assert migrate_one(tmp_path, src, "setup.py") == src


# ---------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("before, after", [
    ("web: gunicorn 'app:create_app()' -w 2\n",
     "web: hypercorn 'app:create_app()' --workers 2 --bind 0.0.0.0:$PORT\n"),
    ("web: gunicorn --bind=0.0.0.0:$PORT app:app\n", "web: hypercorn app:app --bind 0.0.0.0:$PORT\n"),
    ("web: waitress-serve --listen=*:8080 app:app\n", "web: hypercorn app:app --bind '*:8080'\n"),
    ("web: flask --app app run --port 8000\n", "web: quart --app app run --port 8000\n"),
    ("release: echo flask run\n", "release: echo flask run\n"),
])
def test_procfile_commands(before, after):
    new, _n, _marks = ServerCommands().rewrite("Procfile", before)
    assert new == after


def test_untranslatable_gunicorn_option_is_marked_and_removed():
    new, n, marks = ServerCommands().rewrite("run.sh", "gunicorn -k gevent --timeout 30 app:app\n")
    assert new == ("# flask2quart: F2Q164 gunicorn `-k gevent` has no hypercorn counterpart: removed\n"
                   "# flask2quart: F2Q164 gunicorn `--timeout 30` has no hypercorn counterpart: "
                   "removed\nhypercorn app:app\n")
    assert [m[0] for m in marks] == ["F2Q164", "F2Q164"] and n == 1
    # a second run changes nothing
    assert ServerCommands().rewrite("run.sh", new)[0] == new


def test_unknown_gunicorn_option_leaves_the_command():
    new, n, marks = ServerCommands().rewrite("Procfile", "web: gunicorn --frobnicate app:app\n")
    assert "gunicorn --frobnicate app:app" in new and n == 0 and marks


def test_env_file_in_place_and_manual_variable():
    new, n, marks = EnvFiles().rewrite(".env", "FLASK_APP=app\nFLASK_ENV=production\nX=1\n")
    assert new.startswith("QUART_APP=app\n# flask2quart: F2Q162 FLASK_ENV")
    assert n == 1 and [m[0] for m in marks] == ["F2Q162"]


def test_text_markers_reach_the_report(tmp_path):
    write_tree(tmp_path, {"Procfile": "web: uwsgi --http :8000 --module app:app\n"})
    result = engine.run([tmp_path], 1)
    assert [(f.rel, m.code, m.line) for f, m in result.markers] == [("Procfile", "F2Q164", 1)]


def test_quartenv_is_read_by_the_quart_cli(tmp_path):
    pytest.importorskip("dotenv")
    write_tree(tmp_path, {
        "server.py": "from flask import Flask\napp = Flask(__name__)\n\n\n"
                     "@app.route('/only-here')\ndef only_here():\n    return 'x'\n",
        ".flaskenv": "FLASK_APP=server.py\n",
    })
    result = engine.run([tmp_path], 1)
    for f in result.changed:
        f.path.write_bytes(f.new)
    assert (tmp_path / ".quartenv").read_text() == "QUART_APP=server.py\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUART_", "FLASK_"))}
    for label, python in interpreters():
        run = subprocess.run([python, "-m", "quart", "routes"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and "/only-here" in run.stdout, (label, run.stderr)
    (tmp_path / ".quartenv").unlink()  # the proof can fail: without it quart finds no app
    run = subprocess.run([sys.executable, "-m", "quart", "routes"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert "/only-here" not in run.stdout


# ---------------------------------------------------------------------------
# app.run and ProxyFix: the rewritten code runs on both Quart lines
# ---------------------------------------------------------------------------

_APP = """\
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


@app.route("/")
def index():
    return f"{request.remote_addr} {request.scheme} {request.host}"


def main():
    app.run(host="0.0.0.0", port=8000, threaded=True, load_dotenv=False,
            ssl_context=("cert.pem", "key.pem"))
"""

_PROBE = """\
import asyncio, inspect, sys, warnings
sys.path.insert(0, sys.argv[1])
import app as mod
from quart import Quart

# 1. the rewritten app.run call binds to Quart.run without **kwargs (which only warn)
calls = []
RUN_ORIG = Quart.__dict__["run"]
Quart.run = lambda self, *a, **k: calls.append((a, k))
mod.main()
(args, kwargs), = calls
bound = inspect.signature(RUN_ORIG).bind(mod.app, *args, **kwargs)
assert "kwargs" not in bound.arguments, bound.arguments
print("RUN", sorted(kwargs))

# 2. ProxyFixMiddleware: the app sees the forwarded client, scheme and host
async def probe():
    sent = []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"",
             "root_path": "", "server": ("127.0.0.1", 8000), "client": ("10.0.0.1", 5555),
             "headers": [(b"host", b"internal"), (b"x-forwarded-for", b"203.0.113.7"),
                         (b"x-forwarded-proto", b"https"), (b"x-forwarded-host", b"example.org")],
             "extensions": {}}
    msgs = [{"type": "http.request", "body": b"", "more_body": False}]
    async def receive():
        if msgs:
            return msgs.pop(0)
        while not any(m["type"] == "http.response.body" and not m.get("more_body") for m in sent):
            await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}
    async def send(m):
        sent.append(m)
    await mod.app(scope, receive, send)
    print("BODY", b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode())
asyncio.run(probe())
"""


@pytest.mark.parametrize("label, python", interpreters())
def test_rewritten_run_and_proxy_fix_work_on_quart(tmp_path, label, python):
    new = migrate_one(tmp_path, _APP)
    assert 'app.asgi_app = ProxyFixMiddleware(app.asgi_app, mode="legacy", trusted_hops=1)' in new
    assert ('app.run(host="0.0.0.0", port=8000, certfile="cert.pem", keyfile="key.pem", '
            'use_reloader=False)') in new
    work = tmp_path / "run"
    work.mkdir()
    (work / "app.py").write_text(new)
    probe = _PROBE
    run = subprocess.run([python, "-c", probe, str(work)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "RUN ['certfile', 'host', 'keyfile', 'port', 'use_reloader']" in run.stdout
    assert "BODY 203.0.113.7 https example.org" in run.stdout, run.stdout


def test_proxy_fix_with_different_hops_is_marked(tmp_path):
    write_tree(tmp_path, {"app.py": "from flask import Flask\n"
                                    "from werkzeug.middleware.proxy_fix import ProxyFix\n"
                                    "app = Flask(__name__)\n"
                                    "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=2, x_prefix=1)\n"})
    result = engine.run([tmp_path], 1)
    f = next(f for f in result.files if f.rel == "app.py")
    assert b"trusted_hops=2" in f.new
    assert [m.code for _f, m in result.markers] == ["F2Q166"]


def test_flask_group_becomes_quart_group(tmp_path):
    new = migrate_one(tmp_path, "from flask.cli import FlaskGroup\n"
                                "cli = FlaskGroup(create_app=lambda: None)\n")
    assert new == "from quart.cli import QuartGroup\ncli = QuartGroup(create_app=lambda: None)\n"
    from quart.cli import QuartGroup
    import inspect
    inspect.signature(QuartGroup).bind(create_app=lambda: None)


# ---------------------------------------------------------------------------
# rule examples (what `flask2quart explain` shows) are true
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("code, name", [("F2Q110", "requirements.txt"), ("F2Q146", ".env"),
                                        ("F2Q147", "Procfile")])
def test_text_rule_examples(code, name):
    from flask2quart.engine import _text_rules

    (r,) = _text_rules(1, {code})
    for ex in r.info.examples:
        assert r.rewrite(name, ex.before)[0] == ex.after


def test_setup_py_example(tmp_path):
    from flask2quart.rules import load_all

    (ex,) = load_all()["F2Q145"].examples
    head = "from setuptools import setup\n"
    assert migrate_one(tmp_path, head + ex.before, "setup.py") == head + ex.after


def test_setup_cfg_single_line_install_requires(tmp_path):
    out = migrate_tree(tmp_path, {"setup.cfg": "[options]\npython_requires = >=3.13\n"
                                               "install_requires = flask>=3\nzip_safe = False\n"})
    assert out["setup.cfg"] == ("[options]\npython_requires = >=3.13\ninstall_requires =\n"
                                "    quart==0.23.1\n    hypercorn==0.18.0\nzip_safe = False\n")


def test_pip_install_flask_is_marked_only_in_a_flask_project(tmp_path):
    files = {"Dockerfile": "RUN pip install flask==3.1.3\n"}
    assert migrate_tree(tmp_path / "a", files)["Dockerfile"] == files["Dockerfile"]
    out = migrate_tree(tmp_path / "b", {**files, "app.py": "import flask\n"})
    assert out["Dockerfile"].startswith("# flask2quart: F2Q164 installs flask")


def test_no_equivalent_extensions_and_code_are_marked(tmp_path):
    """SocketIO/RESTful/RESTX/smorest: marked at the import by the extension rule (ext_bridge);
    a sync SessionInterface and get_template_attribute: F2Q167/F2Q168. Code stays as it was."""
    write_tree(tmp_path, {"app.py": textwrap.dedent("""\
        from flask import Flask, get_template_attribute
        from flask.sessions import SessionInterface
        from flask_socketio import SocketIO
        from flask_restful import Api
        import flask_restx
        from flask_smorest import Blueprint

        app = Flask(__name__)


        class Sessions(SessionInterface):
            def make_null_session(self, app):
                return None


        def hello():
            return get_template_attribute("macros.html", "hello")
        """)})
    result = engine.run([tmp_path], 1)
    marks = {(m.line, m.code) for _f, m in result.markers}
    assert {3, 4, 5, 6} <= {line for line, _code in marks}
    assert (11, "F2Q167") in marks and (17, "F2Q168") in marks
    new = next(f for f in result.files if f.rel == "app.py").new.decode()
    assert "    def make_null_session(self, app):" in new
    assert 'return get_template_attribute("macros.html", "hello")' in new


def test_hashed_lock_file_is_marked_not_rewritten():
    text = "flask==3.1.3 \\\n    --hash=sha256:abc\nclick==8.1.8 \\\n    --hash=sha256:def\n"
    new, n, marks = D.FrameworkDependency().rewrite("requirements.txt", text)
    assert new == text and n == 0 and [m[0] for m in marks] == ["F2Q169"]
