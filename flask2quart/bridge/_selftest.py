"""``python -m flask2quart.bridge --self-test``: can the bridge run in this environment?

Checks the installed Flask/Quart/greenlet versions, then drives a throw-away bridged app through
the mechanisms extensions depend on. Each check prints one line; the exit status is 0 only if all
pass. Run it in the migrated project's CI after upgrading Flask or Quart.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def run(out: Any = None) -> int:
    out = out or sys.stdout
    failures = 0

    def report(ok: bool, name: str, detail: str = "") -> None:
        nonlocal failures
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}{(': ' + detail) if detail else ''}", file=out)

    print(
        f"flask2quart.bridge self-test: Python {sys.version.split()[0]}, Flask {_version('flask')}, "
        f"Quart {_version('quart')}, Werkzeug {_version('werkzeug')}, greenlet {_version('greenlet')}",
        file=out,
    )
    from . import _compat

    problems = _compat.version_problems()
    report(not problems, "supported Flask/Quart versions", "; ".join(problems))
    if problems:
        print("(the remaining checks run anyway)", file=out)
    previous = os.environ.get(_compat.ALLOW_ENV)
    os.environ[_compat.ALLOW_ENV] = "1"
    try:
        results = asyncio.run(_checks())
    except Exception:  # noqa: BLE001
        report(False, "building a bridged app", traceback.format_exc(limit=3))
        return 1
    finally:
        if previous is None:
            del os.environ[_compat.ALLOW_ENV]
        else:
            os.environ[_compat.ALLOW_ENV] = previous
    for name, error in results:
        report(error is None, name, error or "")
    print("OK" if not failures else f"{failures} check(s) failed", file=out)
    return 0 if not failures else 1


async def _checks() -> list[tuple[str, str | None]]:
    import flask
    import flask.signals
    import quart

    from . import Quart, await_sync

    app = Quart("flask2quart_selftest")
    app.config["SECRET_KEY"] = "self-test"
    results: list[tuple[str, str | None]] = []

    async def check(name: str, fn: Callable[[], Any]) -> None:
        try:
            rv = fn()
            if asyncio.iscoroutine(rv):
                await rv
            results.append((name, None))
        except Exception as error:  # noqa: BLE001
            results.append((name, f"{type(error).__name__}: {error}"))

    def sync_decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return flask.current_app.ensure_sync(view)(*args, **kwargs)

        return wrapper

    @app.route("/view", methods=["POST"])
    @sync_decorator
    async def view() -> Any:
        await asyncio.sleep(0)
        return {
            "app": flask.current_app.name,
            "g": flask.g._get_current_object() is quart.g._get_current_object(),
            "form": flask.request.form.get("x"),
            "ctx": id(flask.globals.app_ctx._get_current_object()),
        }

    async def app_context() -> None:
        async with app.app_context():
            assert flask.current_app._get_current_object() is app, "flask.current_app not bound"
            assert flask.g._get_current_object() is quart.g._get_current_object(), "flask.g is not quart.g"
        assert not flask.has_app_context(), "flask context still bound after pop"

    async def request_binding() -> None:
        response = await app.test_client().post("/view", form={"x": "1"})
        body = await response.get_json()
        assert response.status_code == 200, f"status {response.status_code}"
        assert body["app"] == app.name and body["g"] and body["form"] == "1", body

    async def isolation() -> None:
        async with app.app_context():
            outer = id(flask.globals.app_ctx._get_current_object())
            client = app.test_client()
            bodies = await asyncio.gather(*(client.post("/view", form={"x": str(i)}) for i in range(10)))
            ids = {(await r.get_json())["ctx"] for r in bodies}
        assert len(ids) == 10 and outer not in ids, "requests share an app context"

    async def thread() -> None:
        async with app.test_request_context("/t"):
            path = await asyncio.to_thread(lambda: flask.request.path)
            assert path == "/t"

            async def answer() -> int:
                return 42

            assert await asyncio.to_thread(lambda: await_sync(answer())) == 42

    async def signals() -> None:
        seen = []
        receiver = lambda sender, response, **kw: seen.append(response.status_code)  # noqa: E731
        with flask.signals.request_finished.connected_to(receiver, app):
            await app.test_client().post("/view", form={"x": "1"})
        assert seen == [200], seen

    def cli() -> None:
        @app.cli.command("selftest-ctx")
        def selftest_ctx() -> None:
            print(flask.current_app.name, end="")

        result = app.test_cli_runner().invoke(args=["selftest-ctx"])
        assert result.exit_code == 0 and result.output == app.name, (result.output, result.exception)

    await check("Flask globals follow a Quart app context", app_context)
    await check("flask.request/g/current_app in a request; ensure_sync from a sync decorator", request_binding)
    await check("10 concurrent requests under an outer app context get their own contexts", isolation)
    await check("Flask context in asyncio.to_thread; await_sync from a worker thread", thread)
    await check("flask.signals.request_finished re-sent", signals)
    await check("app.cli command runs in an app context", cli)
    return results
