"""Whole-project facts: which functions are views/hooks/CLI commands, and which
must become ``async``.

The async frontier is a fixpoint over the call graph: a function becomes async
when it awaits a Quart coroutine, calls a project function that became async, or
is a view-decorator wrapper around views; it then propagates to its callers,
across modules, unless a caller must stay sync (CLI command, thread target,
sync-only hook), where a marker is left instead.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from flask2quart import catalogue as C
from flask2quart.analysis.index import FuncNode, ProjectIndex, Scope
from flask2quart.catalogue import HookMode, Kind


@dataclass
class AwaitSite:
    """An expression in ``scope`` that must be awaited in Quart."""

    node: ast.expr
    reason: str      # e.g. "fw.render_template", "request.form", "call to pkg.helpers.f"
    code: str        # rule code


@dataclass
class ProjectFacts:
    index: ProjectIndex
    roles: dict[Scope, set[str]] = field(default_factory=lambda: defaultdict(set))
    must_sync: dict[Scope, str] = field(default_factory=dict)  # scope → why
    async_funcs: set[Scope] = field(default_factory=set)       # async after migration
    why_async: dict[Scope, str] = field(default_factory=dict)  # chain for reports
    direct_sites: dict[Scope, list[AwaitSite]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[Scope, list[tuple[ast.Call, Scope, Scope]]] = field(
        default_factory=lambda: defaultdict(list))  # caller → (call, callee, eval scope)
    callers: dict[Scope, list[tuple[Scope, ast.Call]]] = field(
        default_factory=lambda: defaultdict(list))
    decorator_wrappers: dict[Scope, tuple[Scope, str]] = field(default_factory=dict)
    decorated_by: dict[Scope, list[Scope]] = field(default_factory=lambda: defaultdict(list))
    cli_commands: dict[Scope, ast.expr] = field(default_factory=dict)
    click_commands_registered: set[Scope] = field(default_factory=set)
    conflicts: list[tuple[Scope, ast.AST, str]] = field(default_factory=list)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def is_async(self, scope: Scope) -> bool:
        return scope in self.async_funcs

    def memo(self, key, build):
        """``build()`` computed once per facts (project-wide values a detector needs for
        every module); the facts must not change afterwards (they do not once collected)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
            return value


# ---------------------------------------------------------------------------


def _registration(index: ProjectIndex, expr: ast.expr, scope: Scope) -> str | None:
    """``@app.route(...)`` / ``@bp.before_request`` → the registration method name."""
    target = expr.func if isinstance(expr, ast.Call) else expr
    if not isinstance(target, ast.Attribute) or target.attr not in C.REGISTRATION_METHODS:
        return None
    if index.kind(target.value, scope) in (Kind.APP, Kind.BLUEPRINT):
        return target.attr
    return None


def _cli_decorator(index: ProjectIndex, expr: ast.expr, scope: Scope) -> bool:
    """``@app.cli.command(...)`` / ``@bp.cli.command``."""
    target = expr.func if isinstance(expr, ast.Call) else expr
    return (
        isinstance(target, ast.Attribute) and target.attr in C.CLI_COMMAND_METHODS
        and isinstance(target.value, ast.Attribute) and target.value.attr == C.CLI_ATTR
        and index.kind(target.value.value, scope) in (Kind.APP, Kind.BLUEPRINT)
    )


def _is_click_command(index: ProjectIndex, expr: ast.expr, scope: Scope) -> bool:
    target = expr.func if isinstance(expr, ast.Call) else expr
    qual = index.qualify(target, scope)
    return qual in C.CLICK_COMMAND_DECORATORS or C.canonical(qual) == C.CLI_WITH_APPCONTEXT


def _callee(index: ProjectIndex, call: ast.Call, scope: Scope) -> Scope | None:
    """The project function a call invokes, if it can be proven."""
    func = call.func
    qual = index.qualify(func, scope)
    target = index.function_for_qualname(qual)
    if target is not None:
        return target
    if isinstance(func, ast.Attribute):
        # self.m(), super().m(), self.helper.m(), obj.m() with obj = Cls() or a fixture
        return index.method_for_call(func, scope)
    return None


def _method(index: ProjectIndex, cls: Scope, name: str) -> Scope | None:
    return index.method(cls, name)


def _class_is_view(index: ProjectIndex, cls: Scope, _depth: int = 0) -> bool:
    if _depth > 10 or not isinstance(cls.node, ast.ClassDef):
        return False
    for base in cls.node.bases:
        qual = index.qualify(base, cls.parent or cls)
        if C.canonical(qual) in C.VIEW_BASES:
            return True
        base_cls = index.classes.get(qual or "")
        if base_cls is not None and _class_is_view(index, base_cls, _depth + 1):
            return True
    return False


def _wrapper_of(index: ProjectIndex, deco: Scope) -> tuple[Scope, str] | None:
    """If ``deco(f)`` returns an inner function that calls ``f``: (wrapper, f's name).

    Handles decorator factories (``role_required(role)(f)``) one level deep.
    """
    node = deco.node
    if not isinstance(node, FuncNode):
        return None
    inner_fns = [c for c in deco.children if c.kind == "function" and isinstance(c.node, FuncNode)]
    if not inner_fns:  # most functions: no inner function, no need to walk the body
        return None
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    returned = {
        r.value.id for r in ast.walk(node)
        if isinstance(r, ast.Return) and isinstance(r.value, ast.Name)
    }
    for child in inner_fns:
        if child.name not in returned:
            continue
        if len(params) == 1:
            fname = params[0]
            if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == fname
                   for n in ast.walk(child.node)):
                return child, fname
        # factory: the returned inner function is itself the decorator
        inner = _wrapper_of(index, child)
        if inner is not None:
            return inner
    return None


def _decorator_target(index: ProjectIndex, expr: ast.expr, scope: Scope) -> Scope | None:
    target = expr.func if isinstance(expr, ast.Call) else expr
    return index.function_for_qualname(index.qualify(target, scope))


def collect(index: ProjectIndex, sites_for) -> ProjectFacts:
    """Build facts. ``sites_for(facts, scope)`` yields the direct await sites of a function
    (supplied by the phase-1 await rule so that the catalogue stays in one place)."""
    facts = ProjectFacts(index)
    scopes = [s for s in index.iter_scopes() if isinstance(s.node, FuncNode)]

    # 1. app-typed parameters learnt from call sites (def init_app(app): ...)
    _infer_param_kinds(facts, scopes)

    # 2. registrations through decorators and calls; parameter kinds of hooks
    for s in index.iter_scopes():
        for node in index.own_nodes(s):
            if isinstance(node, FuncNode):
                fscope = index.scope_for(s.module, node)
                if fscope is not None:
                    _classify_decorators(facts, fscope, s)
            elif isinstance(node, ast.Call):
                _classify_call(facts, node, index.innermost_scope(s, node))
    for cls in index.classes.values():
        if _class_is_view(index, cls):
            for name, b in cls.bindings.items():
                if b.kind == "def" and name in C.VIEW_METHODS:
                    f = index.functions.get(b.target)
                    if f is not None:
                        facts.roles[f].add("view")
            _class_decorators(facts, cls)

    # 3. direct await sites and the call graph
    table = call_table(facts, scopes)
    for s in scopes:
        facts.direct_sites[s].extend(sites_for(facts, s))
        for node, eval_scope, callee in table[s]:
            if callee is not None and callee is not s:
                facts.calls[s].append((node, callee, eval_scope))
                facts.callers[callee].append((s, node))

    # 4. decorator wrappers applied to views
    for s in scopes:
        w = _wrapper_of(index, s)
        if w is not None:
            facts.decorator_wrappers[s] = w

    # 5. tests that invoke the CLI runner, and functions called at import time, stay sync;
    # then the fixpoint
    _cli_runner_tests(facts, scopes)
    _import_time_calls(facts)
    _fixpoint(facts, scopes)
    return facts


def _import_time_calls(facts: ProjectFacts) -> None:
    """A project function called by module or class-body code (``app = create_app()``, an
    ``if __name__ == "__main__":`` block) runs at import time, where nothing can await it:
    it stays sync, and what it would await gets a marker instead (a coroutine there would
    break the module: ``app`` would be a coroutine object)."""
    index = facts.index
    for s in index.iter_scopes():
        if s.kind not in ("module", "class"):
            continue
        for node in index.own_nodes(s):
            if not isinstance(node, ast.Call):
                continue
            ev = index.innermost_scope(s, node)
            if isinstance(ev.node, ast.Lambda):
                continue  # runs when the lambda is called, not at import
            callee = _callee(index, node, ev)
            if callee is not None and not callee.is_async and isinstance(callee.node, FuncNode):
                where = "class body" if s.kind == "class" else "module level"
                facts.must_sync.setdefault(
                    callee, f"called at import time ({where} of {s.qualname}, line {node.lineno})")


def _classify_decorators(facts: ProjectFacts, fscope: Scope, outer: Scope) -> None:
    index = facts.index
    for d in fscope.node.decorator_list:
        reg = _registration(index, d, outer)
        if reg is not None:
            mode = C.REGISTRATION_METHODS[reg]
            if mode is HookMode.VIEW:
                facts.roles[fscope].add("view")
            elif mode is HookMode.ASYNC_OK:
                facts.roles[fscope].add(f"hook:{reg}")
                if reg in C.RESPONSE_PARAM_HOOKS:
                    _set_first_param_kind(facts, fscope, Kind.RESPONSE)
            else:
                facts.roles[fscope].add(f"sync-hook:{reg}")
                facts.must_sync.setdefault(fscope, f"Quart calls `{reg}` functions synchronously")
            continue
        if _cli_decorator(index, d, outer):
            facts.roles[fscope].add("cli")
            facts.cli_commands[fscope] = d
            facts.must_sync.setdefault(fscope, "CLI command (runs outside the event loop)")
            continue
        if _is_click_command(index, d, outer):
            facts.roles[fscope].add("click")
            facts.must_sync.setdefault(fscope, "click command (runs outside the event loop)")
            continue
        if index.canonical(d, outer) == C.AFTER_THIS_REQUEST:
            facts.roles[fscope].add("hook:after_this_request")
            _set_first_param_kind(facts, fscope, Kind.RESPONSE)
            continue
        deco = _decorator_target(index, d, outer)
        if deco is not None:
            facts.decorated_by[deco].append(fscope)


def _class_decorators(facts: ProjectFacts, cls: Scope) -> None:
    """``decorators = [login_required]`` on a class-based view wraps its view function."""
    b = cls.bindings.get("decorators")
    if b is None or b.kind != "assign":
        return
    for value in b.values:
        if isinstance(value, (ast.List, ast.Tuple)):
            for elt in value.elts:
                deco = _decorator_target(facts.index, elt, cls)
                if deco is not None:
                    facts.roles[deco].add("view-decorator")
                    facts.decorated_by[deco].append(cls)  # the (async) as_view function


def _set_first_param_kind(facts: ProjectFacts, fscope: Scope, kind: Kind) -> None:
    args = fscope.node.args
    params = [*args.posonlyargs, *args.args]
    if params:
        facts.index.param_kinds[(fscope.qualname, params[0].arg)] = kind


def _classify_call(facts: ProjectFacts, call: ast.Call, scope: Scope) -> None:
    index = facts.index
    func = call.func
    if index.qualify(func, scope) == "threading.Thread":
        # threading.Thread(target=f) → f must stay sync
        for kw in call.keywords:
            if kw.arg == "target":
                f = index.function_for_qualname(index.qualify(kw.value, scope))
                if f is not None:
                    facts.must_sync.setdefault(f, "thread target")
        return
    if not isinstance(func, ast.Attribute):
        return
    owner_kind = index.kind(func.value, scope)
    # app.cli.add_command(cmd)
    if (func.attr == C.CLI_ADD_COMMAND and isinstance(func.value, ast.Attribute)
            and func.value.attr == C.CLI_ATTR
            and index.kind(func.value.value, scope) in (Kind.APP, Kind.BLUEPRINT)
            and call.args):
        f = index.function_for_qualname(index.qualify(call.args[0], scope))
        if f is not None:
            facts.click_commands_registered.add(f)
        return
    if owner_kind not in (Kind.APP, Kind.BLUEPRINT) or func.attr not in C.REGISTRATION_CALL_ARGS:
        return
    pos, kwname = C.REGISTRATION_CALL_ARGS[func.attr]
    arg = None
    if len(call.args) > pos:
        arg = call.args[pos]
    for kw in call.keywords:
        if kw.arg == kwname:
            arg = kw.value
    if arg is None:
        return
    if func.attr == "add_url_rule":
        # view_func=SomeView.as_view("name") is handled through the class
        f = index.function_for_qualname(index.qualify(arg, scope))
        if f is not None:
            facts.roles[f].add("view")
        return
    f = index.function_for_qualname(index.qualify(arg, scope))
    if f is None:
        return
    mode = C.REGISTRATION_METHODS.get(func.attr, HookMode.ASYNC_OK)
    if mode is HookMode.MUST_SYNC:
        facts.roles[f].add(f"sync-hook:{func.attr}")
        facts.must_sync.setdefault(f, f"Quart calls `{func.attr}` functions synchronously")
    else:
        facts.roles[f].add(f"hook:{func.attr}")
        if func.attr in C.RESPONSE_PARAM_HOOKS:
            _set_first_param_kind(facts, f, Kind.RESPONSE)


def call_table(facts: ProjectFacts, scopes: list[Scope] | None = None
               ) -> dict[Scope, list[tuple[ast.Call, Scope, Scope | None]]]:
    """Every call in every function, in source order: (call, evaluation scope, the project
    function it invokes or None). Computed once per facts: callees do not depend on the
    parameter kinds learnt later (only on names, classes and instances)."""
    table = facts._memo.get("call_table")
    if table is None:
        index = facts.index
        if scopes is None:
            scopes = [s for s in index.iter_scopes() if isinstance(s.node, FuncNode)]
        table = {}
        for s in scopes:
            rows = table[s] = []
            for node in index.own_nodes(s):
                if isinstance(node, ast.Call):
                    ev = index.innermost_scope(s, node)
                    rows.append((node, ev, _callee(index, node, ev)))
        facts._memo["call_table"] = table
    return table


def _infer_param_kinds(facts: ProjectFacts, scopes: list[Scope]) -> None:
    """A parameter is an app (or blueprint) when every project call passes one."""
    index = facts.index
    # (call, eval scope, callee, params, offset) of every call to a project function or class
    sites = []
    for s in scopes:
        for node, eval_scope, callee in call_table(facts, scopes)[s]:
            ctor = False
            if callee is None:
                # ClassName(...) → ClassName.__init__ (the instance is the first parameter)
                cls = index.classes.get(index.qualify(node.func, eval_scope) or "")
                callee = _method(index, cls, "__init__") if cls is not None else None
                ctor = True
            if callee is None:
                continue
            args = callee.node.args
            params = [a.arg for a in (*args.posonlyargs, *args.args)]
            offset = 1 if ctor or (callee.enclosing_class() is not None and params
                                   and params[0] in ("self", "cls")
                                   and isinstance(node.func, ast.Attribute)) else 0
            sites.append((node, eval_scope, callee, params, offset))
    for _ in range(3):  # a few rounds reach chains like create_app → init_app → register
        seen: dict[tuple[str, str], set] = defaultdict(set)
        for node, eval_scope, callee, params, offset in sites:
            for i, a in enumerate(node.args):
                if isinstance(a, ast.Starred) or i + offset >= len(params):
                    break
                seen[(callee.qualname, params[i + offset])].add(index.kind(a, eval_scope))
            for kw in node.keywords:
                if kw.arg in params:
                    seen[(callee.qualname, kw.arg)].add(index.kind(kw.value, eval_scope))
        changed = False
        for key, kinds in seen.items():
            if len(kinds) == 1:
                (k,) = kinds
                if k in _INFERRED_PARAM_KINDS and index.param_kinds.get(key) is not k:
                    index.param_kinds[key] = k
                    changed = True
        if not changed:
            break


_INFERRED_PARAM_KINDS = (Kind.APP, Kind.BLUEPRINT, Kind.TEST_CLIENT, Kind.CLI_RUNNER,
                         Kind.TEST_RESPONSE)


def _cli_runner_tests(facts: ProjectFacts, scopes: list[Scope]) -> None:
    """Functions that call ``runner.invoke(...)``: Quart CLI commands that push an app context
    call ``asyncio.run``, which fails inside a running event loop. They stay sync unless they
    need ``await`` for another reason; then F2Q128 runs ``invoke`` in a worker thread."""
    index = facts.index
    for s in scopes:
        for node in index.own_nodes(s):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in C.CLI_RUNNER_SYNC_METHODS
                    and index.kind(node.func.value, index.innermost_scope(s, node))
                    is Kind.CLI_RUNNER):
                facts.roles[s].add("cli-runner-test")
                break


def _yields_from(node: ast.AST) -> bool:
    """Does this function's own body use ``yield from`` (nested functions not counted)?"""
    if not isinstance(node, FuncNode):
        return False
    stack = list(node.body)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.YieldFrom):
            return True
        if isinstance(n, (*FuncNode, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(n))
    return False


def _fixpoint(facts: ProjectFacts, scopes: list[Scope]) -> None:
    work: list[Scope] = []

    def make_async(s: Scope, why: str) -> None:
        if s in facts.async_funcs:
            return
        if s in facts.must_sync:
            return
        if _yields_from(s.node):
            # `yield from` has no async-generator form: a person must rewrite it
            facts.conflicts.append((s, s.node, f"{why}, but it is a generator using `yield from`"))
            return
        facts.async_funcs.add(s)
        facts.why_async.setdefault(s, why)
        work.append(s)

    for s in scopes:
        if s.is_async:
            facts.async_funcs.add(s)
            facts.why_async[s] = "already async"
            work.append(s)
        elif facts.direct_sites.get(s):
            if s in facts.must_sync:
                continue
            make_async(s, f"awaits {facts.direct_sites[s][0].reason}")
    # Every view and every hook Quart awaits becomes async, even without awaits of its own:
    # Quart runs sync views/hooks in a thread pool (quart/utils.py:46-67), one hop per
    # function, which breaks thread-affine objects Flask code keeps on `g` (sqlite3
    # connections, thread-locals). Async functions all run on the event-loop thread, as
    # Flask ran a whole request on one thread.
    for s in scopes:
        roles = facts.roles.get(s, ())
        if any(r == "view" or r.startswith("hook:") for r in roles):
            make_async(s, "view or hook (one thread per request, as in Flask)")
    # decorator wrappers around views: wrapper awaits the view
    for deco, (wrapper, _fname) in facts.decorator_wrappers.items():
        targets = facts.decorated_by.get(deco, [])
        if any("view" in facts.roles.get(t, ()) or t.kind == "class" for t in targets) \
                or "view-decorator" in facts.roles.get(deco, ()):
            facts.roles[wrapper].add("view-wrapper")
            make_async(wrapper, f"wraps views (decorator {deco.qualname})")

    while work:
        s = work.pop()
        # a wrapper that became async makes every function it decorates async
        for deco, (wrapper, _f) in facts.decorator_wrappers.items():
            if wrapper is s:
                facts.roles[wrapper].add("view-wrapper")
                for target in facts.decorated_by.get(deco, []):
                    if target.kind == "class":
                        continue
                    if target in facts.must_sync:
                        facts.conflicts.append(
                            (target, target.node,
                             f"decorated by async wrapper {deco.qualname} but {facts.must_sync[target]}"))
                    else:
                        make_async(target, f"decorated by {deco.qualname}")
        if s.is_async:
            # async in the source already: its callers got a coroutine before and still do
            # (asyncio.run(f()), create_task(f()), gather(...)); nothing to propagate
            continue
        for caller, call in facts.callers.get(s, []):
            if caller in facts.async_funcs:
                continue
            if caller in facts.must_sync:
                facts.conflicts.append(
                    (caller, call, f"calls {s.qualname}, which becomes async, "
                                   f"from code that must stay sync ({facts.must_sync[caller]})"))
                continue
            make_async(caller, f"calls {s.qualname}")
