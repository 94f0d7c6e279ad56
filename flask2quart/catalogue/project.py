"""The project around the code: dependency files, env files, server commands, app.run, ProxyFix.

Pure data, read by ``codemods/phase1/{dependencies,entry_points,app_run,proxy_fix,
no_equivalent_markers}.py``. Every fact was checked against the installed packages
(Quart 0.22.0 on Python 3.11, Quart 0.23.1 on Python 3.13, Hypercorn 0.18.0) or PyPI metadata;
``docs/project-files.md`` says where.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------
# 1. Dependencies
# ---------------------------------------------------------------------------

#: Quart releases by Python range [lower, upper) (PyPI ``Requires-Python``: quart 0.20.0 >=3.9,
#: 0.21.0/0.22.0 >=3.11, 0.23.0/0.23.1 >=3.13). flask2quart's rewrites are verified on 0.22.0 and
#: 0.23.1; 0.20.0 is the last release that installs on Python 3.10 (flask2quart itself runs on it)
#: and is written only when the project admits Python 3.10, with a marker.
QUART_RELEASES: tuple[tuple[str, tuple[int, int], tuple[int, int] | None, bool], ...] = (
    # requirement, python lower bound, python upper bound (exclusive), verified by flask2quart
    ("quart==0.20.0", (3, 9), (3, 11), False),
    ("quart==0.22.0", (3, 11), (3, 13), True),
    ("quart==0.23.1", (3, 13), None, True),
)
#: Python minor versions the range check walks through.
PYTHON_MINORS: tuple[tuple[int, int], ...] = tuple((3, m) for m in range(8, 16))

#: The ASGI server (our pyproject pins the same release; PyPI Requires-Python >=3.10).
HYPERCORN_REQUIREMENT = "hypercorn==0.18.0"
HYPERCORN_DISTRIBUTION = "hypercorn"
HYPERCORN_MIN_PYTHON = (3, 10)
#: WSGI servers a migrated app no longer needs (kept: removing is a person's call).
WSGI_SERVER_DISTRIBUTIONS = frozenset({"gunicorn", "waitress", "uwsgi"})

#: Files the dependency rule reads (requirements files also under ``requirements/``).
REQUIREMENTS_FILE_GLOBS = ("requirements*.txt", "requirements/*.txt", "*requirements*.in")
PYPROJECT = "pyproject.toml"
SETUP_CFG = "setup.cfg"
SETUP_PY = "setup.py"
#: pyproject tables whose arrays are dependency lists.
PYPROJECT_DEPENDENCY_TABLES = ("[project]", "[project.optional-dependencies]", "[dependency-groups]")
#: setup.cfg keys / sections holding requirements.
SETUP_CFG_KEYS = ("install_requires", "tests_require")
SETUP_CFG_EXTRAS = "[options.extras_require"
#: setup() keywords holding requirement lists (only literal lists/dicts of strings are touched).
SETUP_PY_KEYWORDS = ("install_requires", "tests_require")
SETUP_PY_EXTRAS = "extras_require"
SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})

#: Names of extras / dependency groups / requirements files that hold test dependencies.
TEST_GROUP_NAMES = ("test", "tests", "testing", "dev")

# ---------------------------------------------------------------------------
# 2. Environment files and the CLI (quart/cli.py:569-607 load_dotenv reads ``.env`` then
#    ``.quartenv``; QuartGroup sets auto_envvar_prefix="QUART", so ``quart run``'s options read
#    QUART_RUN_<PARAM>; identical in 0.22.0 and 0.23.1)
# ---------------------------------------------------------------------------

#: env file → the file Quart reads instead (None: Quart reads the same file).
ENV_FILES: dict[str, str | None] = {".flaskenv": ".quartenv", ".env": None}
#: Flask variable → Quart variable (only the ones the CLI reads; other FLASK_* are app config).
ENV_VARS: dict[str, str] = {
    "FLASK_APP": "QUART_APP",
    "FLASK_DEBUG": "QUART_DEBUG",
    "FLASK_SKIP_DOTENV": "QUART_SKIP_DOTENV",
    "FLASK_RUN_HOST": "QUART_RUN_HOST",
    "FLASK_RUN_PORT": "QUART_RUN_PORT",
    "FLASK_RUN_CERT": "QUART_RUN_CERTFILE",
    "FLASK_RUN_KEY": "QUART_RUN_KEYFILE",
    "FLASK_RUN_RELOAD": "QUART_RUN_RELOAD",
}
#: Flask variables with no Quart counterpart → advice.
ENV_VARS_MANUAL: dict[str, str] = {
    "FLASK_ENV": "Quart has no environment setting (Flask >= 2.3 ignores it too); "
                 "use QUART_DEBUG=1 for development",
    "FLASK_RUN_DEBUGGER": "`quart run` has no --debugger option",
    "FLASK_RUN_WITH_THREADS": "`quart run` has no threads option (one event loop)",
    "FLASK_RUN_EXTRA_FILES": "`quart run` has no --extra-files option",
    "FLASK_RUN_EXCLUDE_PATTERNS": "`quart run` has no --exclude-patterns option",
}

# ---------------------------------------------------------------------------
# 3. Server commands in Procfile / Dockerfile / Makefile / shell scripts / compose files
# ---------------------------------------------------------------------------

#: other files scanned for commands (basename globs)
COMMAND_FILE_GLOBS = ("Procfile", "Procfile.*", "Dockerfile", "Dockerfile.*", "*.dockerfile",
                      "Makefile", "makefile", "GNUmakefile", "*.mk", "*.sh",
                      "docker-compose*.yml", "docker-compose*.yaml", "compose.yml", "compose.yaml")
ENV_FILE_GLOBS = tuple(ENV_FILES)

#: ``flask <cmd>`` → ``quart <cmd>``; ``flask run`` options Quart's ``run`` lacks (quart/cli.py
#: run_command: --debug --host/-h --port/-p --certfile/--cert --keyfile/--key --reload).
FLASK_CLI = "flask"
QUART_CLI = "quart"
FLASK_RUN_OPTIONS_MANUAL = frozenset({"--debugger", "--no-debugger", "--with-threads",
                                      "--without-threads", "--extra-files", "--exclude-patterns",
                                      "--eager-loading", "--lazy-loading"})

HYPERCORN = "hypercorn"
#: gunicorn option → hypercorn option (hypercorn/__main__.py 0.18.0). ``takes_value``.
GUNICORN_OPTIONS: dict[str, tuple[str, bool]] = {
    "-b": ("--bind", True), "--bind": ("--bind", True),
    "-w": ("--workers", True), "--workers": ("--workers", True),
    "--certfile": ("--certfile", True), "--keyfile": ("--keyfile", True),
    "--ca-certs": ("--ca-certs", True), "--ciphers": ("--ciphers", True),
    "--access-logfile": ("--access-logfile", True), "--error-logfile": ("--error-logfile", True),
    "--log-file": ("--error-logfile", True), "--log-level": ("--log-level", True),
    "--access-logformat": ("--access-logformat", True),
    "--keep-alive": ("--keep-alive", True), "--graceful-timeout": ("--graceful-timeout", True),
    "--max-requests": ("--max-requests", True), "--max-requests-jitter": ("--max-requests-jitter", True),
    "--backlog": ("--backlog", True), "--reload": ("--reload", False),
    "-u": ("--user", True), "--user": ("--user", True), "-g": ("--group", True),
    "--group": ("--group", True), "-p": ("--pid", True), "--pid": ("--pid", True),
    "--statsd-host": ("--statsd-host", True), "--statsd-prefix": ("--statsd-prefix", True),
    "-D": ("--debug", False), "--daemon": (None, False),
}
#: gunicorn options with no hypercorn counterpart (value-taking ones listed with True).
GUNICORN_OPTIONS_MANUAL: dict[str, bool] = {
    "-k": True, "--worker-class": True, "--threads": True, "-t": True, "--timeout": True,
    "--preload": False, "-c": True, "--config": True, "--worker-connections": True,
    "--chdir": True, "--forwarded-allow-ips": True, "--proxy-protocol": False,
    "-e": True, "--env": True, "--name": True, "-n": True, "--limit-request-line": True,
}
#: waitress-serve option → hypercorn (``--host``/``--port`` combine into one ``--bind``).
WAITRESS = "waitress-serve"
WAITRESS_HOST_PORT = ("--host", "--port")
WAITRESS_OPTIONS: dict[str, str] = {"--listen": "--bind", "--threads": ""}
WAITRESS_CALL = "--call"
#: servers the rule only marks
OTHER_WSGI_SERVERS = frozenset({"uwsgi", "mod_wsgi-express"})
#: distributions a ``pip install`` in a command file should no longer install (marked)
PIP_INSTALL_MARKED = frozenset({"flask", "gunicorn", "waitress"})
#: the default bind of gunicorn (127.0.0.1:8000) and hypercorn (127.0.0.1:8000) agree; waitress
#: listens on 0.0.0.0:8080 by default.
WAITRESS_DEFAULT_BIND = "0.0.0.0:8080"

# ---------------------------------------------------------------------------
# 4. app.run (flask/app.py Flask.run: host, port, debug, load_dotenv, **options to werkzeug
#    run_simple; quart/app.py Quart.run: host, port, debug, use_reloader, loop, ca_certs,
#    certfile, keyfile, **kwargs which only warn — same in 0.22.0 and 0.23.1)
# ---------------------------------------------------------------------------

APP_RUN = "run"
APP_RUN_SAFE_POSITIONAL = 3      # host, port, debug mean the same; the 4th differs
APP_RUN_SAME = frozenset({"host", "port", "debug", "use_reloader"})
#: Flask/werkzeug keywords Quart ignores (with a warning) → advice; the rule removes them.
APP_RUN_DROPPED: dict[str, str] = {
    "load_dotenv": "Quart's app.run does not read .env/.quartenv (the `quart` CLI does)",
    "threaded": "Quart serves every request on one event loop",
    "processes": "use `hypercorn --workers N` for several processes",
    "use_debugger": "Quart shows tracebacks in debug mode; no interactive debugger",
    "use_evalex": "no interactive debugger in Quart",
    "extra_files": "Quart's reloader watches loaded modules only",
    "exclude_patterns": "Quart's reloader watches loaded modules only",
    "reloader_interval": "Quart's reloader polls every second",
    "reloader_type": "Quart's reloader is built in",
    "passthrough_errors": "no Quart counterpart",
    "request_handler": "no WSGI request handler under ASGI",
    "static_files": "serve static files from a static folder or a route",
}
APP_RUN_SSL = "ssl_context"
APP_RUN_CERT_KEY = ("certfile", "keyfile")
APP_RUN_RELOADER = "use_reloader"

# ---------------------------------------------------------------------------
# 5. ProxyFix (werkzeug/middleware/proxy_fix.py → hypercorn/middleware/proxy_fix.py 0.18.0)
# ---------------------------------------------------------------------------

PROXY_FIX = "werkzeug.middleware.proxy_fix.ProxyFix"
PROXY_FIX_DEFAULTS: dict[str, int] = {"x_for": 1, "x_proto": 1, "x_host": 0, "x_port": 0,
                                      "x_prefix": 0}
#: hypercorn's legacy mode trusts the N-th last X-Forwarded-For / -Proto / -Host alike
#: (one ``trusted_hops``); X-Forwarded-Port and -Prefix are never read.
PROXY_FIX_SHARED = ("x_for", "x_proto", "x_host")
PROXY_FIX_UNSUPPORTED = ("x_port", "x_prefix")
PROXY_FIX_MIDDLEWARE = ("hypercorn.middleware", "ProxyFixMiddleware")
PROXY_FIX_TEMPLATE = '{app}.asgi_app = ProxyFixMiddleware({app}.asgi_app, mode="legacy", trusted_hops={hops})'
WSGI_APP_ATTR = "wsgi_app"
ASGI_APP_ATTR = "asgi_app"

# ---------------------------------------------------------------------------
# 6. No safe automatic form
# ---------------------------------------------------------------------------

#: extension modules marked at their import (advice from catalogue.extensions where present)
NO_EQUIVALENT_EXTENSIONS = ("flask_socketio", "flask_restful", "flask_restx", "flask_smorest")
SESSION_INTERFACE = "fw.sessions.SessionInterface"
SESSION_INTERFACE_SYNC_METHODS = ("open_session", "save_session", "make_null_session")
SESSION_INTERFACE_ADVICE = (
    "Quart awaits open_session/save_session/make_null_session (quart/sessions.py: all three are "
    "`async def`); make the overrides `async def` and keep their storage non-blocking"
)
GET_TEMPLATE_ATTRIBUTE = "fw.get_template_attribute"
GET_TEMPLATE_ATTRIBUTE_ADVICE = (
    "Quart's jinja environment is async (enable_async), so get_template_attribute's "
    "`template.module` raises RuntimeError; use "
    "`(await current_app.jinja_env.get_template(name).make_module_async()).attr` and await "
    "the macro call"
)
