"""F2Q137: Flask-Sock → Quart's native websocket handlers.

``sock = Sock(app)`` goes; ``@sock.route('/ws')`` → ``@app.websocket('/ws')`` (``bp=b`` →
``@b.websocket``); ``sock = Sock()`` → ``sock = Blueprint("__flask_sock", __name__)`` and
``sock.init_app(app)`` → ``app.register_blueprint(sock)`` (what flask-sock 0.7.0 does inside, so
endpoint names stay). ``def echo(ws, …):`` → ``async def echo(…):`` starting with
``await websocket.accept()`` (flask-sock accepts before the handler runs), ``ws.receive()`` →
``await websocket.receive()``, ``ws.send(x)`` → ``await websocket.send(x)``,
``ws.close(reason, message)`` → ``await websocket.close(reason or 1000, message)``.
Facts: ``catalogue/extensions.py`` (SOCK_*).

The project keeps Flask-Sock (F2Q171: not on the bridge) unless every use is one of those and
each handler uses its ``ws`` parameter only so: ``ws.receive(timeout=…)`` (None on timeout),
``ws.connected``, ``ws`` passed elsewhere, a ``try``/``except`` in the handler (flask-sock raises
ConnectionClosed on a disconnect, Quart cancels the task), ``request`` in the handler, another
decorator, route options, a close not followed by the end of the handler or ``return``, or
SOCK_SERVER_OPTIONS keep it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.analysis import extensions as AX
from flask2quart.analysis.index import ProjectIndex
from flask2quart import catalogue as C
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, marker, rule

FLASK_MODULE = "flask_sock"
CODE = "F2Q137"
NOT_SWAPPED = marker(
    "F2Q175", "sock-not-swapped", 1,
    "Why Flask-Sock was not swapped for native Quart websockets",
    "Left at the first use the F2Q137 swap cannot rewrite (the project keeps Flask-Sock, F2Q171); "
    "port the handlers by hand or reshape the use.",
)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass
class _Plan:
    uses: list[AX.ExtensionUse] = field(default_factory=list)
    edits: dict[str, list[E.Edit]] = field(default_factory=dict)


def _owner(parents: dict, node: ast.AST) -> ast.AST | None:
    """The function or module whose body (possibly nested in if/for/…) holds ``node``."""
    cur = parents.get(node)
    while cur is not None and not isinstance(cur, (ast.Module, ast.FunctionDef,
                                                   ast.AsyncFunctionDef, ast.ClassDef)):
        cur = parents.get(cur)
    return cur


def _alone_on_line(parents: dict, stmt: ast.stmt) -> bool:
    body = getattr(parents.get(stmt), "body", None) or []
    return not any(s is not stmt and (s.lineno <= stmt.end_lineno and s.end_lineno >= stmt.lineno)
                   for s in body if isinstance(s, ast.stmt))


def _names(tree: ast.AST) -> set[str]:
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.alias):
            out.add((n.asname or n.name).split(".")[0])
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
        elif isinstance(n, ast.arg):
            out.add(n.arg)
    return out


def _build(index: ProjectIndex) -> _Plan:
    plan = _Plan()

    def use(module: str, node: ast.AST, qual: str, why: str = "") -> None:
        plan.uses.append(AX.ExtensionUse(module, getattr(node, "lineno", 0), qual, not why, why))

    def edit(module: str, e: E.Edit) -> None:
        plan.edits.setdefault(module, []).append(e)

    for name, info in index.modules.items():
        for n in index.walk(info.source.tree):
            if isinstance(n, ast.Constant) and n.value == X.SOCK_CONFIG or \
                    isinstance(n, ast.Name) and n.id == X.SOCK_CONFIG:
                use(name, n, FLASK_MODULE, f"`{X.SOCK_CONFIG}` has no Quart counterpart "
                                           "(hypercorn's websocket settings)")

    for imp in AX.extension_imports(index):
        if imp.flask_module != FLASK_MODULE:
            continue
        node = imp.node
        parents = index.modules[imp.module].parents
        if not isinstance(node, ast.ImportFrom) or node.module != FLASK_MODULE \
                or any(f"{FLASK_MODULE}.{a.name}" not in X.SOCK_NAMES for a in node.names):
            use(imp.module, node, FLASK_MODULE, "an import of flask_sock other than "
                                                "`from flask_sock import Sock`")
        elif not _alone_on_line(parents, node):
            use(imp.module, node, FLASK_MODULE, "`from flask_sock import Sock` shares its line")
        else:
            use(imp.module, node, X.SOCK_CLASS)
            edit(imp.module, E.ReplaceStatement(CODE, node.lineno, ""))

    for ref in AX.references(index, FLASK_MODULE):
        info = index.modules[ref.module]
        call = info.parents.get(ref.node)
        stmt = info.parents.get(call)
        if ref.qualname != X.SOCK_CLASS or not isinstance(call, ast.Call) \
                or call.func is not ref.node:
            use(ref.module, ref.node, ref.qualname, f"`{ref.qualname}` used other than called")
            continue
        if call.keywords or len(call.args) > 1 or (call.args and not isinstance(call.args[0],
                                                                                ast.Name)):
            use(ref.module, call, ref.qualname, "`Sock(...)` with other arguments than an app name")
            continue
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and _alone_on_line(info.parents, stmt)):
            use(ref.module, call, ref.qualname, "`Sock(...)` not bound to a name on its own line")
            continue
        why = _instance(index, ref.module, stmt, call, edit)
        use(ref.module, call, ref.qualname, why)
    return plan


_plan = AX.per_index(_build)


def _instance(index: ProjectIndex, module: str, stmt: ast.Assign, call: ast.Call, edit) -> str:
    """Plan the edits for one ``sock = Sock(...)``; the reason it cannot be swapped, or ""."""
    info = index.modules[module]
    src = info.source
    tree = src.tree
    span = src.lines.span
    sock = stmt.targets[0].id
    app = call.args[0].id if call.args else None
    owner = _owner(info.parents, stmt)
    for other, oinfo in index.modules.items():
        if other != module and sock in _names(oinfo.source.tree):
            return f"`{sock}` (the Sock) is named in another module ({other})"
    taken = _names(tree)
    if X.SOCK_WEBSOCKET_OBJECT in taken:
        return f"the name `{X.SOCK_WEBSOCKET_OBJECT}` is taken in {module}"
    if app is None and X.SOCK_BLUEPRINT_CLASS in taken and not any(
            isinstance(n, ast.ImportFrom) and n.module in (C.FLASK_PACKAGE, C.QUART_PACKAGE)
            and any(a.name == X.SOCK_BLUEPRINT_CLASS and not a.asname for a in n.names)
            for n in ast.walk(tree)):
        return f"the name `{X.SOCK_BLUEPRINT_CLASS}` is taken in {module}"
    if app is not None and sum(
            1 for n in ast.walk(owner) if isinstance(n, ast.Name) and n.id == app
            and isinstance(n.ctx, ast.Store) and _owner(info.parents, n) is owner) > 1:
        return f"`{app}` is bound more than once where `{sock} = Sock({app})` is"
    out: list[E.Edit] = []
    routes: list[ast.FunctionDef] = []
    inits: list[ast.Call] = []
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Name) and n.id == sock) or n is stmt.targets[0]:
            continue
        attr = info.parents.get(n)
        c = info.parents.get(attr)
        if not (isinstance(n.ctx, ast.Load) and isinstance(attr, ast.Attribute)
                and isinstance(c, ast.Call) and c.func is attr):
            return f"`{sock}` used other than `{sock}.route(...)` / `{sock}.init_app(app)` " \
                   f"(line {n.lineno})"
        if attr.attr == X.SOCK_INIT_APP and app is None and len(c.args) == 1 \
                and not c.keywords and not isinstance(c.args[0], ast.Starred) \
                and isinstance(info.parents.get(c), ast.Expr):
            inits.append(c)
            out.append(E.Replace(CODE, span(c), X.SOCK_REGISTER.format(app="{app}", sock=sock),
                                 (("app", span(c.args[0])),)))
            continue
        if attr.attr != X.SOCK_ROUTE:
            return f"`{sock}.{attr.attr}(...)` has no Quart counterpart here (line {n.lineno})"
        fn = info.parents.get(c)
        if not isinstance(fn, ast.FunctionDef) or c not in fn.decorator_list:
            return f"`{sock}.route(...)` used other than as a decorator of a def (line {n.lineno})"
        if len(fn.decorator_list) != 1:
            return f"`{fn.name}` has another decorator than `{sock}.route`"
        if len(c.args) != 1 or isinstance(c.args[0], ast.Starred) or any(
                k.arg != X.SOCK_ROUTE_BP for k in c.keywords):
            return f"`{sock}.route(...)` with other arguments than a path and bp= (line {c.lineno})"
        bp = next((k.value for k in c.keywords), None)
        if app is not None and bp is None and _owner(info.parents, fn) is not owner:
            return f"`{fn.name}` is not declared where `{sock} = Sock({app})` is"
        if app is None and bp is None and not isinstance(info.parents.get(fn), ast.Module):
            return f"`{fn.name}` (on the Sock blueprint) is not declared at module level"
        why = _handler(index, module, fn, out)
        if why:
            return why
        routes.append(fn)
        subs = [("path", span(c.args[0]))]
        if bp is not None:
            recv = "{bp}"
            subs.append(("bp", span(bp)))
        else:
            recv = app or sock
        out.append(E.Replace(CODE, span(c), f"{recv}.{X.SOCK_WEBSOCKET}({{path}})", tuple(subs)))
    for c in inits:  # module-level init_app before a route: flask-sock puts later routes on the app
        if isinstance(_owner(info.parents, c), ast.Module) and any(
                f.lineno > c.lineno for f in routes):
            return f"`{sock}.init_app` at line {c.lineno} runs before a route is declared"
    if app is not None:
        out.append(E.ReplaceStatement(CODE, stmt.lineno, ""))
    else:
        out.append(E.Replace(CODE, span(call), X.SOCK_BLUEPRINT))
        out.append(E.AddImport(CODE, X.SOCK_MODULE, X.SOCK_BLUEPRINT_CLASS))
    if routes:
        out.append(E.AddImport(CODE, X.SOCK_MODULE, X.SOCK_WEBSOCKET_OBJECT))
    for e in out:
        edit(module, e)
    return ""


def _handler(index: ProjectIndex, module: str, fn: ast.FunctionDef, out: list) -> str:
    """Plan the edits for one handler; the reason it cannot be swapped, or ""."""
    info = index.modules[module]
    span = info.source.lines.span
    positional = [*fn.args.posonlyargs, *fn.args.args]
    if not positional:
        return f"handler `{fn.name}` takes no ws parameter"
    ws = positional[0].arg
    for other, oinfo in index.modules.items():
        for n in ast.walk(oinfo.source.tree):
            if n is not fn and (isinstance(n, ast.Name) and n.id == fn.name
                                or isinstance(n, ast.Attribute) and n.attr == fn.name
                                or isinstance(n, ast.alias) and fn.name in (n.name, n.asname)
                                or isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                                and n.name == fn.name):
                return f"handler `{fn.name}` is named elsewhere ({other}, line " \
                       f"{getattr(n, 'lineno', '?')}): it becomes a coroutine function"
    edits: list[E.Edit] = []
    for stmt in fn.body:
        for n in ast.walk(stmt):
            where = f"handler `{fn.name}` line {getattr(n, 'lineno', '?')}"
            if isinstance(n, _NESTED) and ws in _names(n):
                return f"{where}: `{ws}` used in a nested scope"
            if isinstance(n, (ast.Yield, ast.YieldFrom)):
                return f"{where}: a generator"
            if isinstance(n, ast.Try) and n.handlers or type(n).__name__ == "TryStar":
                return (f"{where}: try/except in a websocket handler (flask-sock raises "
                        "ConnectionClosed on a disconnect, Quart cancels the handler with "
                        "asyncio.CancelledError)")
            if isinstance(n, ast.Name) and n.id == X.SOCK_REQUEST:
                return f"{where}: `request` in a websocket handler (Quart: `websocket`)"
            if isinstance(n, (ast.Global, ast.Nonlocal)) and ws in n.names:
                return f"{where}: `{ws}` declared {type(n).__name__.lower()}"
            if not (isinstance(n, ast.Name) and n.id == ws):
                continue
            why = _ws_use(info.parents, fn, n, ws, span, edits)
            if why:
                return f"{where}: {why}"
    out.extend(edits)
    out.append(E.MakeAsync(CODE, fn.lineno, fn.name))
    out.append(E.RemoveParam(CODE, fn.lineno, fn.name, ws))
    out.append(E.PrependStatement(CODE, fn.lineno, fn.name, X.SOCK_ACCEPT))
    return ""


def _ws_use(parents: dict, fn: ast.FunctionDef, n: ast.Name, ws: str, span, edits) -> str:
    attr = parents.get(n)
    call = parents.get(attr)
    if not isinstance(n.ctx, ast.Load):
        return f"`{ws}` rebound"
    if not (isinstance(attr, ast.Attribute) and isinstance(call, ast.Call) and call.func is attr):
        return f"`{ws}` used other than `{ws}.receive()` / `.send(x)` / `.close(…)`"
    if attr.attr not in X.SOCK_METHODS:
        return f"`{ws}.{attr.attr}` has no exact Quart counterpart"
    template, npos, kws = X.SOCK_METHODS[attr.attr]
    if len(call.args) > npos or any(isinstance(a, ast.Starred) for a in call.args) \
            or any(k.arg not in kws for k in call.keywords):
        if attr.attr == "receive":
            return (f"`{ws}.receive(timeout)`: simple-websocket returns None on a timeout, "
                    "Quart's receive has no timeout")
        return f"`{ws}.{attr.attr}(...)` with other arguments"
    if attr.attr == "send":
        if len(call.args) != 1:
            return f"`{ws}.send` without one positional argument"
        edits.append(E.Replace(CODE, span(call), template, (("a0", span(call.args[0])),)))
        return ""
    if attr.attr == "receive":
        edits.append(E.Replace(CODE, span(call), template))
        return ""
    # close(reason=None, message=None): literal values only; the end of the handler follows
    values = dict(zip(("reason", "message"), call.args))
    for k in call.keywords:
        if k.arg in values:
            return f"`{ws}.close` with `{k.arg}` twice"
        values[k.arg] = k.value
    reason, message = values.get("reason"), values.get("message")
    ok_reason = reason is None or isinstance(reason, ast.Constant) and (
        reason.value is None or type(reason.value) is int)
    ok_message = message is None or isinstance(message, ast.Constant) and (
        message.value is None or isinstance(message.value, str))
    if not (ok_reason and ok_message):
        return f"`{ws}.close(...)` with a non-literal reason or message"
    stmt = parents.get(call)
    body = getattr(parents.get(stmt), "body", None)
    if not isinstance(stmt, ast.Expr) or not isinstance(body, list) or stmt not in body:
        return f"`{ws}.close(...)` not a statement of its own"
    rest = body[body.index(stmt) + 1:]
    if not (rest == [] and parents.get(stmt) is fn
            or rest and isinstance(rest[0], ast.Return) and rest[0].value is None):
        return f"`{ws}.close(...)` not followed by `return` or the end of the handler"
    code = "{code}" if reason is not None and reason.value is not None else X.SOCK_CLOSE_DEFAULT
    text = ", {message}" if message is not None and message.value else ""
    subs = []
    if code == "{code}":
        subs.append(("code", span(reason)))
    if text:
        subs.append(("message", span(message)))
    edits.append(E.Replace(CODE, span(call), template.format(code=code, reason=text)
                           if not subs else template.replace("{code}{reason}", code + text),
                           tuple(subs)))
    return ""


@AX.swap_analyser(FLASK_MODULE)
def analyse(index: ProjectIndex) -> list[AX.ExtensionUse]:
    return _plan(index).uses


@rule(
    CODE, "flask-sock-to-quart-websocket", 1,
    "Swap Flask-Sock routes for native Quart websocket handlers",
    examples=(Example(
        "from flask import Flask\nfrom flask_sock import Sock\n\napp = Flask(__name__)\n"
        "sock = Sock(app)\n\n\n@sock.route('/echo')\ndef echo(ws):\n    while True:\n"
        "        ws.send(ws.receive())\n",
        "from quart import websocket, Quart\n\napp = Quart(__name__)\n\n\n"
        "@app.websocket('/echo')\nasync def echo():\n    await websocket.accept()\n"
        "    while True:\n        await websocket.send(await websocket.receive())\n",
    ),),
)
class FlaskSockSwap(Rule):
    """Rewrites Flask-Sock's routes and handlers; nothing unless every use in the project can
    be swapped."""

    def detect(self, ctx: RuleContext):
        index = ctx.index
        if not AX.extension_imports(index):
            return
        if not AX.swap_applies(index, FLASK_MODULE):
            unhandled = [u for u in AX.uses(index, FLASK_MODULE) if not u.handled]
            if unhandled and unhandled[0].module == ctx.source.module and unhandled[0].line:
                yield E.Marker(NOT_SWAPPED.code, unhandled[0].line,
                               f"not swapped: {unhandled[0].why}")
            return
        yield from _plan(index).edits.get(ctx.source.module, ())
