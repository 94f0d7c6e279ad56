"""The one table of Flask → Quart facts that every rule reads.

No transformer spells a Flask or Quart API name itself: it asks this module.
Each fact names where it was verified (Quart 0.22.0 / 0.23.1 source, file:line
inside ``site-packages/quart``); ``tests/test_catalogue.py`` re-checks the facts
against the installed packages so a new Quart release that changes one fails CI.

Names are *canonical*: ``flask.X`` and ``quart.X`` both canonicalise to the same
fact key (``fw.X``), so rules see already-migrated code the same way as Flask code.
That is what makes a second run a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

FW = "fw"  # canonical prefix for "the framework" (flask or quart)

# ---------------------------------------------------------------------------
# 1. Modules and names
# ---------------------------------------------------------------------------

#: Flask module → Quart module (each exists in Quart 0.22 and 0.23).
MODULES: dict[str, str] = {
    "flask": "quart",
    "flask.app": "quart.app",
    "flask.blueprints": "quart.blueprints",
    "flask.cli": "quart.cli",
    "flask.config": "quart.config",
    "flask.ctx": "quart.ctx",
    "flask.globals": "quart.globals",
    "flask.helpers": "quart.helpers",
    "flask.json": "quart.json",
    "flask.json.provider": "quart.json.provider",
    "flask.json.tag": "quart.json.tag",
    "flask.logging": "quart.logging",
    "flask.sessions": "quart.sessions",
    "flask.signals": "quart.signals",
    "flask.templating": "quart.templating",
    "flask.testing": "quart.testing",
    "flask.typing": "quart.typing",
    "flask.views": "quart.views",
    "flask.wrappers": "quart.wrappers",
}

#: Names whose spelling changes (module-qualified, Flask side → Quart side).
RENAMES: dict[str, str] = {
    "flask.Flask": "quart.Quart",
    "flask.app.Flask": "quart.app.Quart",
    "flask.testing.FlaskClient": "quart.testing.QuartClient",
    "flask.testing.FlaskCliRunner": "quart.testing.QuartCliRunner",
    "flask.cli.FlaskGroup": "quart.cli.QuartGroup",
}

#: Flask names with no Quart equivalent: importing them is left in place with a marker.
#: (quart_api.md §1h; checked by ``tests/test_catalogue.py``.)
NO_EQUIVALENT: dict[str, str] = {
    "flask.ctx.RequestContext": "Quart 0.23 merged the request context into AppContext",
    "flask.globals.request_ctx": "no request_ctx in Quart; use quart.request / quart.globals",
    "flask.globals._cv_request": "private Flask context variable; no Quart counterpart",
    "flask.cli.run_simple": "Quart runs on an ASGI server (hypercorn)",
    "flask.cli.CertParamType": "no Quart counterpart",
    "flask.testing.EnvironBuilder": "Quart's test client has no WSGI environ builder",
    "flask.debughelpers": "no quart.debughelpers module",
    "flask.scaffold": "no quart.scaffold module",
    "flask.sansio": "Quart builds on flask.sansio itself; import it from flask on purpose",
    "flask.logging.wsgi_errors_stream": "no WSGI errors stream under ASGI",
}


FLASK_PACKAGE = "flask"
QUART_PACKAGE = "quart"


def is_flask_module(name: str | None) -> bool:
    """``flask`` or one of its submodules (a name to rewrite)."""
    return bool(name) and (name == FLASK_PACKAGE or name.startswith(FLASK_PACKAGE + "."))


def quart_name(flask_qualname: str) -> str | None:
    """Map ``flask.x.Y`` to its Quart spelling, or None when there is none."""
    if flask_qualname in NO_EQUIVALENT:
        return None
    if flask_qualname in RENAMES:
        return RENAMES[flask_qualname]
    parts = flask_qualname.split(".")
    # longest module prefix that has a Quart counterpart
    for i in range(len(parts), 0, -1):
        mod = ".".join(parts[:i])
        if mod in NO_EQUIVALENT:
            return None
        if mod in MODULES:
            return ".".join([MODULES[mod], *parts[i:]])
    return None


def canonical(qualname: str | None) -> str | None:
    """``flask.request`` / ``quart.request`` → ``fw.request``; anything else → None.

    Renamed names canonicalise to their Flask spelling (``quart.Quart`` → ``fw.Flask``).
    """
    if not qualname:
        return None
    if qualname in BRIDGE_NAMES:
        return BRIDGE_NAMES[qualname]
    for quart_side, flask_side in _REVERSE_RENAMES.items():
        if qualname == quart_side:
            qualname = flask_side
            break
    head = qualname.split(".", 1)
    if head[0] not in ("flask", "quart"):
        return None
    # collapse submodule spellings of the public names (flask.helpers.url_for → fw.url_for)
    rest = head[1] if len(head) > 1 else ""
    leaf = rest.rsplit(".", 1)[-1] if rest else ""
    if leaf in PUBLIC_TOPLEVEL and rest.split(".")[0] in _SUBMODULES_REEXPORTED:
        return f"{FW}.{leaf}"
    return f"{FW}.{rest}" if rest else FW


_REVERSE_RENAMES = {v: k for k, v in RENAMES.items()}
#: Names phase 1 writes that stand for a framework name (a project migrated onto the
#: extension bridge creates its app with flask2quart.bridge.Quart, a quart.Quart subclass).
BRIDGE_NAMES: dict[str, str] = {"flask2quart.bridge.Quart": f"{FW}.Flask",
                                "flask2quart.bridge.app.Quart": f"{FW}.Flask"}
_SUBMODULES_REEXPORTED = {
    "helpers", "globals", "templating", "wrappers", "app", "blueprints", "json", "ctx",
    "signals", "config",
}

#: Public top-level names shared by ``flask`` and ``quart`` (verified by introspection).
PUBLIC_TOPLEVEL = frozenset(
    """Blueprint Config Flask Quart Request Response abort after_this_request
    appcontext_popped appcontext_pushed appcontext_tearing_down before_render_template
    copy_current_request_context current_app flash g get_flashed_messages
    get_template_attribute got_request_exception has_app_context has_request_context
    json jsonify make_response message_flashed redirect render_template
    render_template_string request request_finished request_started request_tearing_down
    send_file send_from_directory session stream_template stream_template_string
    stream_with_context template_rendered url_for""".split()
)

# ---------------------------------------------------------------------------
# 2. Object kinds and what must be awaited on them
# ---------------------------------------------------------------------------


class Kind(str, Enum):
    """What an expression is, as far as migration cares."""

    APP = "app"                  # Flask/Quart application object (incl. current_app)
    BLUEPRINT = "blueprint"
    REQUEST = "request"          # the request proxy
    FILES = "files"              # awaited request.files (MultiDict of FileStorage)
    FILESTORAGE = "filestorage"  # one uploaded file
    RESPONSE = "response"        # a framework Response object
    MODULE_FW = "module"         # the flask/quart module object
    TEST_CLIENT = "test_client"      # app.test_client() (quart.testing.QuartClient)
    TEST_RESPONSE = "test_response"  # what a test-client request returns (a Response)
    CLI_RUNNER = "cli_runner"        # app.test_cli_runner()
    APP_CONTEXT = "app_context"      # app.app_context() / app.test_request_context(), not entered


#: Global names (canonical) and the kind of object they are.
GLOBAL_KINDS: dict[str, Kind] = {
    "fw.request": Kind.REQUEST,
    "fw.current_app": Kind.APP,
}

#: Constructors (canonical) and the kind of what they return.
CONSTRUCTOR_KINDS: dict[str, Kind] = {
    "fw.Flask": Kind.APP,
    "fw.Blueprint": Kind.BLUEPRINT,
    "fw.Response": Kind.RESPONSE,
    "fw.jsonify": Kind.RESPONSE,
    "fw.redirect": Kind.RESPONSE,
    # awaited in Quart, a Response once awaited:
    "fw.make_response": Kind.RESPONSE,
    "fw.send_file": Kind.RESPONSE,
    "fw.send_from_directory": Kind.RESPONSE,
}


@dataclass(frozen=True)
class Awaitable:
    """An API that is a coroutine (call) or awaitable property in Quart."""

    name: str
    is_property: bool
    evidence: str


#: Top-level functions that are coroutines in Quart (quart/templating.py, quart/helpers.py).
AWAITABLE_FUNCTIONS: dict[str, Awaitable] = {
    f"{FW}.{a.name}": a
    for a in (
        Awaitable("render_template", False, "quart/templating.py:48"),
        Awaitable("render_template_string", False, "quart/templating.py:64"),
        Awaitable("stream_template", False, "quart/templating.py:105"),
        Awaitable("stream_template_string", False, "quart/templating.py:124"),
        Awaitable("make_response", False, "quart/helpers.py:69"),
        Awaitable("send_file", False, "quart/helpers.py:304"),
        Awaitable("send_from_directory", False, "quart/helpers.py:264"),
        Awaitable("flash", False, "quart/helpers.py:99"),
        Awaitable("make_push_promise", False, "quart/helpers.py:89"),
    )
}

#: Members that are awaitable per object kind.
AWAITABLE_MEMBERS: dict[Kind, dict[str, Awaitable]] = {
    Kind.REQUEST: {
        a.name: a
        for a in (
            Awaitable("get_json", False, "quart/wrappers/request.py:368"),
            Awaitable("json", True, "quart/wrappers/request.py:364"),
            Awaitable("get_data", False, "quart/wrappers/request.py:270"),
            Awaitable("data", True, "quart/wrappers/request.py:251"),
            Awaitable("form", True, "quart/wrappers/request.py:319"),
            Awaitable("files", True, "quart/wrappers/request.py:328"),
            Awaitable("values", True, "quart/wrappers/request.py:300"),
            Awaitable("close", False, "quart/wrappers/request.py:415"),
            Awaitable("send_push_promise", False, "quart/wrappers/request.py:422"),
        )
    },
    Kind.RESPONSE: {
        a.name: a
        for a in (
            Awaitable("get_data", False, "quart/wrappers/response.py:320"),
            Awaitable("data", True, "quart/wrappers/response.py:343"),
            Awaitable("get_json", False, "quart/wrappers/response.py:355"),
            Awaitable("json", True, "quart/wrappers/response.py:351"),
            Awaitable("make_conditional", False, "quart/wrappers/response.py:432"),
            Awaitable("add_etag", False, "quart/wrappers/response.py:479"),
            Awaitable("freeze", False, "quart/wrappers/response.py:475"),
        )
    },
    Kind.FILESTORAGE: {
        "save": Awaitable("save", False, "quart/datastructures.py:26"),
    },
    Kind.APP: {
        a.name: a
        for a in (
            Awaitable("make_response", False, "quart/app.py:1406"),
            Awaitable("send_static_file", False, "quart/app.py:367"),
            Awaitable("open_resource", False, "quart/app.py:372"),
            Awaitable("open_instance_resource", False, "quart/app.py:391"),
        )
    },
    Kind.BLUEPRINT: {
        a.name: a
        for a in (
            Awaitable("send_static_file", False, "quart/blueprints.py:90"),
            Awaitable("open_resource", False, "quart/blueprints.py:95"),
        )
    },
}

#: App methods that return a context object (used with ``with``: ASYNC_CONTEXT_METHODS; or
#: pushed and popped by hand, as unittest ``setUp``/``tearDown`` do).
APP_CONTEXT_FACTORIES: dict[str, Kind] = {
    "app_context": Kind.APP_CONTEXT,
    "test_request_context": Kind.APP_CONTEXT,
}
#: ``ctx.push()`` / ``ctx.pop()`` are coroutines in Quart: AppContext and RequestContext on
#: 0.22 (quart/ctx.py:152,156,261,268), the one AppContext on 0.23 (quart/ctx.py:149,177);
#: ``pop``'s exception argument has a default in both.
AWAITABLE_MEMBERS[Kind.APP_CONTEXT] = {
    a.name: a
    for a in (
        Awaitable("push", False, "quart/ctx.py:261 (0.22), :149 (0.23)"),
        Awaitable("pop", False, "quart/ctx.py:268 (0.22), :177 (0.23)"),
    )
}

#: Flask's ``request.json`` / ``get_json()`` (no force, not silent) answer 415 when the
#: Content-Type is not JSON (werkzeug/wrappers/request.py:655-662, ``on_json_loading_failed``);
#: Quart's return None (quart/wrappers/request.py:374-375). The rewrite keeps Flask's answer.
JSON_STRICT_MEMBERS = frozenset({"json", "get_json"})
JSON_415_DESCRIPTION = (
    "Did not attempt to load JSON data because the request Content-Type was not"
    " 'application/json'."
)
ABORT = "quart.abort"
ABORT_MODULE = "quart"

#: Request members that, once awaited, give a MultiDict of uploaded files.
FILES_MEMBERS = frozenset({"files"})
#: MultiDict accessors that give one FileStorage (or a list of them for getlist).
FILES_ITEM_ACCESSORS = frozenset({"get", "__getitem__"})
FILES_LIST_ACCESSORS = frozenset({"getlist", "values"})

#: App methods that build a Response (flask/app.py make_response, ``response_class``).
APP_RESPONSE_FACTORIES = frozenset({"make_response", "response_class"})
RESPONSE_CLASS = "fw.Response"

#: Methods that open a resource: awaited they return an aiofiles context manager
#: (``async with await app.open_resource(p) as f: await f.read()``, quart/app.py:372).
#: Their sync equivalent, kept for code that must stay sync (CLI commands):
#: Flask's ``open(os.path.join(root_path, resource), mode)`` (flask/sansio/scaffold.py).
OPEN_RESOURCE_METHODS = frozenset({"open_resource", "open_instance_resource"})
OPEN_RESOURCE_READ = "read"
#: Flask's own definition, written out: ``{obj}``/``{res}``/``{mode}`` are the call's parts.
OPEN_RESOURCE_SYNC_TEMPLATE = "open(os.path.join({obj}.root_path, {res}), {mode})"
OPEN_RESOURCE_SYNC_IMPORT = "os"
OPEN_RESOURCE_DEFAULT_MODE = "'rb'"

# ---------------------------------------------------------------------------
# 3. Registration: views and hooks
# ---------------------------------------------------------------------------


class HookMode(str, Enum):
    ASYNC_OK = "async-ok"    # Quart awaits it via ensure_async: may become async
    MUST_SYNC = "must-sync"  # Quart calls it directly: must stay sync
    VIEW = "view"


#: Decorator methods on an app or blueprint, and what the decorated function is.
#: quart_api.md §1f; app.py:1549 (before_request), :1690 (after_request), :1200, :1247,
#: :1020 (errorhandler), :449 (context_processor); url_value_preprocessor is called
#: directly (app.py:1545), url_defaults (flask/sansio/app.py:930), shell_context (app.py:755).
REGISTRATION_METHODS: dict[str, HookMode] = {
    "route": HookMode.VIEW,
    "get": HookMode.VIEW,
    "post": HookMode.VIEW,
    "put": HookMode.VIEW,
    "delete": HookMode.VIEW,
    "patch": HookMode.VIEW,
    "before_request": HookMode.ASYNC_OK,
    "before_app_request": HookMode.ASYNC_OK,
    "after_request": HookMode.ASYNC_OK,
    "after_app_request": HookMode.ASYNC_OK,
    "teardown_request": HookMode.ASYNC_OK,
    "teardown_app_request": HookMode.ASYNC_OK,
    "teardown_appcontext": HookMode.ASYNC_OK,
    "errorhandler": HookMode.ASYNC_OK,
    "app_errorhandler": HookMode.ASYNC_OK,
    "register_error_handler": HookMode.ASYNC_OK,
    "context_processor": HookMode.ASYNC_OK,
    "app_context_processor": HookMode.ASYNC_OK,
    "url_value_preprocessor": HookMode.MUST_SYNC,
    "app_url_value_preprocessor": HookMode.MUST_SYNC,
    "url_defaults": HookMode.MUST_SYNC,
    "app_url_defaults": HookMode.MUST_SYNC,
    "shell_context_processor": HookMode.MUST_SYNC,
    # Jinja filters/globals/tests: kept sync (an async one changes template semantics)
    "template_filter": HookMode.MUST_SYNC,
    "app_template_filter": HookMode.MUST_SYNC,
    "template_global": HookMode.MUST_SYNC,
    "app_template_global": HookMode.MUST_SYNC,
    "template_test": HookMode.MUST_SYNC,
    "app_template_test": HookMode.MUST_SYNC,
    "add_template_filter": HookMode.MUST_SYNC,
    "add_template_global": HookMode.MUST_SYNC,
}

#: Registration methods that take the function as an argument (not as decorator):
#: method → (positional index of the callable, keyword name).
REGISTRATION_CALL_ARGS: dict[str, tuple[int, str]] = {
    "add_url_rule": (2, "view_func"),
    "register_error_handler": (1, "f"),
    "before_request": (0, "f"),
    "before_app_request": (0, "f"),
    "after_request": (0, "f"),
    "after_app_request": (0, "f"),
    "teardown_request": (0, "f"),
    "teardown_app_request": (0, "f"),
    "teardown_appcontext": (0, "f"),
    "context_processor": (0, "f"),
    "app_context_processor": (0, "f"),
    "url_value_preprocessor": (0, "f"),
    "url_defaults": (0, "f"),
    "shell_context_processor": (0, "f"),
}

#: Hooks whose first parameter is a Response object.
RESPONSE_PARAM_HOOKS = frozenset({"after_request", "after_app_request"})

#: ``after_this_request`` callbacks may be async (quart/app.py:1685).
AFTER_THIS_REQUEST = "fw.after_this_request"

#: Class-based views: methods that are views (quart/views.py:55,128).
VIEW_BASES = frozenset({"fw.views.View", "fw.views.MethodView"})
VIEW_METHODS = frozenset(
    {"dispatch_request", "get", "post", "put", "delete", "patch", "head", "options"}
)

#: Context managers that are async in Quart (quart/ctx.py:243; app.py:1304).
ASYNC_CONTEXT_METHODS: dict[Kind, frozenset[str]] = {
    Kind.APP: frozenset({"app_context", "test_request_context", "test_app"}),
}

# ---------------------------------------------------------------------------
# 4. CLI, streaming, send_file
# ---------------------------------------------------------------------------

#: Quart's AppGroup.command defaults with_appcontext to False (quart/cli.py:318-330);
#: Flask pushes an app context for every command (flask/cli.py:420).
CLI_WITH_APPCONTEXT = "fw.cli.with_appcontext"
CLI_WITH_APPCONTEXT_IMPORT = ("quart.cli", "with_appcontext")
CLI_WITH_APPCONTEXT_KWARG = "with_appcontext"
#: ``app.cli`` / ``bp.cli`` and the AppGroup methods that define or add commands.
CLI_ATTR = "cli"
CLI_COMMAND_METHODS = frozenset({"command", "group"})
CLI_ADD_COMMAND = "add_command"
CLICK_COMMAND_DECORATORS = frozenset({"click.command", "click.group"})

STREAM_WITH_CONTEXT = "fw.stream_with_context"
SEND_FILE = "fw.send_file"
SEND_FROM_DIRECTORY = "fw.send_from_directory"
#: Quart cuts every response at RESPONSE_TIMEOUT (asgi.py:106-111) unless
#: ``response.timeout = None``; Flask has no such limit.
RESPONSE_TIMEOUT_ATTR = "timeout"

#: send_file / send_from_directory keyword renames (quart/helpers.py:264,304 vs
#: flask/helpers.py:407,533). Value None means "no equivalent: marker".
SEND_FILE_KWARGS: dict[str, str | None] = {
    "download_name": "attachment_filename",
    "max_age": "cache_timeout",
    "etag": "add_etags",
    "path_or_file": "filename_or_io",
    "environ": None,
}
SEND_FROM_DIRECTORY_KWARGS: dict[str, str | None] = {
    **SEND_FILE_KWARGS,
    "path": "file_name",
}
#: Flask's send_file defaults conditional=True; Quart's send_file defaults it to False.
SEND_FILE_DEFAULTS_TO_KEEP: dict[str, str] = {"conditional": "True"}
#: Positional parameters that keep their meaning in both (path, mimetype, as_attachment).
SEND_FILE_SAFE_POSITIONAL = 3
SEND_FROM_DIRECTORY_SAFE_POSITIONAL = 2

# ---------------------------------------------------------------------------
# 5. Dependencies (phase 1 keeps to the framework itself; extensions: see extensions issue)
# ---------------------------------------------------------------------------

#: Quart releases that run the migrated code, by Python version (quart 0.23 needs 3.13).
QUART_REQUIREMENT_LINES: tuple[str, ...] = (
    'quart==0.22.0; python_version < "3.13"',
    'quart==0.23.1; python_version >= "3.13"',
)
FRAMEWORK_DISTRIBUTION = "flask"

# ---------------------------------------------------------------------------
# 6. Test client (quart_api.md §4; quart/testing/client.py, testing/utils.py,
#    wrappers/response.py, identical in Quart 0.22.0 and 0.23.1)
# ---------------------------------------------------------------------------

#: App methods that build test objects, and the kind they return (quart/app.py test_client,
#: test_cli_runner; sync in both frameworks).
TEST_FACTORY_KINDS: dict[str, Kind] = {
    "test_client": Kind.TEST_CLIENT,
    "test_cli_runner": Kind.CLI_RUNNER,
}
#: every app method whose result has a kind of its own (one lookup in ``index.kind``)
APP_METHOD_KINDS: dict[str, Kind] = {**TEST_FACTORY_KINDS, **APP_CONTEXT_FACTORIES}

#: Request methods of the test client: ``async def`` in Quart (testing/client.py:72,215-271).
TEST_CLIENT_REQUEST_METHODS = frozenset(
    {"open", "get", "post", "put", "delete", "patch", "head", "options", "trace"})

#: ``client.open(path, *, method=...)``: everything after ``path`` is keyword-only
#: (testing/client.py:72-90). Flask's second positional argument is the method.
TEST_OPEN_POSITIONAL = ("path", "method")

#: Keywords of Quart's ``open`` (testing/client.py:72-90).
TEST_OPEN_KEYWORDS = frozenset({
    "method", "headers", "data", "form", "files", "query_string", "json", "scheme",
    "follow_redirects", "root_path", "http_version", "scope_base", "auth", "subdomain"})

#: Flask ``data=<dict>`` (form fields) → Quart ``form=``; ``data=`` with a dict is silently
#: sent as an empty body by Quart (testing/utils.py:112-115).
TEST_FORM_KEYWORD = ("data", "form")
#: File tuples ``(fileobj, filename[, content_type])`` in Flask's ``data=`` → Quart ``files=``
#: with ``quart.datastructures.FileStorage`` (datastructures.py:12).
TEST_FILES_KEYWORD = "files"
FILESTORAGE_CLASS = ("quart.datastructures", "FileStorage")
#: No ``content_type=`` keyword in Quart: it becomes a header.
TEST_CONTENT_TYPE_KEYWORD = "content_type"
TEST_CONTENT_TYPE_HEADER = "Content-Type"
#: ``@pytest.mark.parametrize(names, values)`` (_pytest/mark/structures.py): a test parameter
#: whose every use is ``client.<request>(..., **param)`` gets its literal dict rows ported like
#: keyword arguments (``content_type`` → headers, ``data=<dict>`` → ``form=``).
PYTEST_PARAMETRIZE = "pytest.mark.parametrize"
PYTEST_PARAM = "pytest.param"
#: ``query_string`` must be a dict (testing/utils.py:38,75: urlencode(query_string)).
TEST_QUERY_STRING_KEYWORD = "query_string"
#: Flask keywords with no direct Quart spelling: marker.
TEST_NO_EQUIVALENT_KEYWORDS: dict[str, str] = {
    "environ_base": "use scope_base={'client': (ip, 0)} / headers= (Quart has no WSGI environ)",
    "base_url": "use scheme=, subdomain= or headers={'Host': ...}",
    "environ_overrides": "use scope_base=",
    "buffered": "no buffered option in Quart",
}

#: Test-response members awaited in Quart (wrappers/response.py:320-373).
TEST_RESPONSE_AWAITABLE = ("data", "get_data", "json", "get_json")
#: ``rv.text`` does not exist on Quart's Response: ``await rv.get_data(as_text=True)``.
TEST_RESPONSE_TEXT = ("text", "get_data", "as_text=True")
#: ``get_json(silent=...)`` is inverted in Quart (wrappers/response.py:370-373).
TEST_RESPONSE_SILENT = "silent"
#: Test-response attributes with no Quart equivalent: given by ``flask2quart.testing``
#: (F2Q133) when every client of the suite is made by ``app.test_client()``, else marker F2Q181.
TEST_RESPONSE_NO_EQUIVALENT: dict[str, str] = {
    "request": "Quart's test response has no `.request`; assert on the response instead",
    "is_streamed": "Quart's Response has no `is_streamed`",
    "history": "Quart's client keeps no redirect history",
}

#: ``rv.close()``: Quart's test response holds its whole body in memory (testing/connections.py
#: ``as_response`` joins the body) and has no ``close`` (checked by tests/test_catalogue.py
#: through the installed Response): the statement is dropped (``pass`` where it is alone).
TEST_RESPONSE_CLOSE = "close"
#: ``pytest.raises(E)`` around a request: Flask re-raises view exceptions under TESTING; Quart's
#: ASGI layer answers a traceback 500 under TESTING (asgi.py:394 ``_handle_exception``) after
#: ``handle_exception`` sent ``got_request_exception`` (app.py:1070): the port records the
#: exception from that signal and re-raises it after the request.
PYTEST_RAISES = frozenset({"pytest.raises"})
GOT_REQUEST_EXCEPTION = ("quart", "got_request_exception")
#: ``g`` read after a request inside ``with client:``: Quart preserves the request context only
#: (testing/client.py:131 ``_cv_request.set``), not the app context that holds ``g``.
TEST_PRESERVED_APP_GLOBALS = frozenset({"fw.g"})
#: F2Q133: ``app.test_client(use_cookies=...)`` → ``flask2quart.testing.test_client(app,
#: use_cookies=...)`` (quart/app.py ``test_client`` passes only ``use_cookies`` to
#: ``test_client_class``; Flask forwards other arguments to its client class: not ported). The
#: shim's ``FlaskLikeClient`` subclasses ``quart.testing.QuartClient`` and hooks
#: ``http_connection_class`` (testing/client.py:59, used at :444 in 0.22, :436 in 0.23.1) and
#: ``open``/``_make_request`` (:72, :403/:395, same signatures in both);
#: tests/test_testing_shim.py compares it with Flask's own client.
TEST_CLIENT_SHIM = ("flask2quart.testing", "test_client", "use_cookies")
#: A project that sets or reads ``app.test_client_class`` chose its own client: no shim.
TEST_CLIENT_CLASS_ATTR = "test_client_class"
#: The shim is a runtime dependency of the ported tests: added to the test requirements.
TEST_SHIM_DISTRIBUTION = "flask2quart"
#: ``app.test_request_context(...)`` takes the same body keywords as the client's ``open``
#: (quart/app.py:1297: data, form, json, headers, query_string; no ``files``).
TEST_REQUEST_CONTEXT_METHOD = "test_request_context"
#: A CLI-runner call inside a test that must be async runs in a worker thread: Quart commands
#: with an app context call ``asyncio.run`` (cli.py:305), which works there; the copied
#: context keeps any app context the test pushed (asyncio.to_thread copies contextvars).
CLI_RUNNER_THREAD = ("asyncio", "to_thread")
#: unittest hooks IsolatedAsyncioTestCase awaits (unittest/async_case.py): setUp runs before
#: asyncSetUp, asyncTearDown before tearDown.
UNITTEST_ASYNC_HOOKS = {"setUp": "asyncSetUp", "tearDown": "asyncTearDown"}

#: Cookies: Quart's ``set_cookie(server_name, key, value, ...)`` / ``delete_cookie(server_name,
#: key, ...)`` take the server name first (testing/client.py:279,313); there is no
#: ``get_cookie``: read ``client.cookie_jar`` (an http.cookiejar.CookieJar).
TEST_COOKIE_SERVER_NAME = "localhost"
TEST_COOKIE_METHODS = frozenset({"set_cookie", "delete_cookie"})
TEST_GET_COOKIE = "get_cookie"
#: Attributes of Flask's ``client.get_cookie(k)`` result (a ``werkzeug.sansio.http.Cookie``,
#: werkzeug/test.py) → the ``http.cookiejar.Cookie`` in Quart's ``client.cookie_jar``
#: (quart/testing/client.py:66, the same on Quart 0.22 and 0.23.1). ``{c}`` is the cookie.
#: Werkzeug's ``dump_cookie`` (used by Quart's and Flask's ``set_cookie``) writes ``HttpOnly`` /
#: ``SameSite=<v>``, which ``CookieJar`` keeps case-preserved as non-standard attributes.
#: ``value``, ``path``, ``secure`` read the same on both and need no change.
TEST_COOKIE_ATTRS: dict[str, str] = {
    "key": "{c}.name",
    "http_only": '{c}.has_nonstandard_attr("HttpOnly")',
    "same_site": '{c}.get_nonstandard_attr("SameSite")',
}
#: Attributes whose values differ: werkzeug's ``domain`` is ``"localhost"`` where the jar holds
#: ``"localhost.local"``; ``expires`` is a ``datetime`` (jar: int seconds); the jar has no
#: ``max_age``, ``origin_only``, ``decoded_key``/``decoded_value``.
TEST_COOKIE_ATTRS_DIFFERENT: dict[str, str] = {
    "domain": "the jar's domain is 'localhost.local' where Flask reports 'localhost'",
    "expires": "the jar's `expires` is an int timestamp, not a datetime",
    "max_age": "the jar keeps no Max-Age (only the computed `expires`)",
    "origin_only": "the jar has no origin_only",
    "decoded_key": "use `.name`",
    "decoded_value": "use `.value` (unquote it if needed)",
}

#: Async context managers on the client: ``async with client:`` (client.py:384) and
#: ``async with client.session_transaction()`` (client.py:321).
TEST_CLIENT_ASYNC_CONTEXT = frozenset({"session_transaction"})

#: ``app.test_request_context(path, method=...)``: Flask's keyword names → Quart's
#: (quart/app.py test_request_context: path, *, method, headers, query_string, scheme, data,
#: form, json, root_path, http_version, scope_base, auth, subdomain).
TEST_REQUEST_CONTEXT_KEYWORDS: dict[str, str | None] = {
    "content_type": None, "environ_base": None, "base_url": None,
}

#: CLI runner: ``invoke`` is sync; Quart commands with an app context call ``asyncio.run``
#: (quart/cli.py with_appcontext), which fails inside a running loop: a test that invokes
#: the runner must stay a sync function.
CLI_RUNNER_SYNC_METHODS = frozenset({"invoke"})

#: pytest-asyncio, pinned; ``asyncio_mode = auto`` lets plain ``async def test_*`` run.
PYTEST_ASYNCIO_REQUIREMENT = "pytest-asyncio==1.5.0"
PYTEST_ASYNCIO_MODE = ("asyncio_mode", "auto")
#: written next to the mode when the project gets our pin (it declares no pytest-asyncio of its
#: own): pytest-asyncio >= 0.24 warns (PytestDeprecationWarning, an error under
#: ``filterwarnings = error``) while this is unset; "fixture-scope" is the behaviour it has
#: when unset (an async fixture runs in a loop of its own scope; pytest_asyncio/plugin.py
#: ``_MATCH_FIXTURE_SCOPE``, 1.5.0)
PYTEST_ASYNCIO_LOOP_SCOPE = ("asyncio_default_fixture_loop_scope", "fixture-scope")
PYTEST_FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})
UNITTEST_TESTCASE = "unittest.TestCase"
UNITTEST_ASYNC_TESTCASE = "unittest.IsolatedAsyncioTestCase"

AWAITABLE_MEMBERS[Kind.TEST_CLIENT] = {
    m: Awaitable(m, False, "quart/testing/client.py:72,215-271")
    for m in sorted(TEST_CLIENT_REQUEST_METHODS)
}
AWAITABLE_MEMBERS[Kind.TEST_RESPONSE] = {
    m: AWAITABLE_MEMBERS[Kind.RESPONSE][m] for m in TEST_RESPONSE_AWAITABLE
}
ASYNC_CONTEXT_METHODS[Kind.TEST_CLIENT] = TEST_CLIENT_ASYNC_CONTEXT
