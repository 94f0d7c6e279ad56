"""A Flask app whose endpoints do 200 ms of blocking work each (the phase-2 concurrency proof).

``/report/<n>`` calls a sync helper that blocks (a stand-in for a slow query or remote call);
``/nap`` sleeps in the view itself. Under phase 1 both block the event loop, so concurrent
requests queue; phase 2 moves the helper to ``asyncio.to_thread`` and the sleep to
``asyncio.sleep``.
"""

import time

from flask import Flask, jsonify

WORK_SECONDS = 0.2

app = Flask(__name__)


def slow_report(n):
    """200 ms of blocking I/O, then a result."""
    time.sleep(WORK_SECONDS)
    return {"n": n, "square": n * n}


@app.route("/report/<int:n>")
def report(n):
    return jsonify(slow_report(n))


@app.route("/nap")
def nap():
    time.sleep(WORK_SECONDS)
    return "ok"


@app.route("/ping")
def ping():
    return "pong"
