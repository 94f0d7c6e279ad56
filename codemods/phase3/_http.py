"""Shared phase-3 analysis: which ``requests`` calls can become ``await client.<m>(...)``.

The await-site provider (which seeds the async fixpoint) and the rules ask the same
question through :func:`plan_call`, so a call is awaited exactly when it is rewritten.
A call is rewritten only when every use of its response is understood (members listed in
``catalogue.http``); otherwise it keeps ``requests`` (still working, though blocking) and a
marker says why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from flask2quart.analysis.facts import ProjectFacts
from flask2quart.analysis.index import FuncNode, ProjectIndex, Scope
from flask2quart.catalogue import http as H


@dataclass
class SessionInfo:
    """A module-level ``NAME = requests.Session()`` and its configuration statements."""

    module: str
    name: str
    stmt: ast.Assign
    config: list[ast.stmt] = field(default_factory=list)
    mounts: list[tuple[str, str]] = field(default_factory=list)  # (prefix, retries source)
    problem: str | None = None  # why it stays a requests.Session
    app: "AppSite | None" = None  # where the serving hooks go


@dataclass
class CallPlan:
    call: ast.Call
    method: str               # requests function / Session method name
    session: SessionInfo | None
    problem: str | None = None
    response_name: str | None = None  # local bound to the response
    stream: bool = False
    #: stream=True: (for statement, iter_content call, generator scope node or None)
    stream_fors: list = field(default_factory=list)
    stream_closes: list = field(default_factory=list)  # `r.close()` expression statements
    #: verify=/cookies=/proxies= of a module function: they go to the per-call client (S20, S23, F14)
    client_kwargs: list = field(default_factory=list)


def qual(index: ProjectIndex, expr: ast.expr, scope: Scope) -> str | None:
    return H.canonical_name(index.qualify(expr, scope))


def _body_nodes(stmts):
    stack = list(stmts)
    while stack:
        n = stack.pop()
        yield n
        stack.extend(ast.iter_child_nodes(n))


# -- module-level sessions ------------------------------------------------------------

def sessions(index: ProjectIndex) -> dict[str, SessionInfo]:
    """``module.NAME`` → SessionInfo, cached on the index."""
    cached = getattr(index, "_f2q_http_sessions", None)
    if cached is not None:
        return cached
    out: dict[str, SessionInfo] = {}
    for mod, info in index.modules.items():
        body = info.source.tree.body if hasattr(info.source, "tree") else None
        if body is None:
            body = ast.parse(info.source.text).body
        for i, stmt in enumerate(body):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
                continue
            if qual(index, stmt.value.func, info.scope) not in H.SESSION_CLASSES:
                continue
            name = stmt.targets[0].id
            s = SessionInfo(mod, name, stmt)
            if stmt.value.args or stmt.value.keywords:
                s.problem = "Session() with arguments"
            if len([b for b in [info.scope.bindings.get(name)] if b is not None and len(b.values) == 1]) != 1:
                s.problem = s.problem or f"`{name}` is assigned more than once"
            for later in body[i + 1:]:
                kind = _config_stmt(index, info.scope, later, name)
                if kind is None:
                    continue
                if kind == "retries":
                    s.problem = s.problem or (
                        f"HTTPAdapter(max_retries=...) on line {later.lineno}: urllib3 retries read errors too and "
                        "then raises ConnectionError (even for a read timeout); httpx's AsyncHTTPTransport(retries=N) "
                        "retries connect errors only (reference F13) — port the retry policy by hand")
                    continue
                if kind == "bad":
                    s.problem = s.problem or f"`{name}` is configured in a way the tool cannot move " \
                                             f"(line {later.lineno})"
                    continue
                s.config.append(later)
                if kind != "attr":
                    s.mounts.append(kind)
            # any other module-level use of NAME (outside functions) keeps it sync
            for later in body[i + 1:]:
                if later in s.config or isinstance(later, (*FuncNode, ast.ClassDef)):
                    continue
                if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(later)):
                    s.problem = s.problem or f"`{name}` is used at import time (line {later.lineno})"
            out[f"{mod}.{name}"] = s
    if out:
        app = find_app(index)
        for s in out.values():
            if isinstance(app, str):
                s.problem = s.problem or app
            else:
                s.app = app
    index._f2q_http_sessions = out
    return out


@dataclass
class AppSite:
    module: str
    stmt: ast.Assign
    scope: Scope


def find_app(index: ProjectIndex):
    """The one ``app = Flask(...)`` assignment of the project (tests excluded) that will own
    the clients, or a str saying why there is none."""
    from flask2quart import catalogue as C

    found = []
    for mod, info in index.modules.items():
        if "test" in mod.split(".")[-1] or mod.startswith("tests") or "conftest" in mod:
            continue
        for node in index.walk(info.source.tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                    node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
                parent = info.parents.get(node)
                scope = info.scope if parent is info.source.tree else info.scopes_by_node.get(parent)
                if scope is None:
                    continue
                if C.canonical(index.qualify(node.value.func, scope)) == "fw.Flask":
                    found.append(AppSite(mod, node, scope))
    if len(found) != 1:
        return (f"{'no' if not found else len(found)} app creation site(s) in the project: "
                "no place for the serving hooks that own the client")
    return found[0]


def _config_stmt(index, scope, stmt, name):
    """None (does not touch NAME), "attr" (portable config), (prefix, retries) for a mount,
    or "bad"."""
    def is_name(e):
        return isinstance(e, ast.Name) and e.id == name
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Attribute) and is_name(f.value.value) \
                and f.value.attr == "headers" and f.attr == "update":
            return "attr"
        if isinstance(f, ast.Attribute) and is_name(f.value) and f.attr == "mount":
            args = stmt.value.args
            if len(args) == 2 and isinstance(args[0], ast.Constant) and args[0].value in H.MOUNT_PREFIXES \
                    and isinstance(args[1], ast.Call) and qual(index, args[1].func, scope) in H.HTTP_ADAPTERS:
                kws = {k.arg: k.value for k in args[1].keywords}
                if set(kws) == {"max_retries"} and not args[1].args:
                    v = kws["max_retries"]
                    if isinstance(v, ast.Constant) and v.value == 0:
                        return (args[0].value, "0")  # no retries: the same as httpx's default
                    return "retries"
            return "bad"
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        t = stmt.targets[0]
        if isinstance(t, ast.Attribute) and is_name(t.value):
            return "attr" if t.attr in ("auth", "max_redirects") or t.attr == "headers" else "bad"
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and is_name(t.value.value) \
                and t.value.attr == "headers":
            return "attr"
    if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt)) and not isinstance(
            stmt, (*FuncNode, ast.ClassDef)):
        return "bad"
    return None


def index_source(index: ProjectIndex, scope: Scope) -> str:
    return index.module_of(scope).source.text


def session_of(index: ProjectIndex, expr: ast.expr, scope: Scope) -> SessionInfo | None:
    q = index.qualify(expr, scope)
    return sessions(index).get(q or "")


# -- sync reachability ------------------------------------------------------------------

def sync_reach(facts: ProjectFacts) -> dict[Scope, str]:
    """Functions reached (through project calls) from code that must stay sync, with why.

    Computed on first use from the index and ``facts.must_sync`` (complete before the await
    sites are collected); such functions keep ``requests``.
    """
    cached = getattr(facts, "_f2q_sync_reach", None)
    if cached is not None:
        return cached
    from flask2quart.analysis import facts as F

    index = facts.index
    callees: dict[Scope, list[Scope]] = {
        s: [c for _node, _ev, c in rows if c is not None and c is not s]
        for s, rows in F.call_table(facts).items()}
    reach: dict[Scope, str] = {}
    work = [(s, why) for s, why in facts.must_sync.items()]
    work += [(s, "Celery task (runs in a worker, outside the event loop)")
             for s in callees if _is_celery_task(index, s)]
    while work:
        s, why = work.pop()
        if s in reach:
            continue
        reach[s] = why
        for c in callees.get(s, ()):
            work.append((c, f"reached from {s.qualname} ({why})"))
    facts._f2q_sync_reach = reach
    return reach


# -- calls ---------------------------------------------------------------------------------

def requests_call(index: ProjectIndex, node: ast.AST, scope: Scope):
    """(method, session or None) when ``node`` is a requests send call, else None."""
    if not isinstance(node, ast.Call):
        return None
    q = qual(index, node.func, scope)
    prefix = H.REQUESTS + "."
    if q and q.startswith(prefix) and q[len(prefix):] in H.FUNCTIONS:
        return q[len(prefix):], None
    f = node.func
    if isinstance(f, ast.Attribute) and f.attr in H.SESSION_METHODS:
        s = session_of(index, f.value, scope)
        if s is not None:
            return f.attr, s
    return None


def enclosing_stmt(index: ProjectIndex, scope: Scope, node: ast.AST) -> ast.stmt | None:
    cur = node
    while cur is not None and not isinstance(cur, ast.stmt):
        cur = index.parent(scope, cur)
    return cur


def plan_call(facts: ProjectFacts, scope: Scope, node: ast.Call) -> CallPlan | None:
    """None: not a requests call. Otherwise a plan, with ``problem`` set when it stays."""
    index = facts.index
    ev = index.innermost_scope(scope, node)
    found = requests_call(index, node, ev)
    if found is None:
        return None
    method, sess = found
    plan = CallPlan(node, method, sess)
    cache = getattr(facts, "_f2q_plans", None)
    if cache is None:
        cache = facts._f2q_plans = {}
    key = id(node)
    if key in cache:
        return cache[key]
    cache[key] = plan
    plan.problem = _problem(facts, scope, ev, plan)
    return plan


def _problem(facts, scope, ev, plan: CallPlan) -> str | None:
    index = facts.index
    node = plan.call
    why = sync_reach(facts).get(scope)
    if why is not None:
        return f"kept sync: {why}"
    if ev is not scope:
        return "inside a lambda, comprehension or nested scope"
    if plan.session is not None:
        sp = session_problem(facts, plan.session)
        if sp:
            return f"session `{plan.session.name}` stays a requests.Session: {sp}"
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return "*args/**kwargs: the keywords cannot be checked"
    for k in node.keywords:
        if k.arg not in H.KWARGS:
            return f"keyword `{k.arg}=` has no checked httpx mapping"
        if k.arg == "stream" and plan.session is not None and isinstance(k.value, ast.Constant) \
                and k.value.value in (True, False):
            plan.stream = bool(k.value.value)
            continue
        if k.arg in H.CLIENT_LEVEL_KWARGS and plan.session is None:
            why = _client_kwarg_problem(k)
            if why:
                return why
            plan.client_kwargs.append(k)
            continue
        if k.arg in ("stream", "hooks", "cookies", "verify", "cert", "proxies"):
            return f"`{k.arg}=` needs a manual port (client-level or streaming API in httpx)"
        if k.arg == "timeout" and timeout_template(index, scope, k.value) is None:
            return "`timeout=` is not a literal number or (connect, read) pair"
        if k.arg == "params" and _url_may_have_query(node, plan.method):
            return "`params=` with a URL that may carry a query string (httpx replaces it, F2)"
        if k.arg in ("params", "data", "headers") and _literal_none_or_bool(k.value):
            return f"`{k.arg}=` holds None or a bool: requests drops None and sends 'True', httpx sends '' / 'true' (F3, F4)"
        if k.arg == "files" and not _files_ok(k.value):
            return "`files=` without an explicit part content type: httpx adds one (F6)"
        if k.arg == "data" and not _data_ok(k.value):
            return "`data=` is not a dict/str/bytes literal (httpx treats other values differently, F3/F5)"
        if k.arg == "json" and any(h.arg == "headers" for h in node.keywords):
            return "`json=` together with `headers=`: byte-exact body needs a manual merge (F1b)"
        if k.arg == "auth" and not _auth_ok(index, ev, k.value):
            return "`auth=` is not a tuple or HTTPBasicAuth/HTTPDigestAuth"
    if plan.session is None:
        stmt = enclosing_stmt(index, scope, node)
        if plan.client_kwargs and sum(
                1 for n in ast.walk(stmt) if isinstance(n, ast.Call) and requests_call(index, n, ev)) > 1:
            return "client-level keywords (verify/cookies/proxies) with another request in the same statement"
        if not isinstance(stmt, (ast.Assign, ast.Expr, ast.Return, ast.AnnAssign)) \
                or getattr(stmt, "value", None) is None:
            return "the call is part of a compound statement header: no place for a per-call client"
        parent_block = index.parent(scope, stmt)
        if any(isinstance(o, ast.stmt) and o is not stmt and o.lineno == stmt.lineno
               for o in ast.iter_child_nodes(parent_block)):
            return "several statements on one line"
    fn = H.FUNCTIONS[plan.method]
    if not fn.body_ok and any(k.arg in ("data", "json", "files") for k in node.keywords):
        return f"httpx `.{plan.method}()` takes no body"
    # the response: every use must be understood
    parent = index.parent(scope, node)
    if isinstance(parent, ast.Attribute):
        if parent.attr == H.RAISE_FOR_STATUS:
            return "`raise_for_status()` on the call itself: bind the response first"
        return _member_problem(parent.attr, index.parent(scope, parent), parent, index, scope)
    stmt = enclosing_stmt(index, scope, node)
    if isinstance(parent, ast.Expr):
        return None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
        plan.response_name = name
        b = scope.bindings.get(name)
        if b is None or len(b.values) != 1:
            return f"`{name}` is rebound in the function"
        if plan.stream:
            return _stream_uses(index, scope, plan, name, parent.targets[0])
        for n in ast.walk(scope.node):  # nested functions included: a closure may use it
            if isinstance(n, ast.Name) and n.id == name and n is not parent.targets[0]:
                p = index.parent(scope, n)
                if not isinstance(p, ast.Attribute):
                    return f"the response `{name}` is passed on (line {n.lineno}); its users are not checked"
                prob = _member_problem(p.attr, index.parent(scope, p), p, index, scope)
                if prob:
                    return prob
        return None
    del stmt
    if plan.stream:
        return "stream=True response not bound to a local name"
    return "the response is passed on; its users are not checked"


def _stream_uses(index, scope, plan: CallPlan, name: str, target) -> str | None:
    """stream=True: the response may be read by ``for chunk in r.iter_content(n)`` (in the
    function or a generator defined in it), checked by status/headers, and closed."""
    for n in ast.walk(scope.node):
        if not (isinstance(n, ast.Name) and n.id == name and n is not target):
            continue
        p = index.parent(scope, n)
        if not isinstance(p, ast.Attribute):
            return f"the streamed response `{name}` is passed on (line {n.lineno})"
        if p.attr in ("status_code", "headers"):
            continue
        call = index.parent(scope, p)
        if not (isinstance(call, ast.Call) and call.func is p):
            return f"streamed response: `.{p.attr}` (line {n.lineno}) needs a manual port"
        if p.attr == "close" and not call.args and isinstance(index.parent(scope, call), ast.Expr):
            plan.stream_closes.append(index.parent(scope, call))
            continue
        if p.attr == "iter_content":
            loop = index.parent(scope, call)
            if not (isinstance(loop, ast.For) and loop.iter is call):
                return "streamed response: `iter_content` not used as a for loop's iterable"
            size = call.args[0] if call.args else next(
                (k.value for k in call.keywords if k.arg == "chunk_size"), None)
            if size is None or len(call.args) + len(call.keywords) != 1:
                return "`iter_content()` without an explicit chunk size (requests' default is 1 byte)"
            owner = loop
            while owner is not None and not isinstance(owner, FuncNode):
                owner = index.parent(scope, owner)
            if owner is scope.node:
                gen = None
            elif owner is not None and index.parent(scope, owner) in scope.node.body or (
                    owner is not None and _directly_nested(index, scope, owner)):
                gen = owner
                if not any(isinstance(x, ast.Yield) for x in ast.walk(owner)):
                    return "`iter_content` loop in a nested function that is not a generator"
            else:
                return "`iter_content` loop outside the function and its generators"
            plan.stream_fors.append((loop, call, gen))
            continue
        return f"streamed response: `.{p.attr}()` needs a manual port"
    return None


def _directly_nested(index, scope, fn) -> bool:
    cur = index.parent(scope, fn)
    while cur is not None and not isinstance(cur, FuncNode):
        cur = index.parent(scope, cur)
    return cur is scope.node


def _member_problem(attr: str, parent, node, index=None, scope=None) -> str | None:
    if attr in H.RESPONSE_DIFFERS:
        return f"`.{attr}`: {H.RESPONSE_DIFFERS[attr]}"
    if attr in H.RESPONSE_SAME or attr in H.RESPONSE_ATTRS or attr == H.RESPONSE_URL[0]:
        return None
    if attr == H.RAISE_FOR_STATUS:
        if isinstance(parent, ast.Call) and parent.func is node and not parent.args \
                and isinstance(index.parent(scope, parent), ast.Expr):
            return None
        return "`raise_for_status` used as a value"
    return f"response member `.{attr}` has no checked httpx mapping"


def _url_may_have_query(call: ast.Call, method: str) -> bool:
    pos = 1 if method == "request" else 0
    url = call.args[pos] if len(call.args) > pos else None
    for k in call.keywords:
        if k.arg == "url":
            url = k.value
    if url is None:
        return True
    for n in ast.walk(url):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and "?" in n.value:
            return True
    # a literal, or a concatenation / f-string that *ends* with a literal path: a query can
    # only come after the last literal part, and that part has no '?'
    last = url
    while isinstance(last, ast.BinOp) and isinstance(last.op, ast.Add):
        last = last.right
    if isinstance(last, ast.JoinedStr):
        last = last.values[-1] if last.values else None
    return not (isinstance(last, ast.Constant) and isinstance(last.value, str))


def _data_ok(v: ast.expr) -> bool:
    if isinstance(v, ast.Constant) and isinstance(v.value, (str, bytes)):
        return True
    if isinstance(v, ast.Dict):
        return all(not (isinstance(x, ast.Constant) and (x.value is None or isinstance(x.value, bool)))
                   for x in v.values) and None not in v.keys
    return False


def _auth_ok(index, scope, v) -> bool:
    if isinstance(v, ast.Tuple) and len(v.elts) == 2:
        return True
    if isinstance(v, ast.Name):
        found = index.lookup(v.id, scope)
        if found is not None and found[1].kind == "assign" and len(found[1].values) == 1:
            return isinstance(found[1].values[0], ast.Tuple) and len(found[1].values[0].elts) == 2
        return False
    return isinstance(v, ast.Call) and qual(index, v.func, scope) in H.AUTH_CLASSES


def _constant(index, scope, v):
    """(value node, its scope) of a name bound once at module level (through imports too)."""
    if not isinstance(v, (ast.Name, ast.Attribute)):
        return None
    if isinstance(v, ast.Name):
        found = index.lookup(v.id, scope)
        if found is not None and found[0].kind == "module" and found[1].kind == "assign" \
                and len(found[1].values) == 1:
            return found[1].values[0], found[0]
    q = index.qualify(v, scope)
    if q and "." in q:
        mod, name = q.rsplit(".", 1)
        info = index.modules.get(mod)
        b = info.scope.bindings.get(name) if info else None
        if b is not None and b.kind == "assign" and len(b.values) == 1:
            return b.values[0], info.scope
    return None


def _number(index, scope, v) -> bool:
    if isinstance(v, ast.Constant) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool):
        return True
    c = _constant(index, scope, v)
    return c is not None and _number(index, c[1], c[0])


def timeout_template(index, scope, v):
    """(template, subs-nodes) for a timeout value, or None when it cannot be proven."""
    if isinstance(v, ast.Constant) and v.value is None:
        return ("None", ())
    if _number(index, scope, v):
        return (H.TIMEOUT_SCALAR.replace("{t}", "{t}"), (("t", v),))
    if isinstance(v, ast.Tuple) and len(v.elts) == 2 and all(_number(index, scope, e) for e in v.elts):
        return (H.TIMEOUT_TUPLE, (("c", v.elts[0]), ("r", v.elts[1])))
    c = _constant(index, scope, v)
    if c is not None:
        t, owner = c
        if isinstance(t, ast.Tuple) and len(t.elts) == 2 and all(_number(index, owner, e) for e in t.elts):
            return ("httpx.Timeout(connect={v}[0], read={v}[1], write={v}[0], pool=None)", (("v", v),))
    return None


def free_name(scope: Scope, base: str) -> str:
    names = set(scope.bindings)
    n, i = base, 2
    while n in names:
        n, i = f"{base}{i}", i + 1
    return n


def session_problem(facts: ProjectFacts, sess: SessionInfo) -> str | None:
    """Why a module-level Session cannot become an AsyncClient: every use in the project must
    be a send call that is rewritten (a sync user would get a coroutine)."""
    if sess.problem:
        return sess.problem
    done = getattr(sess, "_checked", None)
    if done is not None:
        return done or None
    sess._checked = ""  # in progress: a use inside the check sees "no problem yet"
    index = facts.index
    key = f"{sess.module}.{sess.name}"
    problem = None
    for scope in index.iter_scopes():
        if not isinstance(scope.node, FuncNode):
            continue
        for node in index.own_nodes(scope):
            if not isinstance(node, (ast.Name, ast.Attribute)) or not isinstance(node.ctx, ast.Load):
                continue
            ev = index.innermost_scope(scope, node)
            if index.qualify(node, ev) != key:
                continue
            parent = index.parent(scope, node)
            call = index.parent(scope, parent) if isinstance(parent, ast.Attribute) else None
            if not (isinstance(call, ast.Call) and call.func is parent and parent.attr in H.SESSION_METHODS):
                problem = f"used other than by a send call in {scope.qualname} (line {node.lineno})"
                break
            plan = plan_call(facts, scope, call)
            if plan is None or plan.problem:
                problem = f"a use in {scope.qualname} (line {node.lineno}) stays on requests: " \
                          f"{plan.problem if plan else 'unknown'}"
                break
        if problem:
            break
    sess._checked = problem or ""
    if problem:
        for plan in getattr(facts, "_f2q_plans", {}).values():
            if plan.session is sess and plan.problem is None:
                plan.problem = f"session `{sess.name}` stays a requests.Session: {problem}"
    return problem


def _is_celery_task(index: ProjectIndex, fn: Scope) -> bool:
    outer = fn.parent or fn
    for d in getattr(fn.node, "decorator_list", ()):
        target = d.func if isinstance(d, ast.Call) else d
        if index.qualify(target, outer) in H.CELERY_TASK_DECORATORS:
            return True
        if isinstance(target, ast.Attribute) and target.attr == H.CELERY_APP_TASK_METHOD:
            found = index.qualify(target.value, outer)
            if found and "." in found:
                mod, name = found.rsplit(".", 1)
                info = index.modules.get(mod)
                b = info.scope.bindings.get(name) if info else None
                if b is not None and b.kind == "assign" and len(b.values) == 1 and isinstance(b.values[0], ast.Call) \
                        and index.qualify(b.values[0].func, info.scope) == H.CELERY_APP_CLASS:
                    return True
    return False


def _literal_none_or_bool(v) -> bool:
    if not isinstance(v, ast.Dict):
        return False
    return any(isinstance(x, ast.Constant) and (x.value is None or isinstance(x.value, bool)) for x in v.values)


def _files_ok(v) -> bool:
    """A dict literal whose values are (name, data, content_type[, headers]) tuples."""
    if not isinstance(v, ast.Dict) or None in v.keys:
        return False
    return all(isinstance(x, ast.Tuple) and len(x.elts) >= 3 for x in v.values)


def flags(plan: CallPlan) -> list[str]:
    """Rewritten, but a person should know: the differences httpx may show for this call."""
    out = []
    for k in plan.call.keywords:
        if k.arg in ("params", "data") and isinstance(k.value, ast.Dict) and not all(
                isinstance(x, ast.Constant) for x in k.value.values):
            out.append(f"`{k.arg}=` values are not literals: a None is sent as '' and a bool as "
                       "'true'/'false' by httpx (requests drops None, sends 'True')")
        elif k.arg in ("params", "data") and not isinstance(k.value, (ast.Dict, ast.Constant)):
            out.append(f"`{k.arg}=` is not a literal: None/bool values and lists of pairs differ in httpx (F3, F5)")
    if plan.method in ("delete", "options") and not any(k.arg in ("data", "json", "files") for k in plan.call.keywords):
        out.append("httpx sends no `Content-Length: 0` on a body-less DELETE/OPTIONS (requests does; F7)")
    return out


def _client_kwarg_problem(k: ast.keyword) -> str | None:
    v = k.value
    if k.arg == "verify":
        if isinstance(v, ast.Constant) and isinstance(v.value, bool):
            return None
        return "`verify=` is not True/False (a CA path needs an ssl.SSLContext in httpx)"
    if k.arg == "cookies":
        if isinstance(v, ast.Dict) and all(isinstance(x, ast.Constant) and isinstance(x.value, str)
                                           for x in [*v.keys, *v.values]):
            return None
        if isinstance(v, ast.Dict):
            return "`cookies=` values are not str literals"
        return None if isinstance(v, (ast.Name, ast.Attribute)) else "`cookies=` is not a dict or a name"
    if k.arg == "proxies":
        if isinstance(v, ast.Dict) and all(isinstance(x, ast.Constant) and x.value in H.PROXY_KEYS for x in v.keys):
            return None
        return "`proxies=` is not a dict literal with 'http'/'https' keys"
    return f"`{k.arg}=` needs a manual port (client-level in httpx)"
