"""Flask-HTTPAuth 4.8, Flask-Moment 1.0 and Bootstrap-Flask 2.6 through the bridge (the stack of
miguelgrinberg/flasky besides Flask-Login/-Mail/-SQLAlchemy/-WTF).

Each app is built by one function for ``flask2quart.bridge.Quart`` (async views, as after phase 1)
and for plain ``flask.Flask`` (sync views: Flask's async views need asgiref), and the bridge must
answer like Flask. Extension callbacks stay sync (verify_password, error_handler, …) except where a
test says otherwise.
"""

from __future__ import annotations

import base64
import datetime
import re

import flask
import flask_moment
import pytest
import quart
from flask_bootstrap import Bootstrap5
from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth, MultiAuth
from flask_moment import Moment
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired

from flask2quart.bridge import Quart

USERS = {"ada": "lovelace", "bob": "builder"}
ROLES = {"ada": ["admin"], "bob": []}
TOKENS = {"tok-ada": "ada", "tok-bob": "bob"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _answer(response) -> tuple:
    """What a client sees, for the bridge (Quart) and for Flask alike."""
    data = response.get_data()
    if not isinstance(data, bytes):
        data = await data
    return response.status_code, response.headers.get("WWW-Authenticate"), response.mimetype, data


# --------------------------------------------------------------------------- Flask-HTTPAuth

def httpauth_app(app_class, asynchronous: bool):
    app = app_class(__name__)
    app.config.update(SECRET_KEY="httpauth", TESTING=True)
    auth = HTTPBasicAuth()                       # default error handler
    custom = HTTPBasicAuth(realm="api")          # flasky: @auth.error_handler -> JSON 401
    token_auth = HTTPTokenAuth(scheme="Bearer")
    either = MultiAuth(custom, token_auth)
    seen = []

    for a in (auth, custom):
        @a.verify_password
        def verify_password(username, password):
            seen.append(username)
            if USERS.get(username) == password:
                return username
            return None

        @a.get_user_roles
        def get_user_roles(user):
            return ROLES[user]

    @custom.error_handler
    def auth_error(status):
        return flask.jsonify(error="invalid credentials", status=status), status

    @token_auth.verify_token
    def verify_token(token):
        return TOKENS.get(token)

    @token_auth.error_handler
    def token_error(status):
        return {"error": "bad token"}, status

    def view(body):
        if asynchronous:
            async def v():
                return body()
        else:
            def v():
                return body()
        return v

    def who(a):
        return lambda: {"user": a.current_user(), "flask_g": flask.g.flask_httpauth_user}

    app.route("/basic", endpoint="basic")(auth.login_required(view(who(auth))))
    app.route("/custom", endpoint="custom")(custom.login_required(view(who(custom))))
    app.route("/admin", endpoint="admin")(custom.login_required(role="admin")(view(who(custom))))
    app.route("/optional", endpoint="optional")(
        auth.login_required(optional=True)(view(lambda: {"user": auth.current_user()}))
    )
    app.route("/token", endpoint="token")(token_auth.login_required(view(who(token_auth))))
    app.route("/either", endpoint="either")(either.login_required(view(lambda: {"user": either.current_user()})))

    # flasky's api blueprint: `@api.before_request @auth.login_required def before_request()`
    bp_class = quart.Blueprint if app_class is Quart else flask.Blueprint
    api = bp_class("api", __name__, url_prefix="/api")

    @api.before_request
    @custom.login_required
    def before_request():
        if custom.current_user() == "bob":
            return flask.jsonify(error="forbidden"), 403
        return None

    api.route("/posts", endpoint="posts")(view(lambda: {"posts": [], "user": custom.current_user()}))
    app.register_blueprint(api)
    return app, seen


HTTPAUTH_REQUESTS = [
    ("/basic", {}),
    ("/basic", basic("ada", "lovelace")),
    ("/basic", basic("ada", "wrong")),
    ("/basic", basic("nobody", "x")),
    ("/custom", {}),
    ("/custom", basic("bob", "builder")),
    ("/custom", basic("bob", "nope")),
    ("/admin", basic("ada", "lovelace")),
    ("/admin", basic("bob", "builder")),
    ("/optional", {}),
    ("/optional", basic("bob", "builder")),
    ("/token", {}),
    ("/token", bearer("tok-bob")),
    ("/token", bearer("forged")),
    ("/token", basic("ada", "lovelace")),
    ("/either", basic("ada", "lovelace")),
    ("/either", bearer("tok-bob")),
    ("/either", {}),
    ("/api/posts", {}),
    ("/api/posts", basic("ada", "lovelace")),
    ("/api/posts", basic("bob", "builder")),
]


@pytest.fixture(params=[True, False], ids=["greenlet", "thread"])
def auth_app(request):
    app, seen = httpauth_app(Quart, asynchronous=True)
    app.config["BRIDGE_SYNC_IN_LOOP"] = request.param
    return app, seen


async def test_basic_auth_401_challenge_and_200(auth_app):
    app, seen = auth_app
    client = app.test_client()
    response = await client.get("/basic")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Authentication Required"'
    assert await response.get_data() == b"Unauthorized Access"
    response = await client.get("/basic", headers=basic("ada", "wrong"))
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    response = await client.get("/basic", headers=basic("ada", "lovelace"))
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    # auth.current_user() and flask.g both hold what verify_password returned
    assert await response.get_json() == {"user": "ada", "flask_g": "ada"}
    assert seen == ["", "ada", "ada"]  # no header: the callback still runs with empty credentials


async def test_custom_error_handler_roles_and_optional(auth_app):
    client = auth_app[0].test_client()
    response = await client.get("/custom", headers=basic("bob", "nope"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="api"'
    assert await response.get_json() == {"error": "invalid credentials", "status": 401}
    response = await client.get("/admin", headers=basic("bob", "builder"))
    assert response.status_code == 403  # authenticated, lacks the role
    assert response.headers["WWW-Authenticate"] == 'Basic realm="api"'  # Flask-HTTPAuth sends it on 403 too
    assert await response.get_json() == {"error": "invalid credentials", "status": 403}
    response = await client.get("/admin", headers=basic("ada", "lovelace"))
    assert (response.status_code, await response.get_json()) == (200, {"user": "ada", "flask_g": "ada"})
    assert await (await client.get("/optional")).get_json() == {"user": None}
    assert await (await client.get("/optional", headers=basic("bob", "builder"))).get_json() == {"user": "bob"}


async def test_token_auth_and_multi_auth(auth_app):
    client = auth_app[0].test_client()
    response = await client.get("/token")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Authentication Required"'
    assert await response.get_json() == {"error": "bad token"}
    assert (await client.get("/token", headers=bearer("forged"))).status_code == 401
    response = await client.get("/token", headers=bearer("tok-bob"))
    assert (response.status_code, await response.get_json()) == (200, {"user": "bob", "flask_g": "bob"})
    assert await (await client.get("/either", headers=bearer("tok-ada"))).get_json() == {"user": "ada"}
    assert await (await client.get("/either", headers=basic("bob", "builder"))).get_json() == {"user": "bob"}
    assert (await client.get("/either")).status_code == 401


async def test_login_required_on_blueprint_before_request(auth_app):
    client = auth_app[0].test_client()
    response = await client.get("/api/posts")
    assert response.status_code == 401
    assert await response.get_json() == {"error": "invalid credentials", "status": 401}
    response = await client.get("/api/posts", headers=basic("bob", "builder"))
    assert (response.status_code, await response.get_json()) == (403, {"error": "forbidden"})
    response = await client.get("/api/posts", headers=basic("ada", "lovelace"))
    assert (response.status_code, await response.get_json()) == (200, {"posts": [], "user": "ada"})


async def test_async_callbacks():
    """Flask-HTTPAuth runs callbacks through current_app.ensure_sync: async ones work too."""
    app = Quart(__name__)
    auth = HTTPBasicAuth()

    @auth.verify_password
    async def verify_password(username, password):
        return username if USERS.get(username) == password else None

    @auth.error_handler
    async def error(status):
        return {"error": status, "path": flask.request.path}, status

    @app.route("/")
    @auth.login_required
    async def index():
        return {"user": auth.current_user()}

    client = app.test_client()
    response = await client.get("/")
    assert (response.status_code, await response.get_json()) == (401, {"error": 401, "path": "/"})
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Authentication Required"'
    response = await client.get("/", headers=basic("bob", "builder"))
    assert (response.status_code, await response.get_json()) == (200, {"user": "bob"})


async def test_httpauth_answers_like_flask(auth_app):
    flask_app, flask_seen = httpauth_app(flask.Flask, asynchronous=False)
    flask_client = flask_app.test_client()
    expected = [await _answer(flask_client.get(path, headers=headers)) for path, headers in HTTPAUTH_REQUESTS]
    bridge_app, bridge_seen = auth_app
    client = bridge_app.test_client()
    got = [await _answer(await client.get(path, headers=headers)) for path, headers in HTTPAUTH_REQUESTS]
    assert [e[0] for e in expected] == [401, 200, 401, 401, 401, 200, 401, 200, 403, 200, 200,
                                        401, 200, 401, 401, 200, 200, 401, 401, 200, 403]
    assert got == expected
    assert bridge_seen == flask_seen and "ada" in bridge_seen


# --------------------------------------------------------------------------- Flask-Moment

WHEN = datetime.datetime(2024, 5, 1, 12, 30, 0)
MOMENT_PAGE = (
    "<html><head>{{ moment.include_moment() }}</head><body>"
    "<p>{{ moment(when).format('LLL') }}</p>"
    "<p>{{ moment(when).fromNow(refresh=True) }}</p>"
    "<p>{{ moment(when, local=True).calendar() }}</p>"
    "</body></html>"
)


def moment_app(app_class):
    app = app_class(__name__)
    moment = Moment(app)
    if app_class is Quart:
        @app.route("/")
        async def index():
            return await quart.render_template_string(MOMENT_PAGE, when=WHEN)
    else:
        @app.route("/")
        def index():
            return flask.render_template_string(MOMENT_PAGE, when=WHEN)

    @app.route("/sync")
    def sync_index():
        # Flask's render_template_string from a sync view (a view phase 1 left sync)
        return flask.render_template_string(MOMENT_PAGE, when=WHEN)

    return app, moment


async def test_moment_include_and_format_in_templates():
    app, moment = moment_app(Quart)
    client = app.test_client()
    response = await client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = await response.get_data(as_text=True)
    assert ('<script src="https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.29.4/moment-with-locales.min.js" '
            'integrity="sha512-42PE0rd') in page
    assert "function flask_moment_render_all()" in page
    assert ('<span class="flask-moment" data-timestamp="2024-05-01T12:30:00Z" data-function="format" '
            'data-format="LLL" data-refresh="0" style="display: none">2024-05-01T12:30:00Z</span>') in page
    assert 'data-function="fromNow" data-refresh="60000"' in page
    assert '<span class="flask-moment" data-timestamp="2024-05-01T12:30:00" data-function="calendar"' in page
    assert app.extensions["moment"] is flask_moment.moment
    sync_page = await (await client.get("/sync")).get_data(as_text=True)
    assert sync_page == page


async def test_moment_renders_like_flask():
    flask_app, _ = moment_app(flask.Flask)
    expected = flask_app.test_client().get("/").get_data(as_text=True)
    app, _ = moment_app(Quart)
    page = await (await app.test_client().get("/")).get_data(as_text=True)
    assert "flask-moment" in expected and page == expected


# --------------------------------------------------------------------------- Bootstrap-Flask

class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Log In")


BOOTSTRAP_PAGE = (
    "{% from 'bootstrap5/form.html' import render_form %}"
    "{% from 'bootstrap5/utils.html' import render_messages %}"
    "<html><head>{{ bootstrap.load_css() }}</head><body>"
    "{{ render_messages() }}{{ render_form(form) }}"
    "{{ bootstrap.load_js() }}</body></html>"
)


def bootstrap_app(app_class, serve_local: bool = True):
    app = app_class(__name__)
    app.config.update(SECRET_KEY="bs", WTF_CSRF_ENABLED=False, BOOTSTRAP_SERVE_LOCAL=serve_local)
    Bootstrap5(app)
    if app_class is Quart:
        @app.route("/login", methods=["GET", "POST"])
        async def login():
            form = LoginForm()
            if form.validate_on_submit():
                flask.flash(f"welcome {form.email.data}", "success")
            return await quart.render_template_string(BOOTSTRAP_PAGE, form=form)
    else:
        @app.route("/login", methods=["GET", "POST"])
        def login():
            form = LoginForm()
            if form.validate_on_submit():
                flask.flash(f"welcome {form.email.data}", "success")
            return flask.render_template_string(BOOTSTRAP_PAGE, form=form)

    return app


async def test_bootstrap_macros_render_through_the_package_templates():
    client = bootstrap_app(Quart).test_client()
    response = await client.get("/login")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = await response.get_data(as_text=True)
    # bootstrap5/form.html and utils.html come through the package blueprint's template folder
    assert re.search(r'<form action="" method="post"\s+class="form" role="form">', page)
    assert '<input class="form-control" id="email" name="email" required type="text" value="">' in page
    assert 'type="password"' in page
    assert '<input class="btn btn-primary btn-md" id="submit" name="submit" type="submit" value="Log In">' in page
    # BOOTSTRAP_SERVE_LOCAL: url_for('bootstrap.static', ...) resolves on the bridge
    assert '<link rel="stylesheet" href="/bootstrap/static/css/bootstrap.min.css">' in page
    assert '<script src="/bootstrap/static/js/bootstrap.min.js"></script>' in page

    response = await client.post("/login", form={"email": "ada@example.com", "password": "x"})
    page = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="alert alert-success' in page and "welcome ada@example.com" in page
    response = await client.post("/login", form={"email": "", "password": ""})
    page = await response.get_data(as_text=True)
    assert "is-invalid" in page and "This field is required." in page

    cdn = bootstrap_app(Quart, serve_local=False).test_client()
    page = await (await cdn.get("/login")).get_data(as_text=True)
    assert '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5' in page
    assert 'integrity="sha384-' in page and "/bootstrap/static/" not in page


@pytest.mark.parametrize("serve_local", [True, False], ids=["local", "cdn"])
async def test_bootstrap_pages_like_flask(serve_local):
    requests = [("GET", "/login", None), ("POST", "/login", {"email": "a@b.c", "password": "p"}),
                ("POST", "/login", {"email": ""})]
    flask_client = bootstrap_app(flask.Flask, serve_local).test_client()
    client = bootstrap_app(Quart, serve_local).test_client()
    for method, path, form in requests:
        expected = flask_client.open(path, method=method, data=form)
        got = await client.open(path, method=method, form=form)
        assert got.status_code == expected.status_code == 200, path
        assert got.mimetype == expected.mimetype == "text/html", path
        body = await got.get_data()
        assert b"form-control" in body and body == expected.get_data(), path


@pytest.mark.xfail(
    strict=True,
    reason="bridge gap: the package's flask.Blueprint static route calls flask.send_from_directory, "
    "which answers 500 on the bridge (Werkzeug passes direct_passthrough; docs/bridge.md hazard 4). "
    "Until it passes, flask_bootstrap is not marked bridged (F2Q171).",
)
@pytest.mark.parametrize("path", ["/bootstrap/static/css/bootstrap.min.css", "/bootstrap/static/js/bootstrap.min.js"])
async def test_bootstrap_static_route_serves_files(path):
    expected = bootstrap_app(flask.Flask).test_client().get(path)
    assert expected.status_code == 200 and b"Bootstrap" in expected.get_data()[:300]
    response = await bootstrap_app(Quart).test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == expected.mimetype
    assert await response.get_data() == expected.get_data()
