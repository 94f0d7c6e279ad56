"""Extension verdicts (analysis/extensions.py), the bridge insertion, and the native swaps
(F2Q131 Flask-WTF → quart-wtforms, F2Q132 Flask-CORS → quart-cors) run for real: the migrated
app answers on Quart 0.22 and 0.23.1 as the Flask original does on Flask.
Before/after trees: fixtures/cases/phase1/ext-*.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from flask2quart.analysis import extensions as AX
from flask2quart.analysis.index import ProjectIndex
from flask2quart.analysis.project import load_project
from flask2quart.catalogue import extensions as X
from tests.helpers import interpreters, migrate_tree, write_tree


def _index(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    root = tmp_path / "proj"
    write_tree(root, {k: textwrap.dedent(v) for k, v in files.items()})
    return ProjectIndex(load_project([root]))


# ----------------------------------------------------------------------------- verdicts
def test_usage_verdicts(tmp_path):
    idx = _index(tmp_path, {"app.py": """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy
        from flask_babel import Babel
        import flask_frobnicate
        from flask_wtf.csrf import CSRFProtect
        app = Flask(__name__)
        csrf = CSRFProtect(app)
    """})
    assert AX.extension_usage(idx) == {
        "flask_babel": "swap", "flask_frobnicate": "person",  # quart-babel swap: test_extensions_more
        "flask_sqlalchemy": "bridge", "flask_wtf": "swap",
    }
    assert AX.uses_bridge(idx)


def test_swap_falls_back_to_bridge_when_a_use_is_not_handled(tmp_path):
    idx = _index(tmp_path, {"app.py": """
        from flask_cors import CORS
        from flask import Flask
        app = Flask(__name__)
        CORS(app)   # Flask-CORS's always_send: no quart-cors form
    """})
    assert AX.extension_usage(idx) == {"flask_cors": "bridge"}
    assert AX.uses_bridge(idx)
    [unhandled] = [u for u in AX.uses(idx, "flask_cors") if not u.handled]
    assert "always_send" in unhandled.why and unhandled.line == 5


def test_no_extension_no_bridge(tmp_path):
    idx = _index(tmp_path, {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    assert AX.extension_usage(idx) == {} and not AX.uses_bridge(idx)


def test_facts_are_consistent():
    from flask2quart.bridge import supported as S

    for name, fact in X.EXTENSIONS.items():
        assert fact.flask_module == name
        assert fact.verdict in (X.SWAP, X.BRIDGE, X.PERSON)
        if fact.verdict == X.SWAP:
            # a Quart package to require, or (Quart has it natively) the Flask one dropped
            assert fact.quart_module and bool(fact.quart_requirement) != fact.drops_distribution
        else:
            assert not fact.drops_distribution, name
        if fact.verdict == X.BRIDGE:
            assert S.status(name) == "bridged", name
    assert X.by_distribution("Flask_CORS").flask_module == "flask_cors"


@pytest.mark.parametrize("src,kept", [
    ("CORS(app, origins=r'https://.*\\.example', always_send=False, expose_headers=['X'])", "regex"),
    ("CORS(app, supports_credentials=True, always_send=False, expose_headers=['X'])", "wildcard"),
    ("CORS(app, origins='*', always_send=False, expose_headers=['X'])", "wildcard"),
    ("CORS(app, resources={r'/api/*': {}}, always_send=False, expose_headers=['X'])", "resources"),
    ("CORS(app, always_send=False)", "expose_headers"),
    ("cors = CORS(app, always_send=False, expose_headers=['X'])", "already a name"),
    ("@app.route('/')\n@cross_origin(origins='https://a.example', always_send=False, "
     "expose_headers=['X'])\ndef v():\n    return ''", "Quart 0.23"),
    ("ext = CORS(app, origins=['https://a.example'], always_send=False, expose_headers=['X'])", "kept"),
])
def test_cors_uses_kept_on_bridge(tmp_path, src, kept):
    idx = _index(tmp_path, {"app.py": f"from flask import Flask\nfrom flask_cors import CORS, cross_origin\n"
                                      f"app = Flask(__name__)\n{src}\n"})
    assert AX.extension_usage(idx) == {"flask_cors": "bridge"}
    assert any(kept in u.why for u in AX.uses(idx, "flask_cors") if not u.handled)


@pytest.mark.parametrize("body,why", [
    ("form = F(request.form)", "formdata"),
    ("form = get()\n    form.validate_on_submit()", "not known to be a form"),
    ("F().is_submitted()", "property"),
])
def test_wtf_uses_kept_on_bridge(tmp_path, body, why):
    idx = _index(tmp_path, {"app.py": f"""
from flask import Flask, request
from flask_wtf import FlaskForm
app = Flask(__name__)
class F(FlaskForm):
    pass
@app.route('/')
def v():
    {body}
    return ''
"""})
    assert AX.extension_usage(idx)["flask_wtf"] == "bridge"
    assert any(why in u.why for u in AX.uses(idx, "flask_wtf") if not u.handled)


def test_bridge_import_keeps_aliases_and_other_names(tmp_path):
    out = migrate_tree(tmp_path, {"app.py": (
        "from flask import Flask as F, request, copy_current_request_context\n"
        "from flask_login import LoginManager\n"
        "app = F(__name__)\n"
    )})["app.py"]
    assert out.splitlines()[:3] == [
        "from quart import request",
        "from flask import copy_current_request_context",
        "from flask2quart.bridge import Quart as F",
    ]
    assert "F2Q170 `flask_login` runs through flask2quart.bridge; native: quart-auth" in out


def test_module_attribute_app_class_under_bridge(tmp_path):
    out = migrate_tree(tmp_path, {"app.py": (
        "import flask\nfrom flask_caching import Cache\napp = flask.Flask(__name__)\n"
    )})["app.py"]
    assert "app = flask2quart.bridge.Quart(__name__)" in out
    assert "import flask2quart.bridge" in out
    compile(out, "app.py", "exec")


# ----------------------------------------------------------------------------- runtime
FLASK_APP = """\
from flask import Flask, Blueprint, render_template_string, request
from flask_cors import CORS
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, CSRFError
from wtforms import StringField
from wtforms.validators import DataRequired

app = Flask(__name__)
app.config.update(SECRET_KEY="k", WTF_CSRF_ENABLED=True)
csrf = CSRFProtect(app)
api = Blueprint("api", __name__, url_prefix="/api")
CORS(api, origins=["https://a.example", "https://b.example"], supports_credentials=True,
     expose_headers=["X-Total"], always_send=False)


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


@api.route("/items", methods=["GET", "POST"])
def items():
    return {"items": [1, 2]}, 200, {"X-Total": "2"}


app.register_blueprint(api)


@app.route("/feed")
def feed():
    return {"feed": True}


@app.errorhandler(CSRFError)
def csrf_failed(error):
    return "csrf: " + error.description, 400


@app.route("/form", methods=["GET", "POST"])
def form_view():
    form = NameForm()
    if form.validate_on_submit():
        return "hello " + form.name.data
    return render_template_string("{{ form.csrf_token() }}|{{ form.name.errors|join(',') }}", form=form)
"""

DRIVER = r"""
import asyncio, importlib, inspect, json, re, sys
sys.path.insert(0, sys.argv[1])
app = importlib.import_module("app").app
HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
           "Access-Control-Expose-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Methods")

async def maybe(x):
    return await x if inspect.isawaitable(x) else x

async def main():
    c = app.test_client()
    out = {}
    async def req(key, method, path, **kw):
        r = await maybe(getattr(c, method)(path, **kw))
        body = await maybe(r.get_data(as_text=True))
        # CSRF tokens are random per response
        out[key] = [r.status_code, {h: r.headers.get(h) for h in HEADERS},
                    re.sub(r'value="[^"]+"', 'value="<token>"', body)]
        return body
    await req("api-ok", "get", "/api/items", headers={"Origin": "https://a.example"})
    await req("api-evil", "get", "/api/items", headers={"Origin": "https://evil.example"})
    await req("api-none", "get", "/api/items")
    await req("api-pre", "options", "/api/items", headers={
        "Origin": "https://b.example", "Access-Control-Request-Method": "POST"})
    await req("feed", "get", "/feed", headers={"Origin": "https://x.example"})
    await req("feed-pre", "options", "/feed", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    page = await req("form-get", "get", "/form")
    token = re.search(r'value="([^"]+)"', page).group(1)
    out["form-get"][2] = "token"
    await req("form-nocsrf", "post", "/form", data={"name": "x"}) if "quart" not in sys.modules \
        else await req("form-nocsrf", "post", "/form", form={"name": "x"})
    kw = {"data": {"name": "Ada", "csrf_token": token}} if "quart" not in sys.modules \
        else {"form": {"name": "Ada", "csrf_token": token}}
    await req("form-ok", "post", "/form", **kw)
    kw = {"data": {"name": "", "csrf_token": token}} if "quart" not in sys.modules \
        else {"form": {"name": "", "csrf_token": token}}
    await req("form-invalid", "post", "/form", **kw)
    print(json.dumps(out, sort_keys=True))

asyncio.run(main())
"""


def _drive(python: str, app_dir: Path) -> dict:
    driver = app_dir / "_driver.py"
    driver.write_text(DRIVER)
    proc = subprocess.run([python, str(driver), str(app_dir)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def flask_answers(tmp_path_factory):
    d = tmp_path_factory.mktemp("flask")
    (d / "app.py").write_text(FLASK_APP)
    return _drive(interpreters()[0][1], d)


@pytest.mark.parametrize("label,python", interpreters())
def test_swapped_app_answers_like_flask(tmp_path, flask_answers, label, python):
    out = migrate_tree(tmp_path, {"app.py": FLASK_APP})["app.py"]
    assert "from quart_cors import cors" in out
    assert "from quart_wtf import QuartForm" in out and "flask_wtf" not in out
    assert "flask2quart.bridge" not in out  # nothing left on the bridge
    app_dir = tmp_path / "quart"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(out)
    got = _drive(python, app_dir)
    assert got == flask_answers
