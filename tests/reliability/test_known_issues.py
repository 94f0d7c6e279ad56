"""Minimal reproducers of property violations found by this suite in the rules.

Each started as ``xfail(strict=True)`` and is now a plain regression test: the rule was
fixed (phase 1: calls to functions that were already ``async def`` are left alone, a
``yield from`` generator is marked instead of made async; phase 3: an app created with
``flask2quart.bridge.Quart`` counts as an app creation site). New reproducers go here as
strict xfails, with their code in ``props.KNOWN_ISSUES`` until fixed.
"""

from __future__ import annotations

import textwrap

import pytest

from flask2quart import engine


# Found by benchmarks/reliability_scale.py on jinja2 (environment.py, Template.generate):
# phase 1 (F2Q104 await + F2Q103 async def) treats a coroutine handed to asyncio.run()
# as a missing await, in a module that does not even import Flask.

ASYNCIO_RUN = '''\
    import asyncio


    async def to_list():
        return [1]


    def run_it():
        return asyncio.run(to_list())
    '''


def test_asyncio_run_argument_is_not_awaited(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text(textwrap.dedent(ASYNCIO_RUN))
    (f,) = engine.run([root], 3).files
    assert b"asyncio.run(await" not in f.new, f.new.decode()


def test_generator_with_yield_from_is_not_made_async(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text(textwrap.dedent(ASYNCIO_RUN).replace(
        "def run_it():\n    return asyncio.run(to_list())", "def generate():\n    yield from asyncio.run(to_list())"))
    (f,) = engine.run([root], 3).files
    assert f.status != "failed", f.error


def test_f2q382_bridge_app_idempotent(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(textwrap.dedent('''\
        import requests
        from flask import Flask
        from flask_caching import Cache

        app = Flask(__name__)
        cache = Cache(app)
        shared = requests.Session()


        @app.route("/")
        def index():
            return shared.get("http://x/").text
        '''))
    first = engine.run([root], 3)
    assert first.changed
    for f in first.changed:
        f.path.write_bytes(f.new)
    again = engine.run([root], 3)
    assert not again.changed, [f.new.decode() for f in again.changed]
