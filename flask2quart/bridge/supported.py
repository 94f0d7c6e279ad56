"""Which Flask extensions run on :mod:`flask2quart.bridge` - pure data for the codemod and reports.

Keys are the extension's import name. Each entry:

``status``
    ``"bridged"``: runs unchanged on ``flask2quart.bridge.Quart`` (tested on Quart 0.22 and 0.23
    by ``tests/bridge``). ``"unsupported"``: known not to work on the bridge; needs a native Quart
    replacement or a rewrite.
``tested_versions``
    The extension versions the status was established with (empty when it was derived from the
    extension's source rather than run).
``tested``
    What the tests exercise (bridged entries only).
``native``
    The maintained Quart-side replacement the report should suggest (import name, PyPI name),
    or ``None``.
``notes``
    What a user must know: hazards, limits, how to move off the bridge.

No imports of the extensions (or of Flask/Quart) happen here.
"""

from __future__ import annotations

BRIDGE_IMPORT = "from flask2quart.bridge import Quart"

#: Quart versions every "bridged" entry was tested on.
QUART_VERSIONS = ("0.22.0", "0.23.1")
FLASK_VERSIONS = ("3.1.3",)

EXTENSIONS: dict[str, dict] = {
    "flask_sqlalchemy": {
        "pypi": "Flask-SQLAlchemy",
        "status": "bridged",
        "tested_versions": ("3.1.1",),
        "tested": (
            "db.session in async views, Model.query, first_or_404, get_or_404, db.paginate "
            "(reads request.args), db.create_all() in `async with app.app_context()`, session "
            "removed per request, own session per request under 50 concurrent requests (with and "
            "without an outer app context), own session per asyncio.to_thread worker, 8 parallel "
            "to_thread flushes"
        ),
        "native": {"import": "sqlalchemy.ext.asyncio", "pypi": "SQLAlchemy[asyncio]"},
        "notes": (
            "Queries are synchronous and block the event loop. Every in-flight request holds a "
            "connection across its awaits and an exhausted QueuePool waits on the loop thread, "
            "stalling the process until pool_timeout; the bridge therefore admits at most "
            "pool_size + max_overflow requests at once (BRIDGE_MAX_CONCURRENT_REQUESTS='auto'), so "
            "size the pool for the concurrency you need. The bridge scopes "
            "db.session per (app context, thread): code in asyncio.to_thread/run_in_executor gets "
            "its own session (commit it there); objects loaded on the loop thread belong to the "
            "request's session. Port to AsyncSession in phase 2."
        ),
    },
    "flask_login": {
        "pypi": "Flask-Login",
        "status": "bridged",
        "tested_versions": ("0.6.3",),
        "tested": (
            "login_user, logout_user, current_user, @login_required around async and sync views "
            "(redirect to login_view with next= and flash), user_loader, sync and async "
            "unauthorized_handler, remember cookie (sync after_request), user_logged_in signal, "
            "current_user in templates, 50 concurrent users"
        ),
        "native": {"import": "quart_auth", "pypi": "quart-auth"},
        "notes": (
            "Keep user_loader / request_loader callbacks synchronous (Flask-Login calls them "
            "directly; an async loader would make current_user a coroutine). quart-auth has no "
            "user_loader and returns 401 instead of redirecting."
        ),
    },
    "flask_mail": {
        "pypi": "Flask-Mail",
        "status": "bridged",
        "tested_versions": ("0.10.0",),
        "tested": (
            "mail.send in async views and in an app context, record_messages, default sender, "
            "sending from a threading.Thread with flask.copy_current_request_context"
        ),
        "native": {"import": "aiosmtplib", "pypi": "aiosmtplib"},
        "notes": (
            "mail.send talks SMTP synchronously: on the loop it blocks every request. Send from a "
            "thread (asyncio.to_thread / copy_current_request_context) or port to aiosmtplib. HTML "
            "bodies built with flask.render_template only work from sync code (a sync view, hook "
            "or thread); in async views use `await quart.render_template`."
        ),
    },
    "flask_migrate": {
        "pypi": "Flask-Migrate",
        "status": "bridged",
        "tested_versions": ("4.1.0",),
        "tested": (
            "`quart --app mod:app db init/migrate/upgrade/current` in a subprocess, the same via "
            "app.test_cli_runner() (also from an async test), custom app.cli commands"
        ),
        "native": {"import": "alembic", "pypi": "alembic"},
        "notes": (
            "Works through the `quart` CLI (QUART_APP / --app). All app.cli commands get an app "
            "context, as in Flask; a command must not call asyncio.run itself (use "
            "flask2quart.bridge.await_sync)."
        ),
    },
    "flask_caching": {
        "pypi": "Flask-Caching",
        "status": "bridged",
        "tested_versions": ("2.5.1",),
        "tested": (
            "@cache.cached on async views (the value is cached, not a coroutine), stacked with "
            "login_required and a user decorator, @cache.memoize, cache.get/set"
        ),
        "native": {"import": "aiocache", "pypi": "aiocache"},
        "notes": (
            "Network backends (Redis, Memcached) are synchronous and block the loop; SimpleCache "
            "and FileSystemCache are local. Cached views should return data, not Response objects."
        ),
    },
    "flask_wtf": {
        "pypi": "Flask-WTF",
        "status": "bridged",
        "tested_versions": ("1.3.0",),
        "tested": (
            "FlaskForm() + validate_on_submit() in async views from form and JSON bodies, "
            "FileField/FileRequired uploads, CSRFProtect (form field and X-CSRFToken header), "
            "form.hidden_tag() in Quart templates"
        ),
        "native": {"import": "quart_wtf", "pypi": "quart-wtforms"},
        "notes": (
            "Relies on the body the bridge reads before the view (BRIDGE_PRELOAD_BODY, default "
            "on). The native swap is quart-wtforms (`await Form.create_form()`, `await "
            "form.validate_on_submit()`)."
        ),
    },
    "flask_cors": {
        "pypi": "Flask-CORS",
        "status": "bridged",
        "tested_versions": ("6.0.2",),
        "tested": (
            "CORS(app, origins=..., supports_credentials=...) on 200/404/500/403 responses (its "
            "sync wrappers around app.handle_exception/handle_user_exception), preflight, "
            "@cross_origin on an async view"
        ),
        "native": {"import": "quart_cors", "pypi": "quart-cors"},
        "notes": "Prefer the mechanical swap to quart_cors (cors(app, allow_origin=...)).",
    },
    "flask_httpauth": {
        "pypi": "Flask-HTTPAuth",
        "status": "bridged",
        "tested_versions": ("4.8.1",),
        "tested": (
            "HTTPBasicAuth with verify_password (sync and async): 401 + WWW-Authenticate without or "
            "with bad credentials, 200 with good ones; custom error_handler (sync and async), "
            "get_user_roles + login_required(role=...) (403), login_required(optional=True), "
            "auth.current_user() and g.flask_httpauth_user in async views; HTTPTokenAuth (Bearer) "
            "with verify_token; MultiAuth; @auth.login_required on a blueprint before_request "
            "(flasky's API); status, headers and bodies equal to Flask's, greenlet and thread mode"
        ),
        "native": None,
        "notes": (
            "No Quart port. Callbacks (verify_password, verify_token, get_user_roles, "
            "error_handler) may be sync or async: Flask-HTTPAuth calls them through "
            "current_app.ensure_sync, which the bridge provides. A callback that queries a database "
            "(flasky: User.query / verify_auth_token) blocks the loop like any Flask-SQLAlchemy "
            "query. Flask-HTTPAuth sends WWW-Authenticate on its 403 answers too, as on Flask."
        ),
    },
    "flask_moment": {
        "pypi": "Flask-Moment",
        "status": "bridged",
        "tested_versions": ("1.0.6",),
        "tested": (
            "Moment(app); moment.include_moment(), moment(ts).format(...), fromNow(refresh=True), "
            "calendar() with local=True rendered by `await quart.render_template_string` in async "
            "views and flask.render_template_string in sync views; pages equal to Flask's"
        ),
        "native": None,
        "notes": (
            "Template-only (a context processor and Markup helpers, no I/O): nothing to port. "
            "include_moment() loads moment.js from cdnjs unless local_js= is given."
        ),
    },
    # ------------------------------------------------------------------ unsupported
    "flask_bootstrap": {
        "pypi": "Bootstrap-Flask",
        "status": "unsupported",
        "tested_versions": ("2.6.0",),
        "native": None,
        "notes": (
            "Run on the bridge (tests/bridge/test_httpauth_moment_bootstrap.py): Bootstrap5(app), "
            "bootstrap.load_css()/load_js() and the bootstrap5/form.html and utils.html macros "
            "(render_form, render_messages) render as on Flask, from the CDN or with "
            "BOOTSTRAP_SERVE_LOCAL=True. But the package's static route (a flask.Blueprint "
            "static_folder, served by flask.send_from_directory) answers 500 on the bridge, so with "
            "BOOTSTRAP_SERVE_LOCAL=True the CSS/JS never load; the test is a strict xfail until "
            "the bridge serves flask.Blueprint static files. The abandoned Flask-Bootstrap "
            "3.3.7.1 (same import name, `bootstrap/base.html`, wtf.quick_form) was checked by hand "
            "only, with the same result (pages equal to Flask's, local static route 500). With "
            "the default BOOTSTRAP_SERVE_LOCAL=False (CDN) both render; keep that setting, or serve "
            "the files from the app's own static folder."
        ),
    },
    "flask_restful": {
        "pypi": "Flask-RESTful",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "quart_schema", "pypi": "quart-schema"},
        "notes": (
            "Not run on the bridge. Its Api replaces app.handle_exception/handle_user_exception "
            "with error_router(original, e) partials, which do not match Quart 0.23's (ctx, error) "
            "signature, and subclasses/patches Flask internals. Port resources to "
            "quart.views.MethodView + quart-schema."
        ),
    },
    "flask_restx": {
        "pypi": "flask-restx",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "quart_schema", "pypi": "quart-schema"},
        "notes": "Same design as Flask-RESTful (sync Resource dispatch, error router, make_response).",
    },
    "flask_smorest": {
        "pypi": "flask-smorest",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "quart_schema", "pypi": "quart-schema"},
        "notes": "webargs/marshmallow parse flask.request synchronously inside MethodView dispatch.",
    },
    "flask_socketio": {
        "pypi": "Flask-SocketIO",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "socketio", "pypi": "python-socketio"},
        "notes": (
            "Needs its own server/async mode (eventlet/gevent/threading) and WSGI middleware. Use "
            "native @app.websocket handlers, or python-socketio's AsyncServer wrapped in "
            "socketio.ASGIApp(sio, other_asgi_app=app)."
        ),
    },
    "flask_sock": {
        "pypi": "flask-sock",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "quart", "pypi": "quart"},
        "notes": "WSGI websocket hijacking; rewrite as native @app.websocket handlers.",
    },
    "flask_compress": {
        "pypi": "Flask-Compress",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "quart_compress", "pypi": "quart-compress"},
        "notes": (
            "Not tested on the bridge (the sync response.get_data()/set_data() it needs do work in "
            "sync after_request hooks under the bridge); streaming responses and direct_passthrough "
            "differ in Quart. Swap to quart_compress."
        ),
    },
    "flask_admin": {
        "pypi": "Flask-Admin",
        "status": "unsupported",
        "tested_versions": (),
        "native": None,
        "notes": (
            "Large surface of sync views rendering through Flask's templating, send_file and "
            "WSGI-style request handling; not attempted."
        ),
    },
    "flask_debugtoolbar": {
        "pypi": "Flask-DebugToolbar",
        "status": "unsupported",
        "tested_versions": (),
        "native": None,
        "notes": "Rewrites response bodies and relies on WSGI environ/Werkzeug debugger internals.",
    },
    "flask_session": {
        "pypi": "Flask-Session",
        "status": "unsupported",
        "tested_versions": (),
        "native": {"import": "quart_session", "pypi": "quart-session"},
        "notes": (
            "Not tested; its SessionInterface is a Flask one (Quart awaits make_null_session). "
            "Swap to quart_session (redis/memcached/mongodb/null backends only)."
        ),
    },
}


def status(import_name: str) -> str | None:
    """``"bridged"``, ``"unsupported"`` or ``None`` (unknown) for a top-level import name."""
    entry = EXTENSIONS.get(import_name.split(".", 1)[0])
    return None if entry is None else entry["status"]


def bridged() -> tuple[str, ...]:
    return tuple(name for name, e in EXTENSIONS.items() if e["status"] == "bridged")
