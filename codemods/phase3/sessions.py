"""F2Q310-F2Q312: a module-level ``requests.Session`` → an ``httpx.AsyncClient`` owned by the app.

An AsyncClient is bound to the event loop it first ran on (reference trap 10), so nothing is
created at import time: the Session and its configuration statements (``headers.update``,
``headers[k] = v``, ``auth = …``, ``mount(prefix, HTTPAdapter(max_retries=N))``) move into an
``open_<name>()`` factory; the module name starts as ``None``; the app's ``before_serving`` hook
(added next to ``app = Flask(...)``, F2Q311) opens it and ``after_serving`` closes it. The Session's
own cookie jar stays per client, as before (S17). Tests reach the hooks through
``app.test_app()`` (F2Q312).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from codemods.phase3 import _http as P
from codemods.phase3.calls import _inner_span
from flask2quart import edits as E
from flask2quart.catalogue import http as H
from flask2quart.rules import Example, RuleInfo, marker, register, rule

SESSION_CODE = "F2Q310"
LIFESPAN_CODE = "F2Q311"
TEST_APP_CODE = "F2Q312"

SESSION_KEPT = marker(
    "F2Q382", "session-kept", 3,
    "A module-level requests.Session that stays on requests",
    "The message says why (a use the tool cannot port, configuration it cannot move, no app).",
)
RETRIES = marker(
    "F2Q383", "retries-not-equivalent", 3,
    "HTTPAdapter(max_retries=N>0): no httpx equivalent — the Session stays on requests",
    "urllib3 retries read errors on idempotent methods and then raises ConnectionError even for a read "
    "timeout; httpx's AsyncHTTPTransport(retries=N) retries ConnectError/ConnectTimeout only (reference "
    "F13, tests/phase3/test_facts.py). Port the policy by hand (a custom transport) or keep requests.",
)


def factory_name(name: str) -> str:
    return f"open_{name.lower().strip('_')}"


def _active_sessions(ctx: RuleContext) -> list[P.SessionInfo]:
    out = []
    for s in P.sessions(ctx.index).values():
        if P.session_problem(ctx.facts, s) is None and _used(ctx, s):
            out.append(s)
    return out


def _used(ctx, s: P.SessionInfo) -> bool:
    return any(p.session is s and p.problem is None
               for p in getattr(ctx.facts, "_f2q_plans", {}).values())


@rule(
    SESSION_CODE, "session-to-app-client", 3,
    "A module-level requests.Session configured once → an httpx.AsyncClient opened by the app",
    examples=(Example(
        "S = requests.Session()\nS.headers.update({'X-Key': KEY})\n",
        "def open_s():\n    S = httpx.AsyncClient(follow_redirects=True, max_redirects=30, timeout=None)\n"
        "    S.headers.update({'X-Key': KEY})\n    return S\n\n\n"
        "S: httpx.AsyncClient | None = None  # opened by the app in before_serving (open_s), closed after serving\n"),),
)
class SessionToClient(Rule):
    """Moves the Session and its configuration into a factory; see the module docstring."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        for s in P.sessions(ctx.index).values():
            if s.module != ctx.module.source.module:
                continue
            problem = P.session_problem(ctx.facts, s)
            if problem is None and not _used(ctx, s):
                continue
            if problem is not None:
                code = RETRIES.code if problem.startswith("HTTPAdapter(max_retries") else SESSION_KEPT.code
                yield E.Marker(code, s.stmt.lineno, f"`{s.name}` stays a requests.Session: {problem}")
                continue
            kwargs = [f"{k}={v}" for k, v in H.SESSION_CLIENT_KWARGS]
            # mounts left here are HTTPAdapter(max_retries=0): httpx's default transport already
            lines = ["", "", f"def {factory_name(s.name)}() -> httpx.AsyncClient:",
                     f"    {s.name} = httpx.AsyncClient({', '.join(kwargs)})".replace("{", "{{").replace("}", "}}")]
            subs = []
            for i, stmt in enumerate(s.config):
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                        and getattr(stmt.value.func, "attr", "") == "mount":
                    continue
                if isinstance(stmt, ast.Expr):
                    lines.append(f"    {{c{i}}}")
                    subs.append((f"c{i}", ctx.span(stmt.value)))
                else:
                    lines.append(f"    {{c{i}t}} = {{c{i}v}}")
                    subs += [(f"c{i}t", _inner_span(ctx, stmt.targets[0])), (f"c{i}v", _inner_span(ctx, stmt.value))]
            lines.append(f"    return {s.name}")
            lines += ["", "", f"{s.name}: httpx.AsyncClient | None = None  # opened by the app in before_serving "
                      f"({factory_name(s.name)}), closed after serving"]
            # the factory takes the place of the last statement (its subs are visited before it)
            stmts = [s.stmt, *s.config]
            for stmt in stmts[:-1]:
                yield E.ReplaceStatement(SESSION_CODE, stmt.lineno, "")
            yield E.ReplaceStatement(SESSION_CODE, stmts[-1].lineno, "\n".join(lines), tuple(subs))
            yield E.AddImport(SESSION_CODE, H.HTTPX)


@rule(LIFESPAN_CODE, "http-client-lifespan", 3,
      "The app opens the migrated Session clients in before_serving and closes them in after_serving")
class ClientLifespan(Rule):
    """``@app.before_serving`` opens every migrated Session client, ``@app.after_serving`` closes it."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        active = _active_sessions(ctx)
        if not active:
            return
        app = active[0].app
        if app is None or app.module != ctx.module.source.module:
            return
        t = app.stmt.targets[0].id
        nested = app.scope.kind == "function"
        gap = "\n" if nested else "\n\n\n"
        # before_serving/after_serving, not while_serving: Quart calls a while_serving function
        # once, at decoration (quart/app.py while_serving), so a second startup of the same app
        # (one test_app() per test) would fail with StopAsyncIteration.
        opening = [f"@{t}.before_serving", "async def open_http_clients():"]
        closing = [f"@{t}.after_serving", "async def close_http_clients():"]
        for i, s in enumerate(active):
            alias = f"_http_m{i}" if s.module != app.module else None
            if alias:
                imp = f"    import {s.module} as {alias}"
                opening.append(imp)
                closing.append(imp)
                ref = f"{alias}.{s.name}"
                opening.append(f"    {ref} = {alias}.{factory_name(s.name)}()")
            else:
                opening.append(f"    global {s.name}")
                ref = s.name
                opening.append(f"    {ref} = {factory_name(s.name)}()")
            closing.append(f"    await {ref}.aclose()")
        body = [*opening, *([] if nested else ["", ""]), *closing]
        template = "{t} = {v}" + gap + "\n".join(body)
        if nested:
            template += "\n"
        yield E.ReplaceStatement(LIFESPAN_CODE, app.stmt.lineno, template,
                                 (("t", ctx.span(app.stmt.targets[0])), ("v", ctx.span(app.stmt.value))))


def app_gets_hooks(ctx: RuleContext) -> bool:
    """Does this run add serving hooks (so tests must start the app with test_app())?"""
    return bool(_active_sessions(ctx))
