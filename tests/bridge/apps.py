"""A small extension-heavy app on the bridge, shared by the bridge tests.

Every extension is instantiated per app (models are defined inside the factory), so tests never
share state. Views are ``async def`` as after a phase-1 migration; extension callbacks stay sync.
"""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace

import flask
import quart
from flask_caching import Cache
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_mail import Mail, Message
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from flask2quart.bridge import Quart

BASE_CONFIG = {
    "SECRET_KEY": "bridge-tests",
    "TESTING": True,
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "MAIL_SUPPRESS_SEND": True,
    "MAIL_DEFAULT_SENDER": "noreply@example.com",
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 60,
}


def create_app(name: str = "bridgeapp", **config: object) -> SimpleNamespace:
    app = Quart(name)
    app.config.update(BASE_CONFIG)
    app.config.update(config)

    db = SQLAlchemy(app)

    class User(UserMixin, db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), unique=True, nullable=False)

    class Item(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), nullable=False)

    login_manager = LoginManager(app)
    login_manager.login_view = "login"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    mail = Mail(app)
    cache = Cache(app)
    migrate = Migrate(app, db)
    counter = itertools.count(1)

    @app.route("/ping")
    async def ping():
        return "pong"

    @app.route("/login", methods=["GET", "POST"])
    async def login():
        if flask.request.method == "GET":
            return {"flashes": flask.get_flashed_messages(), "next": flask.request.args.get("next")}
        user = db.session.get(User, int(flask.request.form["user_id"]))
        login_user(user, remember=flask.request.form.get("remember") == "1")
        return {"logged_in": user.name}

    @app.route("/logout")
    async def logout():
        logout_user()
        return "bye"

    @app.route("/me")
    @login_required
    async def me():
        await asyncio.sleep(0)
        return {"id": current_user.id, "name": current_user.name}

    @app.route("/users", methods=["POST"])
    async def create_user():
        user = User(name=flask.request.get_json()["name"])
        db.session.add(user)
        db.session.commit()
        return {"id": user.id}, 201

    @app.route("/users/<int:user_id>")
    async def get_user(user_id: int):
        user = db.get_or_404(User, user_id)
        return {"id": user.id, "name": user.name}

    @app.route("/by-name/<name>")
    async def by_name(name: str):
        user = User.query.filter_by(name=name).first_or_404()
        return {"id": user.id}

    @app.route("/users")
    async def list_users():
        page = db.paginate(db.select(User).order_by(User.id), per_page=2)
        return {"names": [u.name for u in page.items], "page": page.page, "total": page.total}

    @app.route("/mail", methods=["POST"])
    async def send_mail():
        mail.send(Message(subject=flask.request.form["subject"], recipients=["a@example.com"], body="hi"))
        return "sent"

    @app.route("/cached")
    @cache.cached(timeout=60)
    async def cached():
        await asyncio.sleep(0)
        return {"n": next(counter)}

    return SimpleNamespace(
        app=app, db=db, User=User, Item=Item, login_manager=login_manager, mail=mail, cache=cache, migrate=migrate,
    )


async def add_users(ns: SimpleNamespace, *names: str) -> list[int]:
    async with ns.app.app_context():
        ns.db.create_all()
        users = [ns.User(name=n) for n in names]
        ns.db.session.add_all(users)
        ns.db.session.commit()
        return [u.id for u in users]


async def logged_in_client(ns: SimpleNamespace, user_id: int, remember: bool = False) -> quart.testing.QuartClient:
    client = ns.app.test_client()
    response = await client.post("/login", form={"user_id": str(user_id), "remember": "1" if remember else "0"})
    assert response.status_code == 200, await response.get_data()
    return client
