"""Overhead of flask2quart.bridge: requests/s with and without the bridge, same app, same run.

    python benchmarks/bridge_overhead.py [--requests 250] [--rounds 15] [--concurrency 50]

Scenarios (in-process, no sockets: this measures framework overhead, not I/O):

1. GET /ping on plain ``quart.Quart`` vs ``flask2quart.bridge.Quart``, no extensions.
2. POST form: ``await quart.request.form`` on plain Quart vs sync ``flask.request.form`` on the
   bridge (body preloaded).
3. The same app with Flask-SQLAlchemy + Flask-Login + Flask-Mail + Flask-Caching + Flask-Migrate:
   bridged Quart vs Flask 3.1 (Flask's test client) for /ping, /users/1 (db.get_or_404) and /me
   (@login_required + user_loader).

Quart rows are measured sequentially (one request at a time) and concurrently (``--concurrency``
requests in flight via asyncio.gather). The runs being compared alternate (A B A B ...) and each
figure is the median of ``--rounds`` runs, so noise on a shared machine hits both sides alike.
Each figure is given twice: wall-clock requests/s, and requests per CPU-second of this process
(steadier when other processes compete for the CPUs).
The last line printed is the headline ratio: bridge.Quart / quart.Quart requests/s, GET /ping.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

import flask
import quart
from flask_caching import Cache
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from flask2quart.bridge import Quart as BridgeQuart


# ---------------------------------------------------------------------------- apps
def plain_app(cls: type) -> quart.Quart:
    app = cls("bench_plain")

    @app.route("/ping")
    async def ping():
        return "pong"

    if cls is quart.Quart:

        @app.route("/form", methods=["POST"])
        async def form():
            return (await quart.request.form)["a"]

    else:

        @app.route("/form", methods=["POST"])
        async def form():
            return flask.request.form["a"]

    return app


def extension_app(kind: str, db_path: str):
    """The same app on the bridge (``kind="bridge"``) or on Flask (``kind="flask"``)."""
    app = BridgeQuart("bench_ext") if kind == "bridge" else flask.Flask("bench_ext")
    app.config.update(
        SECRET_KEY="bench",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 64, "max_overflow": 0},
        MAIL_SUPPRESS_SEND=True,
        CACHE_TYPE="SimpleCache",
    )
    db = SQLAlchemy(app)

    class User(UserMixin, db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80))

    login = LoginManager(app)

    @login.user_loader
    def load(user_id):
        return db.session.get(User, int(user_id))

    Mail(app)
    Cache(app)
    Migrate(app, db)

    if kind == "bridge":

        @app.route("/ping")
        async def ping():
            return "pong"

        @app.route("/users/<int:uid>")
        async def user(uid):
            u = db.get_or_404(User, uid)
            return {"id": u.id, "name": u.name}

        @app.route("/login/<int:uid>")
        async def do_login(uid):
            login_user(db.session.get(User, uid))
            return "ok"

        @app.route("/me")
        @login_required
        async def me():
            return {"name": current_user.name}

    else:

        @app.route("/ping")
        def ping():
            return "pong"

        @app.route("/users/<int:uid>")
        def user(uid):
            u = db.get_or_404(User, uid)
            return {"id": u.id, "name": u.name}

        @app.route("/login/<int:uid>")
        def do_login(uid):
            login_user(db.session.get(User, uid))
            return "ok"

        @app.route("/me")
        @login_required
        def me():
            return {"name": current_user.name}

    return app, db, User


# ---------------------------------------------------------------------------- timing
LOOP = asyncio.new_event_loop()


def quart_runner(app, method: str, path: str, n: int, concurrency: int = 1, **kw) -> Callable[[], tuple]:
    """A callable doing one timed run of ``n`` requests; returns (wall, CPU) requests/s."""
    client = app.test_client()

    async def warm() -> None:
        if path == "/me":
            assert (await client.get("/login/1")).status_code == 200
        for _ in range(50):
            await client.open(path, method=method, **kw)

    async def one_run() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        if concurrency == 1:
            for _ in range(n):
                response = await client.open(path, method=method, **kw)
                assert response.status_code == 200, (path, response.status_code)
        else:
            for _ in range(n // concurrency):
                responses = await asyncio.gather(
                    *(client.open(path, method=method, **kw) for _ in range(concurrency))
                )
                assert all(r.status_code == 200 for r in responses)
        return n / (time.perf_counter() - started), n / (time.process_time() - cpu)

    LOOP.run_until_complete(warm())
    return lambda: LOOP.run_until_complete(one_run())


def flask_runner(app, method: str, path: str, n: int, **kw) -> Callable[[], tuple]:
    client = app.test_client()
    if path == "/me":
        assert client.get("/login/1").status_code == 200
    for _ in range(50):
        client.open(path, method=method, **kw)

    def one_run() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            response = client.open(path, method=method, **kw)
            assert response.status_code == 200, (path, response.status_code)
        return n / (time.perf_counter() - started), n / (time.process_time() - cpu)

    return one_run


def interleaved(runners: list[Callable[[], tuple]], rounds: int) -> list[tuple[float, float]]:
    """Median (wall, CPU) requests/s of each runner over ``rounds`` short runs that alternate
    between the runners (A B C A B C ...), so machine noise and drift hit all of them alike."""
    rates: list[list[tuple[float, float]]] = [[] for _ in runners]
    for _ in range(rounds):
        for i, run in enumerate(runners):
            gc.collect()
            rates[i].append(run())
    return [
        (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for r in rates
    ]


def seed(app, db, User, kind: str) -> None:
    async def bridge_seed():
        async with app.app_context():
            db.create_all()
            db.session.add_all([User(name="ada"), User(name="bob")])
            db.session.commit()

    if kind == "bridge":
        LOOP.run_until_complete(bridge_seed())
    else:
        with app.app_context():
            db.create_all()
            db.session.add_all([User(name="ada"), User(name="bob")])
            db.session.commit()


# ---------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=250, help="requests per timed run")
    parser.add_argument("--rounds", type=int, default=15, help="alternating runs per figure (median kept)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight (concurrent rows)")
    args = parser.parse_args()
    n, repeat, conc = args.requests, args.rounds, args.concurrency
    n -= n % conc

    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}"
        for p in ("flask", "quart", "werkzeug", "greenlet", "flask-sqlalchemy", "sqlalchemy", "flask-login")
    )
    print(f"# Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; {versions}")
    print(f"# median of {repeat} interleaved runs of {n} requests; concurrent rows: {conc} in flight\n")

    print(f"{'':<62} {'wall req/s':>10} {'ratio':>6} {'CPU req/s':>10} {'ratio':>6}")

    def row(label: str, rate: tuple[float, float], base: tuple[float, float] | None = None) -> None:
        wall, cpu = rate
        wall_ratio = f"{wall / base[0]:5.2f}x" if base else ""
        cpu_ratio = f"{cpu / base[1]:5.2f}x" if base else ""
        print(f"{label:<62} {wall:10.0f} {wall_ratio:>6} {cpu:10.0f} {cpu_ratio:>6}")

    plain, bridged = plain_app(quart.Quart), plain_app(BridgeQuart)
    form = {"form": {"a": "1", "b": "2"}}
    print("## No extensions")
    p_seq, b_seq, p_con, b_con, p_form, b_form = interleaved(
        [
            quart_runner(plain, "GET", "/ping", n),
            quart_runner(bridged, "GET", "/ping", n),
            quart_runner(plain, "GET", "/ping", n, conc),
            quart_runner(bridged, "GET", "/ping", n, conc),
            quart_runner(plain, "POST", "/form", n, **form),
            quart_runner(bridged, "POST", "/form", n, **form),
        ],
        repeat,
    )
    row("GET /ping   quart.Quart                        sequential", p_seq)
    row("GET /ping   bridge.Quart                       sequential", b_seq, p_seq)
    row("GET /ping   quart.Quart                        concurrent", p_con)
    row("GET /ping   bridge.Quart                       concurrent", b_con, p_con)
    row("POST form   quart.Quart  (await request.form)  sequential", p_form)
    row("POST form   bridge.Quart (flask.request.form)  sequential", b_form, p_form)

    print("\n## Flask-SQLAlchemy + Flask-Login + Flask-Mail + Flask-Caching + Flask-Migrate")
    with tempfile.TemporaryDirectory() as tmp:
        bapp, bdb, bUser = extension_app("bridge", os.path.join(tmp, "b.db"))
        fapp, fdb, fUser = extension_app("flask", os.path.join(tmp, "f.db"))
        seed(bapp, bdb, bUser, "bridge")
        seed(fapp, fdb, fUser, "flask")
        for path, what in (("/ping", "no extension call"), ("/users/1", "db.get_or_404"), ("/me", "login_required")):
            f, b_s, b_c = interleaved(
                [
                    flask_runner(fapp, "GET", path, n),
                    quart_runner(bapp, "GET", path, n),
                    quart_runner(bapp, "GET", path, n, conc),
                ],
                repeat,
            )
            row(f"GET {path:<9} Flask 3.1 ({what})", f)
            row(f"GET {path:<9} bridge.Quart                     sequential", b_s, f)
            row(f"GET {path:<9} bridge.Quart                     concurrent", b_c, f)

    print(
        "\nratio bridge.Quart / quart.Quart req/s, GET /ping, no extensions: "
        f"sequential {b_seq[0] / p_seq[0]:.2f} (CPU {b_seq[1] / p_seq[1]:.2f}), "
        f"concurrent {b_con[0] / p_con[0]:.2f} (CPU {b_con[1] / p_con[1]:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
