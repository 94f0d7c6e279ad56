"""Phase 2 analysis: which calls block the event loop, through which helpers, and whether the
work may move to a worker thread.

Built once per :class:`ProjectFacts` (cached on it) from the catalogue
(:mod:`flask2quart.catalogue.blocking`) plus ``[tool.flask2quart.blocking]``.

* **Object kinds** the phase-1 index does not know: ``db = SQLAlchemy()`` and its
  ``db.session``; model classes (subclasses of ``db.Model``, transitively) and their
  ``query``; ``sqlite3.connect(...)`` results, also when stored on ``g`` (``g.db = ...``) and
  returned by a helper (``get_db()``); clients of redis, httpx, requests, smtplib, ...
  Every object also has an *origin*: ``local`` (created by the code that uses it, in the same
  function), ``g`` (kept on ``g`` for the request) or ``shared`` (module level, parameters).
* **Helper summaries**: a sync project function blocks when it (or a sync function it calls,
  across modules) makes a catalogue call; it is *movable* as a whole when nothing in it is unsafe
  in a worker thread: no thread-affine or one-thread-at-a-time object that it did not create
  itself, no Flask-SQLAlchemy session (per thread under the bridge), no mutation of ``g`` or
  ``session``, not a generator.
* **Findings**: every blocking call site in async code (after phase 1), with the chain from the
  call site to the catalogue entry and the decision (``sleep``, ``thread``, ``helper``, or a
  marker code with the reason).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flask2quart.analysis.facts import ProjectFacts
from flask2quart.analysis.index import FuncNode, ProjectIndex, Scope
from flask2quart.catalogue import blocking as B
from flask2quart.catalogue.blocking import Action, Blocking, Safety
from flask2quart.config import ConfigError, find_pyproject, load_config

LOCAL, G, SHARED = "local", "g", "shared"

# marker codes (registered by the rules in codemods/phase2)
M_AFFINE = "F2Q280"
M_HELPER = "F2Q281"
M_SHARED = "F2Q282"
M_SQLALCHEMY = "F2Q283"
M_FILE = "F2Q284"
M_SYNC_EXPR = "F2Q285"
M_NO_REWRITE = "F2Q286"

SLEEP, THREAD, HELPER, MARK = "sleep", "thread", "helper", "mark"


# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------

_TOP_KEYS = frozenset({"functions", "objects", "ignore"})
_ENTRY_KEYS = frozenset({"category", "cpu", "safety", "action", "suggestion"})
_OBJECT_KEYS = _ENTRY_KEYS | {"methods"}
_ACTIONS = {Action.THREAD.value: Action.THREAD, Action.MARK.value: Action.MARK,
            Action.SLEEP.value: Action.SLEEP}


@dataclass
class BlockingConfig:
    functions: dict[str, Blocking] = field(default_factory=dict)
    constructors: dict[str, str] = field(default_factory=dict)
    methods: dict[str, dict[str, Blocking]] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()


def parse_config(table: Any, where: str) -> BlockingConfig:
    """Validate ``[tool.flask2quart.blocking]``; ``where`` names the file in errors."""
    head = f"{where}: [tool.flask2quart.blocking]"
    if not isinstance(table, dict):
        raise ConfigError(f"{head} must be a table")
    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{head}: unknown key(s) {', '.join(unknown)} "
                          f"(allowed: {', '.join(sorted(_TOP_KEYS))})")
    cfg = BlockingConfig()
    funcs = table.get("functions", {})
    if isinstance(funcs, list):
        funcs = {name: {} for name in funcs}
    if not isinstance(funcs, dict):
        raise ConfigError(f"{head}.functions must be a list of names or a table")
    for name, spec in funcs.items():
        cfg.functions[_name(name, f"{head}.functions")] = _entry(name, spec,
                                                                 f"{head}.functions.\"{name}\"",
                                                                 _ENTRY_KEYS)
    objects = table.get("objects", {})
    if not isinstance(objects, dict):
        raise ConfigError(f"{head}.objects must be a table of constructor name → table")
    for ctor, spec in objects.items():
        where_o = f"{head}.objects.\"{ctor}\""
        _name(ctor, f"{head}.objects")
        if not isinstance(spec, dict) or "methods" not in spec:
            raise ConfigError(f"{where_o} needs `methods = [...]`")
        methods = spec["methods"]
        if not (isinstance(methods, list) and methods and all(isinstance(m, str) and m.isidentifier()
                                                              for m in methods)):
            raise ConfigError(f"{where_o}.methods must be a non-empty list of method names")
        kind = f"config:{ctor}"
        cfg.constructors[ctor] = kind
        base = _entry(ctor, {k: v for k, v in spec.items() if k != "methods"}, where_o, _OBJECT_KEYS)
        cfg.methods[kind] = {m: replace(base, name=f"{ctor}.{m}") for m in methods}
    ignore = table.get("ignore", [])
    if not (isinstance(ignore, list) and all(isinstance(x, str) for x in ignore)):
        raise ConfigError(f"{head}.ignore must be a list of qualified names")
    cfg.ignore = frozenset(ignore)
    return cfg


def _name(name: Any, where: str) -> str:
    if not (isinstance(name, str) and name and all(p.isidentifier() for p in name.split("."))):
        raise ConfigError(f"{where}: {name!r} is not a dotted name")
    return name


def _entry(name: str, spec: Any, where: str, allowed: frozenset[str]) -> Blocking:
    if isinstance(spec, str):
        spec = {"category": spec}
    if not isinstance(spec, dict):
        raise ConfigError(f"{where} must be a table (or a category string)")
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} "
                          f"(allowed: {', '.join(sorted(allowed))})")
    safety_s = spec.get("safety", Safety.SAFE.value)
    safeties = {s.value: s for s in Safety}
    if safety_s not in safeties:
        raise ConfigError(f"{where}.safety: {safety_s!r} is not one of {', '.join(safeties)}")
    action_s = spec.get("action", Action.THREAD.value)
    if action_s not in _ACTIONS:
        raise ConfigError(f"{where}.action: {action_s!r} is not one of {', '.join(_ACTIONS)}")
    cpu = spec.get("cpu", False)
    if not isinstance(cpu, bool):
        raise ConfigError(f"{where}.cpu must be true or false")
    for key in ("category", "suggestion"):
        if key in spec and not isinstance(spec[key], str):
            raise ConfigError(f"{where}.{key} must be a string")
    return Blocking(name, spec.get("category", "config"), safeties[safety_s], _ACTIONS[action_s],
                    cpu, spec.get("suggestion", ""), "pyproject.toml")


def load_blocking_config(root: Path) -> BlockingConfig:
    table = load_config(root).get("blocking")
    if table is None:
        return BlockingConfig()
    path = find_pyproject(root)
    return parse_config(table, str(path))


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What a sync project function does, as seen from a caller."""

    chain: tuple[str, ...] | None   # helper qualnames … catalogue name; None: does not block
    unsafe: str | None = None       # why the helper may not move to a thread
    cpu: bool = False


@dataclass
class Finding:
    scope: Scope
    call: ast.Call
    chain: tuple[str, ...]
    action: str                     # SLEEP | THREAD | HELPER | MARK
    code: str | None = None         # marker code when action == MARK
    reason: str = ""
    entry: Blocking | None = None
    helper: Scope | None = None

    @property
    def line(self) -> int:
        return self.call.lineno

    def as_dict(self) -> dict:
        return {"module": self.scope.module.rel, "line": self.line, "function": self.scope.qualname,
                "chain": list(self.chain), "action": self.action, "code": self.code,
                "reason": self.reason,
                "category": self.entry.category if self.entry else "helper",
                "suggestion": self.entry.suggestion if self.entry else ""}


def is_test_module(scope: Scope) -> bool:
    """Tests keep their blocking calls (a fixture's sqlite connection, a data file)."""
    parts = scope.module.rel.split("/")
    name = parts[-1]
    return ("tests" in parts[:-1] or "test" in parts[:-1] or name.startswith("test_")
            or name == "conftest.py")


class BlockingAnalysis:
    def __init__(self, facts: ProjectFacts, config: BlockingConfig | None = None, phase: int = 2):
        self.facts = facts
        self.phase = phase  # from 3 on, what phase 3 rewrites (requests.*) is not ours
        self.index: ProjectIndex = facts.index
        self.config = config or BlockingConfig()
        self.functions = {**B.FUNCTIONS, **self.config.functions}
        self.constructors = {**B.CONSTRUCTORS, **self.config.constructors}
        self.methods = {**B.METHODS, **self.config.methods}
        self._summaries: dict[Scope, Summary] = {}
        self._busy: set = set()
        self._g_attrs: dict[str, list[tuple[ast.expr, Scope]]] | None = None
        self._model_cache: dict[str, bool] = {}
        self._callees: dict[Scope, dict[int, Scope]] = {}
        self._findings: dict[str, list[Finding]] | None = None
        self._streamed: set[Scope] | None = None

    # -------------------------------------------------------------- object kinds
    def kind_of(self, expr: ast.expr, scope: Scope, depth: int = 0) -> tuple[str | None, str]:
        """(object kind, origin) of ``expr`` evaluated in ``scope``."""
        if depth > 12:
            return None, SHARED
        idx = self.index
        if isinstance(expr, ast.Await):
            return self.kind_of(expr.value, scope, depth + 1)
        if isinstance(expr, ast.Name):
            qual = idx.qualify(expr, scope)
            if qual is not None and self._is_model_class(qual):
                return B.MODEL_CLASS, SHARED
            found = idx.lookup(expr.id, scope)
            if found is None:
                return None, SHARED
            owner, b = found
            if b.kind == "import":
                return self._module_var_kind(idx.resolve_qualname(b.target), depth)
            if b.kind == "assign":
                values = b.values or self._with_values(owner, expr.id)
                kinds = {self.kind_of(v, owner, depth + 1) for v in values if v is not None}
                if len(kinds) != 1:
                    return None, SHARED
                kind, origin = kinds.pop()
                if owner.kind == "module":
                    return kind, SHARED
                fn = scope if scope.kind == "function" else scope.function_parent()
                if owner is not fn and owner is not scope:
                    origin = SHARED if origin == LOCAL else origin  # a closure variable
                return kind, origin
            if b.kind == "param" and owner.kind == "function" and isinstance(owner.node, FuncNode):
                return self._param_kind(owner, expr.id, b.param_index, depth)
            return None, SHARED
        if isinstance(expr, ast.Attribute):
            if idx.canonical(expr.value, scope) == "fw.g":
                return self._g_kind(expr.attr, depth)
            qual = idx.qualify(expr, scope)
            if qual is not None:
                if self._is_model_class(qual):
                    return B.MODEL_CLASS, SHARED
                k = self._module_var_kind(qual, depth)
                if k[0] is not None:
                    return k
            base, origin = self.kind_of(expr.value, scope, depth + 1)
            if base is not None:
                attr_kind = B.ATTRIBUTES.get(base, {}).get(expr.attr)
                if attr_kind is not None:
                    return attr_kind, origin
            return None, SHARED
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            kind, origin = self.kind_of(expr.left, scope, depth + 1)
            return (kind, origin) if kind in B.PATH_JOIN_KINDS else (None, SHARED)
        if isinstance(expr, ast.Call):
            qual = idx.qualify(expr.func, scope)
            if qual in self.constructors:
                return self.constructors[qual], LOCAL
            if isinstance(expr.func, ast.Attribute):
                base, origin = self.kind_of(expr.func.value, scope, depth + 1)
                if base is not None:
                    ret = B.RETURNS.get(base, {}).get(expr.func.attr)
                    if ret is not None and self._kind_safety(base) is Safety.SAFE:
                        origin = LOCAL  # a thread-safe factory hands out a fresh object
                    return (ret, origin) if ret is not None else (None, SHARED)
            fkind, _ = self.kind_of(expr.func, scope, depth + 1)
            if fkind in B.CALL_RETURNS:
                return B.CALL_RETURNS[fkind], LOCAL
            callee = self.callee(scope, expr)
            if callee is not None:
                return self._returned_kind(callee, depth + 1)
            return None, SHARED
        return None, SHARED

    def _with_values(self, fn: Scope, name: str) -> list[ast.expr]:
        """``with <expr> as name`` in ``fn``: the context expressions (their ``__enter__`` returns
        the object itself for every catalogue kind: connections, sessions, SMTP, sockets)."""
        out = []
        for n in self.index.own_nodes(fn):
            if isinstance(n, (ast.With, ast.AsyncWith)):
                for item in n.items:
                    if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name:
                        if isinstance(item.context_expr, ast.Call) and \
                                self.index.qualify(item.context_expr.func, fn) in B.FILE_OPENERS:
                            continue  # a file object: not a catalogue kind
                        out.append(item.context_expr)
        return out

    def _param_kind(self, fn: Scope, name: str, index: int | None,
                    depth: int) -> tuple[str | None, str]:
        """A parameter's kind: what every project call site passes (an object made by the
        caller is *shared* as seen from inside ``fn``: it was not created by this call)."""
        key = ("param", fn.qualname, name)
        callers = self.facts.callers.get(fn, [])
        if key in self._busy or not callers:
            return None, SHARED
        params = [a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args)]
        self._busy.add(key)
        try:
            found = set()
            for caller, call in callers:
                arg = next((k.value for k in call.keywords if k.arg == name), None)
                if arg is None and index is not None:
                    pos = index
                    if (fn.enclosing_class() is not None and params and params[0] in ("self", "cls")
                            and isinstance(call.func, ast.Attribute)):
                        pos -= 1  # bound method: the receiver fills the first parameter
                    if any(isinstance(a, ast.Starred) for a in call.args[:pos + 1]):
                        return None, SHARED
                    arg = call.args[pos] if 0 <= pos < len(call.args) else None
                if arg is None:
                    return None, SHARED
                kind, origin = self.kind_of(arg, self.index.innermost_scope(caller, call), depth + 1)
                found.add((kind, G if origin == G else SHARED))
        finally:
            self._busy.discard(key)
        return found.pop() if len(found) == 1 else (None, SHARED)

    def _module_var_kind(self, qual: str | None, depth: int) -> tuple[str | None, str]:
        if qual is None:
            return None, SHARED
        mod, _, name = qual.rpartition(".")
        info = self.index.modules.get(mod)
        if info is None:
            return None, SHARED
        b = info.scope.bindings.get(name)
        if b is None or b.kind != "assign":
            return None, SHARED
        kinds = {self.kind_of(v, info.scope, depth + 1)[0] for v in b.values if v is not None}
        return (kinds.pop(), SHARED) if len(kinds) == 1 else (None, SHARED)

    def _g_kind(self, attr: str, depth: int) -> tuple[str | None, str]:
        if self._g_attrs is None:
            self._g_attrs = {}
            for scope in self.index.iter_scopes():
                for n in self.index.own_nodes(scope):
                    if isinstance(n, ast.Assign):
                        for t in n.targets:
                            if (isinstance(t, ast.Attribute)
                                    and self.index.canonical(t.value, scope) == "fw.g"):
                                self._g_attrs.setdefault(t.attr, []).append((n.value, scope))
        key = ("g", attr)
        if key in self._busy:
            return None, G
        self._busy.add(key)
        try:
            kinds = {self.kind_of(v, s, depth + 1)[0] for v, s in self._g_attrs.get(attr, ())}
        finally:
            self._busy.discard(key)
        return (kinds.pop(), G) if len(kinds) == 1 else (None, G)

    def _returned_kind(self, fn: Scope, depth: int) -> tuple[str | None, str]:
        key = ("ret", fn.qualname)
        if key in self._busy or not isinstance(fn.node, FuncNode):
            return None, SHARED
        self._busy.add(key)
        try:
            values = [n.value for n in self.index.own_nodes(fn)
                      if isinstance(n, ast.Return) and n.value is not None]
            kinds = {self.kind_of(v, fn, depth + 1) for v in values}
        finally:
            self._busy.discard(key)
        return kinds.pop() if len(kinds) == 1 else (None, SHARED)

    def _is_model_class(self, qual: str, depth: int = 0) -> bool:
        if qual in self._model_cache:
            return self._model_cache[qual]
        cls = self.index.classes.get(qual)
        result = False
        if cls is not None and isinstance(cls.node, ast.ClassDef) and depth < 10:
            self._model_cache[qual] = False  # recursion guard
            outer = cls.parent or cls
            for base in cls.node.bases:
                if (isinstance(base, ast.Attribute) and base.attr == B.MODEL_BASE_ATTR
                        and self.kind_of(base.value, outer)[0] == B.FSA):
                    result = True
                    break
                bq = self.index.qualify(base, outer)
                if bq and bq != qual and self._is_model_class(bq, depth + 1):
                    result = True
                    break
        self._model_cache[qual] = result
        return result

    # ---------------------------------------------------------------- call sites
    def callee(self, scope: Scope, call: ast.Call) -> Scope | None:
        fn = scope
        while fn is not None and not isinstance(fn.node, FuncNode):
            fn = fn.parent  # lambdas/comprehensions: the calls belong to the enclosing def
        if fn is None:
            return None
        table = self._callees.get(fn)
        if table is None:
            table = {id(c): callee for c, callee, _ev in self.facts.calls.get(fn, ())}
            self._callees[fn] = table
        return table.get(id(call))

    def entry_for(self, call: ast.Call, ev: Scope) -> tuple[Blocking | None, str | None]:
        """The catalogue entry of a call and, for a method, its receiver's origin."""
        qual = self.index.qualify(call.func, ev)
        if qual in self.config.ignore:
            return None, None
        entry, origin = None, None
        if qual in self.functions:
            entry = self.functions[qual]
        elif isinstance(call.func, ast.Attribute):
            kind, origin = self.kind_of(call.func.value, ev)
            entry = self.methods.get(kind, {}).get(call.func.attr) if kind else None
            if entry is not None and entry.name in self.config.ignore:
                entry = None
        if entry is not None and self.phase >= 3 and B.handled_by_phase3(entry.name):
            if self._phase3_keeps(call, ev) is not True:
                return None, None  # phase 3 rewrites it (requests → httpx)
        return entry, origin

    def _phase3_keeps(self, call: ast.Call, ev: Scope) -> bool | None:
        """Phase 3's per-call answer (``flask2quart.catalogue.http.rewritten_by_phase3``): True
        when it leaves this ``requests`` call on requests (then phase 2 may still move it off
        the loop); None when it does not say."""
        per_call = B.phase3_per_call()
        fn = ev
        while fn is not None and not isinstance(fn.node, FuncNode):
            fn = fn.parent
        if per_call is None or fn is None:
            return None
        try:
            answer = per_call(self.facts, fn, call)
        except Exception:  # the other phase's internal error: keep to the name-level answer
            return None
        return None if answer is None else not answer

    def _escapes(self, fn: Scope, call: ast.Call) -> bool:
        """Does the object a constructor call makes leave ``fn`` (returned, stored)?"""
        idx = self.index
        parent = idx.parent(fn, call)
        if isinstance(parent, (ast.withitem, ast.Attribute)):
            if isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
                return self._name_escapes(fn, parent.optional_vars.id)
            return False
        if isinstance(parent, ast.Assign) and all(isinstance(t, ast.Name) for t in parent.targets):
            return any(self._name_escapes(fn, t.id) for t in parent.targets)
        return True

    def _name_escapes(self, fn: Scope, name: str) -> bool:
        b = fn.bindings.get(name)
        if fn.kind != "function" or b is None or b.kind != "assign" or name in fn.globals_:
            return True
        for n in self.index.own_nodes(fn):
            value = None
            if isinstance(n, (ast.Return, ast.Yield)):
                value = n.value
            elif isinstance(n, ast.Assign) and not all(isinstance(t, ast.Name) for t in n.targets):
                value = n.value
            if isinstance(value, ast.Name) and value.id == name:
                return True
        return False

    # ---------------------------------------------------------------- helpers
    def summary(self, fn: Scope) -> Summary:
        """Does sync project function ``fn`` block, and may a call to it move to a thread?"""
        if fn in self._summaries:
            return self._summaries[fn]
        if fn in self._busy:
            return Summary(None)
        self._busy.add(fn)
        try:
            result = self._summarise(fn)
        finally:
            self._busy.discard(fn)
        self._summaries[fn] = result
        return result

    def _summarise(self, fn: Scope) -> Summary:
        if not isinstance(fn.node, FuncNode) or self.runs_async(fn):
            return Summary(None)
        idx = self.index
        chain: tuple[str, ...] | None = None
        unsafe: str | None = None
        mutates: str | None = None
        cpu = False
        from codemods.base import is_generator
        for node in idx.own_nodes(fn):
            mutation = self._state_mutation(node, fn)
            if mutation and mutates is None:
                mutates = mutation
            if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None and unsafe is None:
                kind = self.kind_of(node.value, fn)[0]
                safety = self._kind_safety(kind)
                if safety in (Safety.AFFINE, Safety.NOT_SHARED):
                    unsafe = f"returns a `{kind}` (not usable from another thread)"
            if not isinstance(node, ast.Call):
                continue
            ev = idx.innermost_scope(fn, node)
            entry, origin = self.entry_for(node, ev)
            if entry is not None:
                if entry.action is Action.ASYNC_ALREADY:
                    continue
                if chain is None:
                    chain = (fn.qualname, entry.name)
                    cpu = entry.cpu
                problem = self._entry_problem(entry, origin, fn, node)
                if problem and unsafe is None:
                    unsafe = problem
                continue
            callee = self.callee(ev, node)
            if callee is None or callee is fn:
                continue
            sub = self.summary(callee)
            if sub.chain is not None and chain is None:
                chain = (fn.qualname, *sub.chain)
                cpu = sub.cpu
            if sub.unsafe and unsafe is None:
                unsafe = sub.unsafe
        unsafe = unsafe or mutates
        if chain is not None and unsafe is None and is_generator(fn.node):
            unsafe = "a generator (its body runs lazily, on the caller's thread)"
        return Summary(chain, unsafe, cpu)

    def _kind_safety(self, kind: str | None) -> Safety | None:
        entries = self.methods.get(kind or "", {})
        return next(iter(entries.values())).safety if entries else None

    def _entry_problem(self, entry: Blocking, origin: str | None, fn: Scope,
                       call: ast.Call) -> str | None:
        """Why a catalogue call inside sync ``fn`` prevents moving ``fn`` to a thread."""
        if entry.safety is Safety.SAFE:
            return None
        if entry.safety is Safety.PER_THREAD_SESSION:
            return f"`{entry.name}`: Flask-SQLAlchemy sessions are per thread under the bridge"
        if origin is None:  # a constructor / function making the object
            if not self._escapes(fn, call):
                return None
            what = "thread-affine" if entry.safety is Safety.AFFINE else "not safe to share across threads"
            return f"what `{entry.name}` returns outlives the call ({what})"
        if origin == LOCAL:
            return None
        where = "kept on `g`" if origin == G else "shared (module level or passed in)"
        if entry.safety is Safety.AFFINE:
            return f"`{entry.name}` on an object {where} (thread-affine)"
        return f"`{entry.name}` on an object {where} (not safe across threads)"

    def _state_mutation(self, node: ast.AST, fn: Scope) -> str | None:
        idx = self.index

        def proxy(expr) -> str | None:
            ev = idx.innermost_scope(fn, expr)
            canon = idx.canonical(expr, ev)
            return canon if canon in B.STATE_PROXIES else None

        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for t in targets:
            if isinstance(t, (ast.Attribute, ast.Subscript)):
                p = proxy(t.value)
                if p:
                    return f"mutates `{p.split('.')[-1]}`"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in B.STATE_MUTATORS:
            p = proxy(node.func.value)
            if p:
                return f"mutates `{p.split('.')[-1]}`"
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "delattr") and node.args and proxy(node.args[0])):
            return "mutates `g`"
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            qual = idx.qualify(node, idx.innermost_scope(fn, node))
            if qual in B.LOOP_ONLY_NAMES:
                return f"uses `{qual}` ({B.LOOP_ONLY_NAMES[qual]})"
        return None

    # ---------------------------------------------------------------- findings
    def streamed_generators(self) -> set[Scope]:
        """Sync generators phase 1 turns into async generators (``stream_with_context``)."""
        if self._streamed is None:
            from codemods.base import is_generator
            from flask2quart import catalogue as C
            idx, out = self.index, set()
            for scope in idx.iter_scopes():
                if not isinstance(scope.node, FuncNode):
                    continue
                if is_generator(scope.node) and any(
                        idx.canonical(d, scope.parent) == C.STREAM_WITH_CONTEXT
                        for d in scope.node.decorator_list):
                    out.add(scope)
                for node in idx.own_nodes(scope):
                    if (isinstance(node, ast.Call) and len(node.args) == 1
                            and isinstance(node.args[0], ast.Call)):
                        ev = idx.innermost_scope(scope, node)
                        if idx.canonical(node.func, ev) == C.STREAM_WITH_CONTEXT:
                            gen = idx.function_for_qualname(idx.qualify(node.args[0].func, ev))
                            if gen is not None and is_generator(gen.node):
                                out.add(gen)
            self._streamed = out
        return self._streamed

    def runs_async(self, scope: Scope) -> bool:
        """Is ``scope`` an async function once phase 1 has run?"""
        return (self.facts.is_async(scope) or scope.is_async
                or scope in self.streamed_generators())

    def findings(self, module: str) -> list[Finding]:
        if self._findings is None:
            self._findings = {}
            for scope in self.index.iter_scopes():
                if scope.kind != "function" or not isinstance(scope.node, FuncNode):
                    continue
                if not self.runs_async(scope) or is_test_module(scope):
                    continue
                for f in self._scan_async(scope):
                    self._findings.setdefault(scope.module.module, []).append(f)
        return self._findings.get(module, [])

    def all_findings(self) -> list[Finding]:
        self.findings("")
        return [f for fs in self._findings.values() for f in fs]

    def _scan_async(self, fn: Scope):
        idx = self.index
        for node in idx.own_nodes(fn):
            if not isinstance(node, ast.Call) or isinstance(idx.parent(fn, node), ast.Await):
                continue
            ev = idx.innermost_scope(fn, node)
            entry, origin = self.entry_for(node, ev)
            helper = None
            if entry is None:
                helper = self.callee(ev, node)
                if helper is None or helper is fn or self.runs_async(helper):
                    continue
                summ = self.summary(helper)
                if summ.chain is None:
                    continue
                f = Finding(fn, node, summ.chain, HELPER, helper=helper)
                if summ.unsafe:
                    f.action, f.code = MARK, M_HELPER
                    f.reason = f"blocking helper kept on the loop: {summ.unsafe}"
            else:
                if entry.action is Action.ASYNC_ALREADY:
                    continue
                f = self._direct(fn, node, entry, origin)
            if f.action != MARK and ev is not fn and isinstance(ev.node, (ast.Lambda, ast.GeneratorExp)):
                f.action, f.code = MARK, M_SYNC_EXPR
                f.reason = "blocking call inside a lambda or generator expression (cannot await here)"
            if f.action in (THREAD, HELPER, SLEEP) and not self._asyncio_free(ev):
                f.action, f.code = MARK, M_NO_REWRITE
                f.reason = "`asyncio` means something else in this module"
            yield f

    def _direct(self, fn: Scope, call: ast.Call, entry: Blocking, origin: str | None) -> Finding:
        f = Finding(fn, call, (entry.name,), THREAD, entry=entry)
        hint = f" (async: {entry.suggestion})" if entry.suggestion else ""
        if entry.action is Action.SLEEP:
            f.action = SLEEP
            if call.keywords or len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
                f.action, f.code, f.reason = MARK, M_NO_REWRITE, "unusual time.sleep call"
            return f
        if entry.action is Action.MARK:
            f.action = MARK
            f.code = M_FILE if entry.category == "file" else M_NO_REWRITE
            f.reason = (f"`{entry.name}`: its result blocks too; move the block into a sync "
                        f"function{hint}")
            return f
        if entry.safety is Safety.SAFE:
            return f
        f.action = MARK
        if entry.safety is Safety.PER_THREAD_SESSION:
            f.code = M_SQLALCHEMY
            f.reason = (f"`{entry.name}` kept on the loop: a worker thread gets its own "
                        f"Flask-SQLAlchemy session{hint}")
            return f
        if origin is None:
            if entry.safety is Safety.NOT_SHARED and not self._escapes(fn, call):
                f.action = THREAD
                return f
            f.code = M_AFFINE if entry.safety is Safety.AFFINE else M_SHARED
            f.reason = (f"`{entry.name}` makes an object that must stay on the thread that "
                        f"created it{hint}") if entry.safety is Safety.AFFINE else \
                       (f"`{entry.name}` makes an object shared beyond this call{hint}")
            return f
        if entry.safety is Safety.NOT_SHARED and origin == LOCAL:
            f.action = THREAD
            return f
        where = "kept on `g`" if origin == G else ("made in this function" if origin == LOCAL
                                                   else "shared beyond this call")
        if entry.safety is Safety.AFFINE:
            f.code = M_AFFINE
            f.reason = (f"`{entry.name}` on an object {where} is thread-affine: kept on the "
                        f"loop{hint}")
        else:
            f.code = M_SHARED
            f.reason = (f"`{entry.name}` on an object {where} is not safe across threads: kept "
                        f"on the loop{hint}")
        return f

    def _asyncio_free(self, scope: Scope) -> bool:
        found = self.index.lookup(B.ASYNCIO, scope)
        return found is None or (found[1].kind == "import" and found[1].target == B.ASYNCIO)


def analysis_for(facts: ProjectFacts, phase: int = 2) -> BlockingAnalysis:
    """The (cached) phase-2 analysis of ``facts``' project, for a run of ``phase``."""
    cache = getattr(facts, "_f2q_blocking", None)
    if cache is None:
        cache = facts._f2q_blocking = {}
    key = min(max(phase, 2), 3)
    if key not in cache:
        cache[key] = BlockingAnalysis(facts, load_blocking_config(facts.index.project.root), key)
    return cache[key]
