"""The hand-written Quart port of the Flask shop (the candidate side)."""

import asyncio
import os
import secrets
import sqlite3

import httpx
from quart import Quart, abort, jsonify, redirect, request, send_file, session, url_for

HERE = os.path.dirname(os.path.abspath(__file__))


def create_app():
    app = Quart(__name__)
    app.config["SECRET_KEY"] = "shop-test-secret"
    app.config["DATABASE"] = os.environ.get("SHOP_DB", os.path.join(HERE, "shop.sqlite"))
    app.config["STUB_URL"] = os.environ.get("STUB_URL", "http://127.0.0.1:9")
    app.config["TESTING"] = os.environ.get("SHOP_TESTING") == "1"

    def db():
        conn = sqlite3.connect(app.config["DATABASE"])
        conn.row_factory = sqlite3.Row
        return conn

    @app.cli.command("init-db")
    def init_db():
        with db() as conn:
            conn.execute("DROP TABLE IF EXISTS items")
            conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)")
            conn.execute("INSERT INTO items (name, price) VALUES ('apple', 0.5), ('pear', 0.75)")
        print("initialized the database")

    @app.route("/")
    async def index():
        user = session.get("user", "stranger")
        return f"<h1>Hello, {user}!</h1>"

    @app.route("/login", methods=["POST"])
    async def login():
        name = (await request.form).get("username", "").strip()
        if not name:
            return "username required", 400
        session["user"] = name
        session["cart"] = []
        return redirect(url_for("list_items"))

    @app.route("/logout")
    async def logout():
        session.clear()
        return redirect(url_for("index"))

    @app.route("/items", methods=["GET"])
    async def list_items():
        with db() as conn:
            rows = conn.execute("SELECT id, name, price FROM items ORDER BY id").fetchall()
        return jsonify(items=[dict(r) for r in rows], count=len(rows))

    @app.route("/items", methods=["POST"])
    async def create_item():
        data = await request.get_json()
        if not data or "name" not in data:
            return jsonify(error="name is required"), 400
        price = float(data.get("price", 0))
        with db() as conn:
            cur = conn.execute("INSERT INTO items (name, price) VALUES (?, ?)", (data["name"], price))
            item_id = cur.lastrowid
        return jsonify(id=item_id, name=data["name"], price=price), 201

    @app.route("/items/<int:item_id>", methods=["GET", "DELETE"])
    async def item(item_id):
        with db() as conn:
            row = conn.execute("SELECT id, name, price FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                abort(404)
            if request.method == "DELETE":
                conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
                return "", 204
        return jsonify(dict(row))

    @app.route("/cart", methods=["GET", "POST"])
    async def cart():
        if "user" not in session:
            return jsonify(error="login first"), 401
        if request.method == "POST":
            item_id = int((await request.form)["item_id"])
            session["cart"] = session.get("cart", []) + [item_id]
        return jsonify(user=session["user"], items=session.get("cart", []))

    @app.route("/weather")
    async def weather():
        city = request.args.get("city", "paris")
        async with httpx.AsyncClient(timeout=5) as client:
            resp = await client.get(f"{app.config['STUB_URL']}/weather", params={"city": city})
        data = resp.json()
        return jsonify(city=city, temp=data["temp"], upstream_status=resp.status_code)

    @app.route("/notify", methods=["POST"])
    async def notify():
        payload = await request.get_json()
        async with httpx.AsyncClient(timeout=5) as client:
            resp = await client.post(
                f"{app.config['STUB_URL']}/notify",
                json={"event": payload.get("event"), "user": session.get("user")},
                headers={"X-Api-Key": "stub-key-123"},
            )
        return jsonify(sent=True, status=resp.status_code, echo=resp.json())

    @app.route("/download")
    async def download():
        return await send_file(os.path.join(HERE, "static", "report.txt"))

    @app.route("/old")
    async def old():
        return redirect("/items", code=301)

    @app.route("/dir/")
    async def dir_index():
        return "dir index"

    @app.route("/echo-headers")
    async def echo_headers():
        return jsonify(headers=dict(request.headers), remote_addr=request.remote_addr)

    @app.route("/token")
    async def token():
        return jsonify(token=secrets.token_hex(8), kind="demo")

    @app.route("/boom")
    async def boom():
        raise ValueError("boom")

    @app.route("/sleep")
    async def sleep():
        await asyncio.sleep(float(request.args.get("s", "0")))
        return "awake"

    @app.route("/status")
    async def status():
        return "alive"

    return app
