"""Flask extensions: what phase 1 does with each one (pure data, no imports of the extensions).

``verdict``
    ``"swap"``: a rule in ``codemods/phase1/ext_<name>.py`` rewrites the extension's uses to
    its Quart package (only in projects where the rule handles every use; otherwise the project
    keeps the extension on the bridge when the bridge runs it, see
    :func:`flask2quart.analysis.extensions.extension_usage`).
    ``"bridge"``: the extension runs unchanged on ``flask2quart.bridge.Quart``
    (``flask2quart/bridge/supported.py``); phase 1 imports ``Quart`` from the bridge.
    ``"person"``: no automatic form; a marker tells what to do.

Facts about the Quart packages were read from the installed sources (quart-cors 0.8.0,
quart-wtforms 1.0.3) and checked by ``tests/phase1/test_extensions.py`` on Quart 0.22 and 0.23.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtensionFact:
    flask_module: str              # top-level import name, "flask_cors"
    flask_distribution: str        # "flask-cors" (compare normalised: lowercase, -/_/. equal)
    verdict: str                   # "swap" | "bridge" | "person"
    quart_module: str | None       # "quart_cors"
    quart_requirement: str | None  # requirement for a swap, e.g. "quart-cors==0.8.0"
    advice: str
    #: a swap whose Quart side needs no package (Quart has it natively): the dependency rule
    #: removes the Flask distribution from the requirements instead of replacing it
    drops_distribution: bool = False


SWAP, BRIDGE, PERSON = "swap", "bridge", "person"

#: the requirement that brings the bridge (added when any extension stays on it)
BRIDGE_REQUIREMENT = "flask2quart"
BRIDGE_MODULE = "flask2quart.bridge"
BRIDGE_APP = "flask2quart.bridge.Quart"

EXTENSIONS: dict[str, ExtensionFact] = {f.flask_module: f for f in (
    ExtensionFact(
        "flask_cors", "flask-cors", SWAP, "quart_cors", "quart-cors==0.8.0",
        "`CORS(x, ...)` becomes `x = cors(x, ...)` only where quart-cors 0.8.0 answers like "
        "Flask-CORS 6: the call passes `always_send=False`, a non-empty `expose_headers` and "
        "explicit non-regex origins. `@cross_origin` is not swapped: quart-cors's route_cors "
        "answers preflights with a 500 on Quart 0.23. Otherwise quart-cors sends no CORS headers to requests "
        "without an Origin header (Flask-CORS's always_send), an empty "
        "Access-Control-Expose-Headers header, and Vary: Origin on every response, so "
        "Flask-CORS stays on flask2quart.bridge (which runs it unchanged).",
    ),
    ExtensionFact(
        "flask_wtf", "flask-wtf", SWAP, "quart_wtf", "quart-wtforms==1.0.3",
        "`FlaskForm` becomes `QuartForm`, `F()` inside a request becomes "
        "`await F.create_form()`, `form.validate_on_submit()` is awaited, `CSRFProtect` comes "
        "from quart_wtf (quart-wtforms 1.0.3 works on Quart 0.22 and 0.23.1). Forms built "
        "outside a view or with Flask-WTF-only names (RecaptchaField, FileField from "
        "flask_wtf.file, …) keep Flask-WTF on flask2quart.bridge.",
    ),
    ExtensionFact(
        "flask_sqlalchemy", "flask-sqlalchemy", BRIDGE, None, None,
        "runs through flask2quart.bridge; native: SQLAlchemy's asyncio extension "
        "(sqlalchemy.ext.asyncio, port in phase 2)",
    ),
    ExtensionFact(
        "flask_login", "flask-login", BRIDGE, None, None,
        "runs through flask2quart.bridge; native: quart-auth (no user_loader; 401 instead of "
        "a redirect)",
    ),
    ExtensionFact(
        "flask_mail", "flask-mail", BRIDGE, None, None,
        "runs through flask2quart.bridge; native: aiosmtplib (mail.send blocks the loop: send "
        "from a thread)",
    ),
    ExtensionFact(
        "flask_migrate", "flask-migrate", BRIDGE, None, None,
        "runs through flask2quart.bridge (`quart db ...`); native: alembic directly",
    ),
    ExtensionFact(
        "flask_caching", "flask-caching", BRIDGE, None, None,
        "runs through flask2quart.bridge; native: aiocache",
    ),
    ExtensionFact(
        "flask_httpauth", "flask-httpauth", BRIDGE, None, None,
        "runs through flask2quart.bridge (basic and token auth, error_handler, roles, "
        "current_user(); callbacks may be sync or async); no Quart port",
    ),
    ExtensionFact(
        "flask_moment", "flask-moment", BRIDGE, None, None,
        "runs through flask2quart.bridge (template-only: include_moment(), moment(ts).format(...) "
        "in Quart templates); nothing to port",
    ),
    ExtensionFact(
        "flask_bootstrap", "bootstrap-flask", PERSON, None, None,
        "not marked bridged: on flask2quart.bridge its templates and macros render as on Flask "
        "(tested with Bootstrap-Flask 2.6.0; the abandoned Flask-Bootstrap 3.3.7.1, same import "
        "name, checked by hand only), but its static route answers 500 (flask.send_from_directory "
        "does not work on the bridge), so BOOTSTRAP_SERVE_LOCAL=True loses the CSS/JS. Keep "
        "BOOTSTRAP_SERVE_LOCAL=False (CDN, the default) with `from flask2quart.bridge import "
        "Quart`, or copy the files into the app's static folder.",
    ),
    ExtensionFact(
        "flask_babel", "flask-babel", SWAP, "quart_babel", "quart-babel==1.0.7",
        "quart-babel 1.0.7 is a port of Flask-Babel 4 (same names, `Babel(app, "
        "locale_selector=…, timezone_selector=…)`, pytz, works on Quart 0.22 and 0.23.1): the "
        "imports move to quart_babel. Not swapped (not on the bridge; port by hand): "
        "`import flask_babel`, `get_domain`/`get_translations` (in quart_babel.domain), or a "
        "locale/timezone selector that is not a plain sync function or lambda free of request "
        "body access and project calls (quart-babel calls it synchronously; phase 1 could make "
        "it async).",
    ),
    ExtensionFact(
        "flask_session", "flask-session", PERSON, "quart_session", None,
        "not on the bridge (a Flask SessionInterface; Quart awaits its methods). quart-session "
        "3.0.0 imports and serves sessions on Quart 0.22 and 0.23.1, but it is no mechanical "
        "swap of Flask-Session 0.8: backends redis/memcached/mongodb/null only (no filesystem, "
        "sqlalchemy, cachelib, dynamodb); SESSION_REDIS must become a redis.asyncio client and "
        "memcached needs aiomcache; stored sessions are TaggedJSON under uuid4 ids (Flask-Session "
        "0.8: msgpack, token_urlsafe ids), so existing sessions are dropped; SESSION_PROTECTION / "
        "SESSION_REVERSE_PROXY are its own options. Port by hand.",
    ),
    ExtensionFact(
        "flask_compress", "flask-compress", SWAP, "quart_compress", "quart-compress==0.2.1",
        "`Compress(app)` / `init_app` come from quart_compress (quart-compress 0.2.1 works on "
        "Quart 0.22 and 0.23.1). Not swapped (not on the bridge; port by hand): "
        "`@compress.compressed()`, Compress used other than called, or a COMPRESS_* setting "
        "quart-compress ignores (COMPRESS_BR_*, COMPRESS_ZSTD_LEVEL, COMPRESS_DEFLATE_LEVEL, "
        "COMPRESS_STREAMS, COMPRESS_ALGORITHM_STREAMING, COMPRESS_EVALUATE_CONDITIONAL_REQUEST, "
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL) or a COMPRESS_ALGORITHM other than a literal "
        "'gzip' or 'br'.",
    ),
    ExtensionFact(
        "flask_limiter", "flask-limiter", SWAP, "quart_rate_limiter", "quart-rate-limiter==0.12.1",
        "`Limiter(get_remote_address, app=…, default_limits=[…])` becomes `RateLimiter(…)` and "
        "`@limiter.limit('5 per minute')` becomes `@rate_limit(5, timedelta(minutes=1))` "
        "(quart-rate-limiter 0.12.1 works on Quart 0.22 and 0.23.1). Not swapped (not on the "
        "bridge; port by hand): another key_func, storage_uri/strategy/other Limiter options, "
        "RATELIMIT_* settings, exempt/shared_limit/request_filter, limit() options or a "
        "non-literal or month/year limit, default_limits together with route limits "
        "(quart-rate-limiter adds the defaults to a route's limits; Flask-Limiter replaces them), "
        "or a Limiter bound inside a function.",
    ),
    ExtensionFact(
        "flask_sock", "flask-sock", SWAP, "quart", None,
        "`@sock.route('/ws') def h(ws)` becomes a native `@app.websocket('/ws') async def h()` "
        "handler that accepts first (flask-sock accepts before the handler runs); "
        "`ws.receive()` → `await websocket.receive()`, `ws.send(x)` → `await websocket.send(x)`, "
        "`ws.close(reason, message)` → `await websocket.close(reason, message)`; flask-sock is "
        "dropped from the requirements (Quart has websockets). Not swapped (not on the bridge; "
        "port by hand): `ws.receive(timeout=…)` (simple-websocket returns None on timeout), "
        "`ws.connected`, `ws` passed elsewhere or used another way, try/except in a handler "
        "(flask-sock raises ConnectionClosed on a disconnect, Quart cancels the handler: "
        "asyncio.CancelledError), `request` in a handler (Quart: `websocket`), another "
        "decorator on a handler, route options, SOCK_SERVER_OPTIONS.",
        drops_distribution=True,
    ),
    ExtensionFact(
        "flask_socketio", "flask-socketio", PERSON, "socketio", None,
        "needs its own server and WSGI middleware; use native @app.websocket handlers or "
        "python-socketio's AsyncServer with socketio.ASGIApp(sio, other_asgi_app=app).",
    ),
    ExtensionFact(
        "flask_restful", "flask-restful", PERSON, "quart_schema", None,
        "does not run on the bridge (error router and Flask internals); port resources to "
        "quart.views.MethodView + quart-schema.",
    ),
    ExtensionFact(
        "flask_restx", "flask-restx", PERSON, "quart_schema", None,
        "does not run on the bridge; port to quart.views.MethodView + quart-schema.",
    ),
    ExtensionFact(
        "flask_smorest", "flask-smorest", PERSON, "quart_schema", None,
        "does not run on the bridge; port to quart.views.MethodView + quart-schema.",
    ),
    ExtensionFact(
        "flask_admin", "flask-admin", PERSON, None, None,
        "no Quart counterpart and not on the bridge; keep that part on Flask or rewrite it.",
    ),
    ExtensionFact(
        "flask_debugtoolbar", "flask-debugtoolbar", PERSON, None, None,
        "relies on WSGI/Werkzeug debugger internals; remove it for Quart.",
    ),
)}

#: advice for a ``flask_*`` import that is in neither table
UNKNOWN_ADVICE = (
    "unknown Flask extension: not tested on flask2quart.bridge; try it there "
    "(`from flask2quart.bridge import Quart`) or port it by hand"
)


def normalise_distribution(name: str) -> str:
    """PEP 503 name normalisation: ``Flask_CORS`` == ``flask-cors``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def by_distribution(name: str) -> ExtensionFact | None:
    """The fact for a distribution name (any spelling), or None."""
    norm = normalise_distribution(name)
    for fact in EXTENSIONS.values():
        if normalise_distribution(fact.flask_distribution) == norm:
            return fact
    return None


def is_extension_module(name: str | None) -> bool:
    """``flask_cors``, ``flask_wtf.csrf``, … (a ``flask_*`` top-level import, or a known one)."""
    if not name:
        return False
    top = name.split(".", 1)[0]
    return top in EXTENSIONS or top.startswith("flask_")


# --------------------------------------------------------------------------- Flask-CORS → quart-cors
# Read from flask_cors 6.0.2 (core.py DEFAULT_OPTIONS, get_cors_origins, get_cors_headers) and
# quart_cors 0.8.0 (__init__.py DEFAULTS, _apply_cors, _get_origin_if_valid).
CORS_MODULE = "quart_cors"
CORS_CLASS = "flask_cors.CORS"                    # CORS(app_or_bp, **options)
CORS_DECORATOR = "flask_cors.cross_origin"        # @cross_origin(**options)
CORS_NAMES = {CORS_CLASS: "cors", CORS_DECORATOR: "route_cors"}
#: Flask-CORS keyword → quart-cors keyword (``cors`` and ``route_cors`` take the same names).
CORS_KWARGS = {
    "origins": "allow_origin",
    "supports_credentials": "allow_credentials",
    "methods": "allow_methods",
    "allow_headers": "allow_headers",
    "expose_headers": "expose_headers",
    "max_age": "max_age",
}
#: Flask-CORS 6 echoes the request's origin for ``origins='*'`` (send_wildcard=False); quart-cors
#: 0.8.0 sends ``*``, and cannot be told otherwise per call: it computes
#: ``send_origin_wildcard or config default (True)``, so an explicit False is lost. A wildcard
#: (or absent) ``origins`` is therefore not swapped.
CORS_WILDCARD = "*"
#: Flask-CORS serialises ``methods`` (upper-cased) and ``expose_headers`` sorted
#: (core.serialize_option/flexible_str); quart-cors keeps the given order. The swap passes
#: sorted literals, and Flask-CORS's default methods (core.ALL_METHODS) sorted.
CORS_SORTED = ("methods", "expose_headers")
#: ``@cross_origin`` → ``@route_cors`` is not swapped: quart-cors 0.8.0's route_cors answers a
#: preflight with ``await current_app.make_default_options_response()``, whose signature became
#: ``(ctx)`` in Quart 0.23 (quart/app.py:1401) — a 500 on 0.23.1 (tests/phase1/test_extensions.py
#: found it). Flask-CORS stays on the bridge in projects using it.
CORS_DECORATOR_BROKEN = ("`@cross_origin` → `@route_cors`: quart-cors 0.8.0 answers preflight "
                         "requests with a 500 on Quart 0.23 (make_default_options_response(ctx))")
CORS_DEFAULT_METHODS = sorted(["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"])
#: Options that must be passed explicitly for quart-cors to answer like Flask-CORS:
#: ``always_send=False`` (quart-cors never answers a request without Origin) and a non-empty
#: ``expose_headers`` (quart-cors sends an empty Access-Control-Expose-Headers otherwise).
CORS_REQUIRED = ("always_send", "expose_headers")
#: Options dropped in the swap when they have this value (quart-cors behaves so already).
CORS_DROPPED = {"always_send": False, "vary_header": True, "automatic_options": True,
                "send_wildcard": False, "intercept_exceptions": True}
#: Characters that make Flask-CORS treat an origin string as a regex (core.probably_regex).
CORS_REGEX_CHARS = frozenset("*\\]?$^[]()")
#: Marker text for what still differs after a swap (both only matter to caches).
CORS_SWAP_NOTE = ("quart-cors adds Vary: Origin to every response of this app/blueprint "
                  "(Flask-CORS only when the origin varies)")


# --------------------------------------------------------------------------- Flask-WTF → quart-wtforms
WTF_MODULE = "quart_wtf"
#: Flask-WTF name → quart_wtf name (quart-wtforms 1.0.3 exports all of these from ``quart_wtf``).
WTF_NAMES = {
    "flask_wtf.FlaskForm": "QuartForm",
    "flask_wtf.form.FlaskForm": "QuartForm",
    "flask_wtf.CSRFProtect": "CSRFProtect",
    "flask_wtf.csrf.CSRFProtect": "CSRFProtect",
    "flask_wtf.csrf.CSRFError": "CSRFError",
    "flask_wtf.file.FileField": "FileField",
    "flask_wtf.file.FileRequired": "FileRequired",
    "flask_wtf.file.FileAllowed": "FileAllowed",
    "flask_wtf.file.FileSize": "FileSize",
    "flask_wtf.FileField": "FileField",
}
WTF_FORM_BASES = frozenset({"flask_wtf.FlaskForm", "flask_wtf.form.FlaskForm"})
#: ``F(**kw)`` → ``F.create_form(**kw)`` (awaited). quart-wtforms 1.0.3 ``create_form`` drops an
#: explicit ``formdata`` (it reads the request only when formdata is left out), so calls passing
#: one are not swapped.
WTF_CREATE = "create_form"
WTF_FORMDATA = "formdata"
#: methods that are coroutines on QuartForm (``validate_on_submit``, ``validate``)
WTF_ASYNC_METHODS = frozenset({"validate_on_submit", "validate"})
#: methods that changed shape: Flask-WTF's ``is_submitted()`` is a property on QuartForm
WTF_CHANGED_METHODS = frozenset({"is_submitted"})
#: CSRFProtect methods that are coroutines in quart_wtf (a call to them is not swapped)
WTF_ASYNC_CSRF_METHODS = frozenset({"protect"})
#: the Quart name the bridge's app class replaces (``flask.Flask`` → ``quart.Quart`` → bridge)
BRIDGE_REPLACES = "quart.Quart"
#: Flask names a bridge project keeps importing from flask: Quart's
#: ``copy_current_request_context`` turns the function into a coroutine function (a
#: ``threading.Thread`` target would return an un-awaited coroutine); Flask's runs it in a copy of
#: the request context that flask2quart.bridge binds (docs/bridge.md, tests/bridge).
#: ``flask.cli.with_appcontext``: the bridge runs every ``app.cli`` command in an app context
#: (bridge/_cli.py) and Flask's decorator then steps aside; Quart's calls ``asyncio.run`` inside
#: it, which fails when the command is invoked from async code (``test_cli_runner`` in a test).
BRIDGE_KEEP_FLASK = frozenset({"flask.copy_current_request_context", "flask.cli.with_appcontext"})


# --------------------------------------------------------------------------- Flask-Compress → quart-compress
# Read from flask_compress 1.25 (flask_compress.py Compress.init_app/after_request) and
# quart_compress 0.2.1 (quart_compress.py); checked by tests/phase1/test_extensions_more.py.
COMPRESS_MODULE = "quart_compress"
#: Flask-Compress name → quart_compress name (same constructor ``Compress(app=None)`` and
#: ``init_app(app)``).
COMPRESS_NAMES = {"flask_compress.Compress": "Compress"}
#: instance attributes with the same meaning in quart-compress
COMPRESS_METHODS = frozenset({"init_app"})
#: config keys quart-compress 0.2.1 reads (init_app defaults); every other COMPRESS_* key of
#: Flask-Compress 1.25 is ignored by it, so a project setting one is not swapped.
COMPRESS_HONOURED = frozenset({
    "COMPRESS_MIMETYPES", "COMPRESS_LEVEL", "COMPRESS_MIN_SIZE", "COMPRESS_CACHE_KEY",
    "COMPRESS_CACHE_BACKEND", "COMPRESS_REGISTER", "COMPRESS_ALGORITHM",
})
COMPRESS_PREFIX = "COMPRESS_"
#: quart-compress takes one algorithm name and compares it with ``==``: a list (Flask-Compress's
#: form) or "zstd"/"deflate" would compress with nothing (set_data(None) fails).
COMPRESS_ALGORITHM_KEY = "COMPRESS_ALGORITHM"
COMPRESS_ALGORITHMS = frozenset({"gzip", "br"})
#: what still differs after a swap (the runtime test asserts the Vary part)
COMPRESS_SWAP_NOTE = (
    "quart-compress 0.2.1 compresses with the one COMPRESS_ALGORITHM (default gzip; Flask-Compress "
    "1.25 picks zstd/br/gzip/deflate from Accept-Encoding), compresses 5 mimetypes by default "
    "(Flask-Compress 27, e.g. text/plain), sends Vary: Accept-Encoding only on compressed "
    "responses, does not suffix ETags and buffers streamed responses; set COMPRESS_ALGORITHM and "
    "COMPRESS_MIMETYPES explicitly if it matters")


# --------------------------------------------------------------------------- Flask-Limiter → quart-rate-limiter
# Read from flask_limiter 4.1.1 (_extension.py, util.py), limits 5.8.0 (util.py SINGLE_EXPR,
# limits.py TIME_TYPES) and quart_rate_limiter 0.12.1 (__init__.py); checked by
# tests/phase1/test_extensions_more.py on Quart 0.22 and 0.23.1.
LIMITER_MODULE = "quart_rate_limiter"
LIMITER_CLASS = "flask_limiter.Limiter"
LIMITER_NEW_CLASS = "RateLimiter"
LIMITER_DECORATOR = "rate_limit"
LIMITER_LIMIT = "RateLimit"
LIMITER_PERIOD = "datetime.timedelta"
#: Flask-Limiter names the swap rewrites; get_remote_address becomes a generated key function
LIMITER_NAMES = {LIMITER_CLASS: LIMITER_NEW_CLASS}
LIMITER_REMOTE_ADDRESS = "flask_limiter.util.get_remote_address"
#: quart-rate-limiter's default key is ``request.access_route[0]`` (the first X-Forwarded-For
#: entry, which a client can set); Flask-Limiter's get_remote_address is
#: ``request.remote_addr or "127.0.0.1"``. The swap passes this key function instead.
LIMITER_KEY_HELPER = "_remote_address"
LIMITER_KEY_HELPER_SOURCE = ('async def {name}():\n'
                             '    return request.remote_addr or "127.0.0.1"\n')
LIMITER_REQUEST = "quart.request"
#: Limiter keywords the swap maps (everything else keeps Flask-Limiter)
LIMITER_KWARGS = frozenset({"key_func", "app", "default_limits"})
LIMITER_KEY_KWARG, LIMITER_APP_KWARG, LIMITER_DEFAULTS_KWARG = "key_func", "app", "default_limits"
LIMITER_NEW_KWARGS = {"key_func": "key_function", "default_limits": "default_limits"}
#: instance attributes the swap handles: ``@x.limit("…")`` and ``x.init_app(app)``
LIMITER_LIMIT_METHOD = "limit"
LIMITER_METHODS = frozenset({"init_app", LIMITER_LIMIT_METHOD})
LIMITER_CONFIG_PREFIX = "RATELIMIT_"
#: limits' grammar (limits/util.py SEPARATORS, SINGLE_EXPR) and the granularities with a
#: timedelta keyword (month = 30 days and year = 360 days in limits: not swapped)
LIMIT_SEPARATORS = r"[,;|]"
LIMIT_EXPR = r"\s*([0-9]+)\s*(?:/|\s*per\s*)\s*([0-9]+)?\s*([a-z]+)\s*"
LIMIT_UNITS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days"}
LIMITER_SWAP_NOTE = (
    "quart-rate-limiter 0.12.1 uses GCRA (Flask-Limiter's default: fixed window): after a burst "
    "one request per period/count is let through instead of a full new window; its 429 has a "
    "generic description instead of the limit and a Retry-After header, limited routes send "
    "RateLimit-Limit/-Remaining/-Reset headers, and default limits also count the static route")


# --------------------------------------------------------------------------- Flask-Babel → quart-babel
# quart_babel 1.0.7 copies Flask-Babel 4.0.0 (core.py/domain.py/formatters.py/locale.py/
# timezone.py/utils.py side by side; same Babel methods); checked by
# tests/phase1/test_extensions_more.py on Quart 0.22 and 0.23.1 (translations, plurals, lazy
# strings, force_locale, formatters, Jinja i18n).
BABEL_MODULE = "quart_babel"
#: names exported by both flask_babel 4.0.0 and quart_babel 1.0.7 with the same meaning
BABEL_NAMES = frozenset({
    "Babel", "BabelConfiguration", "Domain", "LazyString", "_", "force_locale",
    "format_currency", "format_date", "format_datetime", "format_decimal", "format_number",
    "format_percent", "format_scientific", "format_time", "format_timedelta", "get_babel",
    "get_locale", "get_timezone", "gettext", "lazy_gettext", "lazy_ngettext", "lazy_npgettext",
    "lazy_pgettext", "ngettext", "npgettext", "pgettext", "refresh", "to_user_timezone", "to_utc",
})
#: selectors quart-babel calls synchronously (quart_babel/locale.py get_locale,
#: timezone.py get_timezone): they must stay sync after phase 1
BABEL_SELECTORS = frozenset({"locale_selector", "timezone_selector"})


# --------------------------------------------------------------------------- Flask-Sock → Quart websockets
# Read from flask_sock 0.7.0 (__init__.py: Sock(app=None), init_app registers the blueprint
# "__flask_sock" holding routes declared before an app was known, route(path, bp=None, **kw)
# calls f(ws, *args, **kwargs) after the handshake, swallows ConnectionClosed, then ws.close()),
# simple_websocket 1.1.0 (ws.py Base.send/receive(timeout=None)/close(reason=None, message=None):
# close sends CloseConnection(reason or 1000, message)) and quart 0.22.0 / 0.23.1
# (wrappers/websocket.py receive/send/accept/close(code, reason=""), asgi.py accept_connection is
# idempotent); checked by tests/phase1/test_extensions_more.py on Quart 0.22 and 0.23.1.
SOCK_MODULE = "quart"
SOCK_CLASS = "flask_sock.Sock"
SOCK_NAMES = frozenset({SOCK_CLASS})
SOCK_ROUTE = "route"                   # @sock.route(path, bp=None)
SOCK_ROUTE_BP = "bp"
SOCK_INIT_APP = "init_app"
SOCK_WEBSOCKET = "websocket"           # @app.websocket(path) / @bp.websocket(path)
#: Sock() without an app collects routes on this blueprint and init_app registers it (the same
#: endpoint names, "__flask_sock.<handler>")
SOCK_BLUEPRINT = 'Blueprint("__flask_sock", __name__)'
SOCK_BLUEPRINT_CLASS = "Blueprint"
SOCK_REGISTER = "{app}.register_blueprint({sock})"
#: the Quart object a handler talks to instead of its ``ws`` parameter
SOCK_WEBSOCKET_OBJECT = "websocket"
#: flask-sock accepts the connection before the handler runs; Quart at the first send/receive
#: (or never, if the handler does neither): the swap accepts first
SOCK_ACCEPT = "await websocket.accept()"
#: ws methods → (Quart template, allowed positional count, allowed keywords)
SOCK_METHODS = {
    "receive": ("await websocket.receive()", 0, ()),
    "send": ("await websocket.send({a0})", 1, ()),
    "close": ("await websocket.close({code}{reason})", 2, ("reason", "message")),
}
SOCK_CLOSE_DEFAULT = "1000"            # simple-websocket: CloseConnection(reason or 1000, …)
SOCK_CONFIG = "SOCK_SERVER_OPTIONS"
#: names whose use in a handler body keeps the extension (no exact Quart counterpart)
SOCK_REQUEST = "request"               # Quart's request context is absent in a websocket
