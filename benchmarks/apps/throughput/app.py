"""Fixture for benchmarks/app_throughput.py: one I/O-bound and one DB-bound endpoint.

Plain Flask, written the way a Flask app is: ``requests`` for the upstream call, ``sqlite3``
for the database. The benchmark migrates a copy with ``flask2quart migrate --phase 3``.
"""

import os
import sqlite3

import requests
from flask import Flask, jsonify

app = Flask(__name__)

UPSTREAM = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:8089/slow")
DATABASE = os.environ.get("THROUGHPUT_DB", "throughput.sqlite3")


@app.route("/io")
def io_bound():
    resp = requests.get(UPSTREAM, timeout=30)
    return jsonify(upstream=resp.json())


@app.route("/db")
def db_bound():
    con = sqlite3.connect(DATABASE)
    try:
        count, total = con.execute(
            "SELECT count(*), sum(value) FROM items WHERE value % 7 = 3"
        ).fetchone()
    finally:
        con.close()
    return jsonify(count=count, total=total)


@app.route("/ping")
def ping():
    return jsonify(ok=True)
