"""Flask-Login 0.6.3 through the bridge."""

from __future__ import annotations

import flask
import flask_login
from flask_login import current_user, login_required

from .apps import add_users, logged_in_client


async def test_anonymous_is_redirected_to_login_view_with_flash(ns):
    await add_users(ns, "ada")
    client = ns.app.test_client()
    response = await client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fme"
    # login_manager.unauthorized() flashed through flask.flash into the Quart session
    body = await (await client.get("/login")).get_json()
    assert body["flashes"] == ["Please log in to access this page."]


async def test_login_user_current_user_and_logout(ns):
    await add_users(ns, "ada", "bob")
    client = await logged_in_client(ns, 2)
    assert (await (await client.get("/me")).get_json()) == {"id": 2, "name": "bob"}
    assert (await client.get("/logout")).status_code == 200
    assert (await client.get("/me")).status_code == 302


async def test_user_loader_runs_per_request(ns):
    await add_users(ns, "ada")
    calls = []
    original = ns.login_manager._user_callback

    def loader(user_id):
        calls.append(user_id)
        return original(user_id)

    ns.login_manager.user_loader(loader)
    client = await logged_in_client(ns, 1)
    await client.get("/me")
    await client.get("/me")
    assert calls == ["1", "1"]


async def test_remember_cookie_restores_the_user(ns):
    await add_users(ns, "ada")
    client = ns.app.test_client()
    response = await client.post("/login", form={"user_id": "1", "remember": "1"})
    # Flask-Login's sync after_request hook set the cookie on the Quart response.
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert cookies
    remember = cookies[0].split(";")[0].split("=", 1)[1]
    fresh = ns.app.test_client()
    fresh.set_cookie("localhost", "remember_token", remember)
    assert (await (await fresh.get("/me")).get_json()) == {"id": 1, "name": "ada"}


async def test_unauthorized_handler_sync_and_async(ns):
    @ns.app.route("/secret")
    @login_required
    async def secret():
        return "secret"

    ns.login_manager.unauthorized_handler(lambda: ("go away", 401))
    client = ns.app.test_client()
    response = await client.get("/secret")
    assert response.status_code == 401 and (await response.get_data()) == b"go away"

    async def async_handler():
        return {"error": "login please", "path": flask.request.path}, 403

    ns.login_manager.unauthorized_handler(async_handler)
    response = await client.get("/secret")
    assert response.status_code == 403
    assert (await response.get_json()) == {"error": "login please", "path": "/secret"}


async def test_login_required_on_sync_view_and_login_disabled(ns):
    await add_users(ns, "ada")

    @ns.app.route("/sync-me")
    @login_required
    def sync_me():
        return current_user.name

    client = await logged_in_client(ns, 1)
    assert (await (await client.get("/sync-me")).get_data()) == b"ada"
    ns.app.config["LOGIN_DISABLED"] = True
    assert (await ns.app.test_client().get("/me")).status_code == 500  # AnonymousUserMixin has no .id


async def test_user_logged_in_signal_and_current_user_in_templates(ns):
    await add_users(ns, "ada")
    received = []
    flask_login.user_logged_in.connect(lambda app, user: received.append(user.name), weak=False)
    try:
        client = await logged_in_client(ns, 1)
    finally:
        flask_login.user_logged_in.receivers.clear()
    assert received == ["ada"]

    @ns.app.route("/tmpl")
    async def tmpl():
        from quart import render_template_string

        return await render_template_string("{{ current_user.name }}")

    assert (await (await client.get("/tmpl")).get_data()) == b"ada"
