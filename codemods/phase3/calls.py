"""F2Q301-F2Q306: ``requests`` calls in async code → ``await <AsyncClient>.<method>(...)``.

Facts: ``catalogue.http`` (pairs S1-S12, S24, F1b of the reference). Module functions get
one client per call (``async with httpx.AsyncClient(timeout=None) as http:`` around the
statement): requests' module functions use a fresh Session per call, so no cookie is shared
between calls (F15). Calls on a module-level Session use the app-owned client (sessions.py).
The await is added by F2Q102 through the await-site provider below, which also makes the
enclosing helpers async (phase-1 fixpoint) — except in code reached from CLI commands,
threads or Celery, which keeps ``requests`` (marker F2Q381).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext, await_site_provider
from codemods.phase3 import _http as P
from flask2quart import edits as E
from flask2quart.analysis.facts import AwaitSite, ProjectFacts
from flask2quart.analysis.index import Scope
from flask2quart.catalogue import http as H
from flask2quart.rules import Example, RuleInfo, marker, register, rule

CALL_CODE = "F2Q301"
SESSION_CALL_CODE = "F2Q302"
TIMEOUT_CODE = "F2Q303"
REDIRECT_CODE = "F2Q304"
BODY_CODE = "F2Q305"
AUTH_CODE = "F2Q306"
STREAM_CODE = "F2Q307"

for _code, _name, _summary in (
    (SESSION_CALL_CODE, "session-call-to-async-client",
     "Calls on a module-level requests.Session use the app's httpx.AsyncClient (awaited)"),
    (TIMEOUT_CODE, "timeout-kept", "timeout=t / (connect, read) → httpx.Timeout with requests' meaning (S11, S12)"),
    (REDIRECT_CODE, "redirects-kept", "allow_redirects= → follow_redirects=; requests' defaults made explicit (S1, S5-S7)"),
    (BODY_CODE, "body-kept", "json= → byte-identical content= + Content-Type; data=<bytes/str> → content= (F1b, S3)"),
    (AUTH_CODE, "auth-classes", "HTTPBasicAuth/HTTPDigestAuth → httpx.BasicAuth/DigestAuth (S9, S10)"),
    (STREAM_CODE, "stream-to-send-stream",
     "Session.get(..., stream=True) + `for c in r.iter_content(n)` → send(stream=True) + `async for c in r.aiter_bytes(n)` (S19, T1)"),
):
    register(RuleInfo(_code, _name, 3, _summary, True))

KEPT = marker(
    "F2Q380", "requests-call-kept", 3,
    "A requests call the tool could not prove equivalent in httpx: left on requests (it still works, but blocks the loop)",
    "The message says which argument or response use has no checked httpx mapping; port it by hand "
    "(see docs/phase3.md) or run it with `await quart.utils.run_sync(fn)()`.",
)
FLAG = marker(
    "F2Q387", "requests-call-flagged", 3,
    "A rewritten call whose wire form may differ in a corner case (None/bool values, DELETE framing)",
    "The call was rewritten; the message names the corner case (reference F3, F5, F7). Check the "
    "values can never be None or bool, or filter them as requests did.",
)
LOCAL_SESSION = marker(
    "F2Q388", "local-session-kept", 3,
    "A requests.Session created inside a function (a view, a helper, a client class's __init__): left on requests",
    "Only module-level Sessions are moved to an app-owned client; use `async with httpx.AsyncClient("
    "follow_redirects=True, max_redirects=30, timeout=None) as s:` by hand (reference S17).",
)
KEPT_SYNC = marker(
    "F2Q381", "requests-call-in-sync-code", 3,
    "A requests call in code that must stay sync (CLI command, thread, Celery task, or reached from one)",
    "Left on requests on purpose: sync callers are never broken. Use `httpx.Client` there if you "
    "want one HTTP library.",
)


@await_site_provider(3)
def direct_sites(facts: ProjectFacts, scope: Scope) -> Iterable[AwaitSite]:
    """The requests calls of ``scope`` that phase 3 rewrites (so they need ``await``)."""
    for node in facts.index.own_nodes(scope):
        if isinstance(node, ast.Call):
            plan = P.plan_call(facts, scope, node)
            if plan is not None and plan.problem is None:
                code = SESSION_CALL_CODE if plan.session else CALL_CODE
                yield AwaitSite(node, f"requests.{plan.method} → httpx", code)


def _seg(ctx, node) -> str:
    return ast.get_source_segment(ctx.source.text, node) or ""


def call_edits(ctx: RuleContext, scope: Scope, plan: P.CallPlan, client: str | None) -> list[E.Edit]:
    """Keyword and name edits for one rewritten call (the await comes from F2Q102)."""
    node = plan.call
    fn = H.FUNCTIONS[plan.method]
    span = ctx.span(node)
    code = SESSION_CALL_CODE if plan.session else CALL_CODE
    out: list[E.Edit] = []
    if plan.stream:
        return _stream_edits(ctx, scope, plan)
    if plan.client_kwargs:
        return _client_kwargs_call(ctx, scope, plan, client)
    if client is not None:
        out.append(E.Replace(code, ctx.span(node.func), f"{client}.{fn.method}"))
    kws = {k.arg: k for k in node.keywords}
    if "allow_redirects" in kws:
        out.append(E.RenameKeyword(REDIRECT_CODE, span, *H.REDIRECT_KWARG))
    elif plan.session is None and fn.follows:
        out.append(E.AddKeyword(REDIRECT_CODE, span, "follow_redirects", "True"))
    elif plan.session is not None and not fn.follows:
        out.append(E.AddKeyword(REDIRECT_CODE, span, "follow_redirects", "False"))
    if "timeout" in kws:
        tpl, subs = P.timeout_template(ctx.index, scope, kws["timeout"].value)
        if tpl != "None":
            out.append(E.Replace(TIMEOUT_CODE, _inner_span(ctx, kws["timeout"].value), tpl,
                                 tuple((n, ctx.span(v)) for n, v in subs)))
            out.append(E.AddImport(TIMEOUT_CODE, H.HTTPX))
    if "data" in kws and isinstance(kws["data"].value, ast.Constant):
        out.append(E.RenameKeyword(BODY_CODE, span, "data", "content"))
        if isinstance(kws["data"].value.value, str):
            out.append(E.Replace(BODY_CODE, ctx.span(kws["data"].value), "{v}.encode()",
                                 (("v", ctx.span(kws["data"].value)),)))
    if "json" in kws and "data" not in kws:
        v = kws["json"].value
        out.append(E.RenameKeyword(BODY_CODE, span, "json", "content"))
        out.append(E.Replace(BODY_CODE, ctx.span(v), H.JSON_BODY_TEMPLATE, (("value", ctx.span(v)),)))
        out.append(E.AddKeyword(BODY_CODE, span, "headers", repr(dict([H.JSON_CONTENT_TYPE]))))
        out.append(E.AddImport(BODY_CODE, "json"))
    if "auth" in kws and isinstance(kws["auth"].value, ast.Call):
        a = kws["auth"].value
        target = H.AUTH_CLASSES.get(P.qual(ctx.index, a.func, ctx.eval_scope(scope, a)) or "")
        if target:
            out.append(E.Replace(AUTH_CODE, ctx.span(a.func), target))
            out.append(E.AddImport(AUTH_CODE, H.HTTPX))
    return out


@rule(
    CALL_CODE, "requests-to-httpx-call", 3,
    "requests.get/post/…/request in async code → await an httpx.AsyncClient call, same requests sent",
    examples=(Example(
        "async def view():\n    r = requests.get(URL, timeout=5)\n",
        "async def view():\n    async with httpx.AsyncClient(timeout=None) as http:\n"
        "        r = await http.get(URL, timeout=httpx.Timeout(5, pool=None), follow_redirects=True)\n"),),
)
class RequestsCalls(Rule):
    """Module functions: the statement is wrapped in ``async with httpx.AsyncClient(timeout=None)``
    (a fresh client per call, like requests' fresh Session: no timeout, no cookies kept) and the
    call goes through it with requests' defaults spelled out. Session calls: see F2Q310."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        facts = ctx.facts
        all_wrapped: list[tuple[ast.stmt, str, P.CallPlan | None]] = []
        for scope in ctx.functions():
            wrapped: dict[int, tuple[ast.stmt, str, P.CallPlan | None]] = {}
            for node in ctx.index.own_nodes(scope):
                if not isinstance(node, ast.Call):
                    continue
                if P.qual(ctx.index, node.func, ctx.eval_scope(scope, node)) in H.SESSION_CLASSES \
                        and scope not in P.sync_reach(facts):
                    yield E.Marker(LOCAL_SESSION.code, node.lineno,
                                   "a Session created in a function stays on requests: its calls block "
                                   "the event loop when async code makes them")
                    continue
                plan = P.plan_call(facts, scope, node)
                if plan is None:
                    continue
                if plan.problem is None and not facts.is_async(scope):
                    plan.problem = "kept sync: the function stays sync"
                if plan.problem is not None:
                    code = KEPT_SYNC.code if plan.problem.startswith("kept sync") else KEPT.code
                    yield E.Marker(code, node.lineno, f"requests.{plan.method}: {plan.problem}")
                    continue
                for why in P.flags(plan):
                    yield E.Marker(FLAG.code, node.lineno, f"requests.{plan.method}: {why}")
                client = None
                if plan.session is None:
                    stmt = P.enclosing_stmt(ctx.index, scope, node)
                    if id(stmt) not in wrapped:
                        wrapped[id(stmt)] = (stmt, P.free_name(scope, "http"), None)
                    if plan.client_kwargs:
                        wrapped[id(stmt)] = (*wrapped[id(stmt)][:2], plan)
                    client = wrapped[id(stmt)][1]
                yield from call_edits(ctx, scope, plan, client)
            all_wrapped.extend(wrapped.values())
        if not all_wrapped:
            return
        anchor = ssl_anchor(ctx)
        ssl_name = None
        if anchor is not None:
            stmt, keep = anchor
            ssl_name = P.free_name(ctx.module.scope, H.SSL_CONTEXT_NAME)
            ssl_line = f"{ssl_name} = {H.SSL_CONTEXT_FACTORY}  # {H.SSL_CONTEXT_COMMENT}"
            if keep == "before":  # the first statement after the imports: the context goes above it
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                lhs = " = ".join(f"{{t{i}}}" for i in range(len(targets)))
                subs = [(f"t{i}", ctx.span(t)) for i, t in enumerate(targets)]
                rhs = "{v}"
                if isinstance(stmt, ast.AnnAssign):
                    lhs, rhs = lhs + ": {a}", "{v}"
                    subs.append(("a", ctx.span(stmt.annotation)))
                subs.append(("v", ctx.span(stmt.value)))
                yield E.ReplaceStatement(CALL_CODE, stmt.lineno, f"{ssl_line}\n\n{lhs} = {rhs}", tuple(subs))
            else:
                lines = [ast.get_source_segment(ctx.source.text, stmt)] if keep else []
                if ctx.module.scope.bindings.get(H.HTTPX) is None:
                    lines.append("import httpx")
                lines += ["", ssl_line]
                yield E.ReplaceStatement(CALL_CODE, stmt.lineno, "\n".join(lines))
        for stmt, client, cplan in all_wrapped:
            edit = _wrap(ctx, stmt, client, ssl_name, cplan)
            if edit is None:  # pragma: no cover - plan_call excludes these shapes
                yield E.Marker(KEPT.code, stmt.lineno, "statement shape cannot take a client")
                continue
            yield edit
            yield E.AddImport(CALL_CODE, H.HTTPX)


def ssl_anchor(ctx: RuleContext):
    """(import statement, keep it) after which the module's shared SSL context goes: the last
    top-level import, when it is one no rule rewrites (stdlib, project or requests modules) and
    nothing but imports precede it. ``keep`` is False when F2Q336 drops that import."""
    import sys

    body = ctx.module.source.tree.body
    start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else 0
    last = None
    for stmt in body[start:]:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            last = stmt
        else:
            break
    if last is None:
        return None
    names = [a.name for a in last.names] if isinstance(last, ast.Import) else [last.module or ""]
    safe = not (isinstance(last, ast.ImportFrom) and last.level) and all(
        n.split(".")[0] in sys.stdlib_module_names or n.split(".")[0] == H.REQUESTS
        or any(m.split(".")[0] == n.split(".")[0] for m in ctx.index.modules) for n in names)
    if safe:
        from codemods.phase3.imports import unused_requests_import

        return last, unused_requests_import(ctx) is not last
    # the last import is one another rule may rewrite (flask, an extension): go above the first
    # statement after the imports when it is a plain assignment (no call) that nobody rewrites
    following = body[body.index(last) + 1:]
    first = following[0] if following else None
    if isinstance(first, (ast.Assign, ast.AnnAssign)) and first.value is not None \
            and all(isinstance(t, ast.Name) for t in (first.targets if isinstance(first, ast.Assign) else [first.target])):
        calls = [n for n in ast.walk(first.value) if isinstance(n, (ast.Call, ast.Await, ast.Yield))]
        if not calls:
            return first, "before"
        # `app = Flask(__name__)`: phase 1 only renames inside it (kept through the subs); F2Q311
        # rewrites the statement itself when the app gets serving hooks, so then it is not used
        from codemods.phase3.sessions import app_gets_hooks
        from flask2quart import catalogue as C

        if len(calls) == 1 and calls[0] is first.value and C.canonical(
                ctx.index.qualify(first.value.func, ctx.module.scope)) == "fw.Flask" and not app_gets_hooks(ctx):
            return first, "before"
    return None


def _wrap(ctx: RuleContext, stmt: ast.stmt, client: str, ssl_name: str | None = None,
          plan: P.CallPlan | None = None) -> E.ReplaceStatement | None:
    kwargs = [f"{k}={v}" for k, v in H.CALL_CLIENT_KWARGS]
    subs = []
    extra, extra_subs = client_kwargs_text(ctx, plan) if plan is not None else ([], [])
    if ssl_name and not any(k.arg == "verify" for k in (plan.client_kwargs if plan else ())):
        kwargs.append(f"verify={ssl_name}")
    kwargs += extra
    subs += extra_subs
    head = f"async with httpx.AsyncClient({', '.join(kwargs)}) as {client}:\n    "
    if isinstance(stmt, ast.Assign):
        parts = []
        for i, t in enumerate(stmt.targets):
            parts.append(f"{{t{i}}} = ")
            subs.append((f"t{i}", ctx.span(t)))
        body = "".join(parts) + "{value}"
        subs.append(("value", ctx.span(stmt.value)))
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        body = "{t}: {a} = {value}"
        subs += [("t", ctx.span(stmt.target)), ("a", ctx.span(stmt.annotation)), ("value", ctx.span(stmt.value))]
    elif isinstance(stmt, ast.Expr):
        body = "{value}"
        subs.append(("value", ctx.span(stmt.value)))
    elif isinstance(stmt, ast.Return) and stmt.value is not None:
        body = "return {value}"
        subs.append(("value", ctx.span(stmt.value)))
    else:
        return None
    return E.ReplaceStatement(CALL_CODE, stmt.lineno, head + body, tuple(subs))


def _inner_span(ctx, node: ast.expr) -> E.Span:
    """A parenthesised tuple: LibCST places the node inside its parentheses."""
    sp = ctx.span(node)
    if isinstance(node, ast.Tuple) and ctx.source.lines.line_text(sp.line)[sp.col:sp.col + 1] == "(":
        return E.Span(sp.line, sp.col + 1, sp.end_line, sp.end_col - 1)
    return sp


def _stream_edits(ctx: RuleContext, scope: Scope, plan: P.CallPlan) -> list[E.Edit]:
    """``s.get(url, stream=True, **kw)`` → ``s.send(s.build_request("GET", url, **kw), stream=True)``;
    the reading loops become ``async for … in r.aiter_bytes(n)`` (their generator ``async def``),
    ``r.close()`` → ``await r.aclose()``. httpx closes a stream read to its end (aiter_raw)."""
    node = plan.call
    fn = H.FUNCTIONS[plan.method]
    subs = [("client", ctx.span(node.func.value))]
    args = []
    if plan.method == "request":
        positional = list(node.args)
    else:
        positional = [None, *node.args]
        args.append(repr(plan.method.upper()))
    for i, a in enumerate(positional):
        if a is None:
            continue
        args.append(f"{{a{i}}}")
        subs.append((f"a{i}", _inner_span(ctx, a)))
    out: list[E.Edit] = []
    send_kw = "stream=True"
    for k in node.keywords:
        if k.arg == "stream":
            continue
        if k.arg == "allow_redirects":
            send_kw += f", follow_redirects={{k_{k.arg}}}"
            subs.append((f"k_{k.arg}", _inner_span(ctx, k.value)))
            continue
        if k.arg == "timeout":
            tpl, tsubs = P.timeout_template(ctx.index, scope, k.value)
            if tpl != "None":
                out.append(E.Replace(TIMEOUT_CODE, _inner_span(ctx, k.value), tpl,
                                     tuple((n, ctx.span(v)) for n, v in tsubs)))
                out.append(E.AddImport(TIMEOUT_CODE, H.HTTPX))
        args.append(f"{k.arg}={{k_{k.arg}}}")
        subs.append((f"k_{k.arg}", _inner_span(ctx, k.value)))
    if not fn.follows and "allow_redirects" not in {k.arg for k in node.keywords}:
        send_kw += ", follow_redirects=False"
    template = f"{{client}}.send({{client}}.build_request({', '.join(args)}), {send_kw})"
    out.append(E.Replace(STREAM_CODE, ctx.span(node), template, tuple(subs)))
    gens = set()
    for loop, call, gen in plan.stream_fors:
        out.append(E.Replace(STREAM_CODE, ctx.span(call.func), "{r}.aiter_bytes",
                             (("r", ctx.span(call.func.value)),)))
        out.append(E.AsyncFor(STREAM_CODE, loop.lineno, ctx.source.lines.col(loop.lineno, loop.col_offset)))
        if gen is not None and not isinstance(gen, ast.AsyncFunctionDef) and id(gen) not in gens:
            gens.add(id(gen))
            out.append(E.MakeAsync(STREAM_CODE, gen.lineno, gen.name))
    for stmt in plan.stream_closes:
        out.append(E.ReplaceStatement(STREAM_CODE, stmt.lineno, "await {r}.aclose()",
                                      (("r", ctx.span(stmt.value.func.value)),)))
    return out


def _client_kwargs_call(ctx: RuleContext, scope: Scope, plan: P.CallPlan, client: str) -> list[E.Edit]:
    """A module function with verify=/cookies=/proxies=: the call is rebuilt without them (they
    go to the per-call client, see :func:`client_kwargs_text`); the other keywords as usual."""
    node = plan.call
    fn = H.FUNCTIONS[plan.method]
    moved = {id(k) for k in plan.client_kwargs}
    args, subs, out = [], [], []
    for i, a in enumerate(node.args):
        args.append(f"{{a{i}}}")
        subs.append((f"a{i}", _inner_span(ctx, a)))
    kws = {k.arg for k in node.keywords}
    for k in node.keywords:
        if id(k) in moved:
            continue
        name = k.arg
        if name == "allow_redirects":
            name = "follow_redirects"
        elif name == "timeout":
            tpl, tsubs = P.timeout_template(ctx.index, scope, k.value)
            if tpl != "None":
                out.append(E.Replace(TIMEOUT_CODE, _inner_span(ctx, k.value), tpl,
                                     tuple((n, ctx.span(v)) for n, v in tsubs)))
                out.append(E.AddImport(TIMEOUT_CODE, H.HTTPX))
        elif name == "data" and isinstance(k.value, ast.Constant):
            name = "content"
            if isinstance(k.value.value, str):
                out.append(E.Replace(BODY_CODE, ctx.span(k.value), "{v}.encode()", (("v", ctx.span(k.value)),)))
        elif name == "json" and "data" not in kws:
            name = "content"
            out.append(E.Replace(BODY_CODE, ctx.span(k.value), H.JSON_BODY_TEMPLATE, (("value", ctx.span(k.value)),)))
            out.append(E.AddImport(BODY_CODE, "json"))
            args.append(f"headers={dict([H.JSON_CONTENT_TYPE])!r}".replace("{", "{{").replace("}", "}}"))
        args.append(f"{name}={{k{len(subs)}}}")
        subs.append((f"k{len(subs)}", _inner_span(ctx, k.value)))
    if "allow_redirects" not in kws and fn.follows:
        args.append("follow_redirects=True")
    template = f"{client}.{fn.method}({', '.join(args)})"
    out.append(E.Replace(CALL_CODE, ctx.span(node), template, tuple(subs)))
    return out


def client_kwargs_text(ctx: RuleContext, plan: P.CallPlan) -> tuple[list[str], list[tuple[str, E.Span]]]:
    """Constructor keywords (source text with placeholders) for the per-call client."""
    parts, subs = [], []
    for k in plan.client_kwargs:
        if k.arg == "proxies":
            items = []
            for key, val in zip(k.value.keys, k.value.values):
                name = f"p{len(subs)}"
                items.append(f"{H.PROXY_KEYS[key.value]!r}: {H.PROXY_TRANSPORT.format(p='{' + name + '}')}")
                subs.append((name, ctx.span(val)))
            parts.append("mounts={{" + ", ".join(items) + "}}")
        else:
            name = f"c{len(subs)}"
            parts.append(f"{k.arg}={{{name}}}")
            subs.append((name, _inner_span(ctx, k.value)))
    return parts, subs
