"""Minimal reproducers of property violations in rules this suite does not own.

Each is ``xfail(strict=True)``: it turns into a failure (XPASS) the day the rule is
fixed, so the code can then be removed from ``props.KNOWN_ISSUES`` and is checked by
every property test again.
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


@pytest.mark.xfail(strict=True, reason="phase 1 F2Q104 rewrites asyncio.run(coro()) into "
                   "asyncio.run(await coro()) (and F2Q103 makes the caller async): wrong code")
def test_asyncio_run_argument_is_not_awaited(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text(textwrap.dedent(ASYNCIO_RUN))
    (f,) = engine.run([root], 3).files
    assert b"asyncio.run(await" not in f.new, f.new.decode()


@pytest.mark.xfail(strict=True, reason="phase 1 F2Q103 makes a generator using `yield from` async "
                   "(SyntaxError, caught by the engine's compile check: the file fails)")
def test_generator_with_yield_from_is_not_made_async(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text(textwrap.dedent(ASYNCIO_RUN).replace(
        "def run_it():\n    return asyncio.run(to_list())", "def generate():\n    yield from asyncio.run(to_list())"))
    (f,) = engine.run([root], 3).files
    assert f.status != "failed", f.error


@pytest.mark.xfail(strict=True, reason="phase 3 F2Q382: after phase 1 swaps in `Quart` from "
                   "flask2quart.bridge (an extension stays on the bridge), the second run no longer "
                   "sees an app creation site and adds a marker: not idempotent")
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
