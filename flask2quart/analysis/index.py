"""Whole-project name resolution over ``ast``: imports, scopes, functions, kinds.

``ProjectIndex`` answers three questions for any expression in any function:

* ``qualify(expr, scope)`` – the dotted name it refers to, resolved through imports
  (``from flask import request as rq``, ``import flask``, relative imports,
  re-exports inside the project) and scopes (a parameter or local named
  ``request`` shadows the import);
* ``canonical(expr, scope)`` – the framework fact key (``fw.request``) if it is a
  Flask/Quart name;
* ``kind(expr, scope)`` – what object it is (app, blueprint, request, response,
  uploaded file), following module variables, locals, hook parameters and
  parameters whose every project call site passes an app.
"""

from __future__ import annotations

import ast
import builtins
import weakref
from dataclasses import dataclass, field
from typing import Callable, Iterator

from flask2quart import catalogue as C
from flask2quart.analysis.project import Project, SourceFile, child_nodes, walk_with_parents
from flask2quart.catalogue import Kind

BUILTINS = frozenset(dir(builtins))
FuncNode = (ast.FunctionDef, ast.AsyncFunctionDef)

#: function node → whether its body yields (not counting nested functions, classes and
#: lambdas), filled for every indexed module: see :func:`is_generator`
_GENERATORS: "weakref.WeakKeyDictionary[ast.AST, bool]" = weakref.WeakKeyDictionary()


def is_generator(node: ast.AST) -> bool:
    """Does this function body yield (not counting nested functions, classes, lambdas)?"""
    if not isinstance(node, FuncNode):
        return False
    known = _GENERATORS.get(node)
    if known is None:  # a function outside every index
        known = _GENERATORS[node] = _body_yields(node)
    return known


def _body_yields(node: ast.AST) -> bool:
    stack = list(node.body)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(n, (*FuncNode, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(child_nodes(n))
    return False


def _register_generators(nodes: list[ast.AST], parents: dict[ast.AST, ast.AST]) -> None:
    """:func:`_body_yields` for every function of a module at once: from each ``yield`` up to
    the nearest function, class or lambda (only a yield reached through a function's body
    makes it a generator)."""
    found = set()
    for y in nodes:
        if not isinstance(y, (ast.Yield, ast.YieldFrom)):
            continue
        prev, cur = y, parents.get(y)
        while cur is not None:
            if isinstance(cur, (ast.ClassDef, ast.Lambda)):
                break
            if isinstance(cur, FuncNode):
                if any(prev is st for st in cur.body):
                    found.add(cur)
                break
            prev, cur = cur, parents.get(cur)
    for n in nodes:
        if isinstance(n, FuncNode):
            _GENERATORS[n] = n in found


@dataclass
class Binding:
    """How a name is bound in one scope."""

    kind: str                 # "import" | "def" | "class" | "assign" | "param" | "other"
    target: str | None = None  # import target / def qualname
    values: list[ast.expr] = field(default_factory=list)  # assigned values
    annotation: ast.expr | None = None
    param_index: int | None = None


@dataclass(eq=False)
class Scope:
    """A module, class or function scope."""

    module: SourceFile
    node: ast.AST
    qualname: str
    parent: Scope | None
    kind: str  # "module" | "class" | "function"
    bindings: dict[str, Binding] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    children: list[Scope] = field(default_factory=list)

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<module>")

    def enclosing_class(self) -> Scope | None:
        return self.parent if self.parent is not None and self.parent.kind == "class" else None

    def function_parent(self) -> Scope | None:
        """The nearest enclosing *function* scope (closures skip class scopes)."""
        p = self.parent
        while p is not None and p.kind == "class":
            p = p.parent
        return p if p is not None and p.kind == "function" else None


def _resolve_relative(module: SourceFile, level: int, name: str | None) -> str:
    parts = module.module.split(".")
    base = parts if module.is_package else parts[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


class _ScopeBuilder(ast.NodeVisitor):
    """Builds the scope tree of one module and records bindings per scope."""

    #: node class -> this class's ``visit_<Class>`` function, or None: visit the children
    #: (``ast.NodeVisitor``'s own ``visit_Constant``, a deprecation shim, counts as None)
    _handlers: dict[type, Callable | None] = {}

    @classmethod
    def _handler(cls, node_type: type) -> Callable | None:
        name = "visit_" + node_type.__name__
        found = getattr(cls, name, None)
        if found is not None and found is getattr(ast.NodeVisitor, name, None):
            found = None
        cls._handlers[node_type] = found
        return found

    def visit(self, node: ast.AST) -> None:
        handlers = self._handlers
        handler = handlers[type(node)] if type(node) in handlers else self._handler(type(node))
        if handler is None:
            self.generic_visit(node)
        else:
            handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        # ast.NodeVisitor's order (fields in order, depth first) without one Python call per
        # node: most nodes have no handler, and their children go on an explicit stack
        handlers = self._handlers
        stack = child_nodes(node)
        stack.reverse()
        pop, push = stack.pop, stack.extend
        while stack:
            n = pop()
            t = type(n)
            handler = handlers[t] if t in handlers else self._handler(t)
            if handler is None:
                children = child_nodes(n)
                children.reverse()
                push(children)
            else:
                handler(self, n)

    def __init__(self, module: SourceFile):
        self.module = module
        self.root = Scope(module, module.tree, module.module, None, "module")
        self.stack = [self.root]
        self.scopes_by_node: dict[ast.AST, Scope] = {module.tree: self.root}

    @property
    def cur(self) -> Scope:
        return self.stack[-1]

    def bind(self, name: str, binding: Binding) -> None:
        scope = self.cur
        if name in scope.globals_:
            scope = self.root
        old = scope.bindings.get(name)
        if old is not None and old.kind == binding.kind == "assign":
            old.values.extend(binding.values)
        elif old is not None and old.kind != binding.kind:
            scope.bindings[name] = Binding("other")
        else:
            scope.bindings[name] = binding

    # -- scopes ------------------------------------------------------------
    def _push(self, node: ast.AST, kind: str) -> Scope:
        name = getattr(node, "name", "<lambda>")
        qual = f"{self.cur.qualname}.{name}"
        scope = Scope(self.module, node, qual, self.cur, kind)
        self.cur.children.append(scope)
        self.scopes_by_node[node] = scope
        return scope

    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        self._visit_defaults(node.args)
        if node.returns:
            self.visit(node.returns)
        self.bind(node.name, Binding("def", f"{self.cur.qualname}.{node.name}"))
        scope = self._push(node, "function")
        self.stack.append(scope)
        a = node.args
        params = [*a.posonlyargs, *a.args]
        for i, arg in enumerate(params):
            self.bind(arg.arg, Binding("param", annotation=arg.annotation, param_index=i))
        for arg in [a.vararg, *a.kwonlyargs, a.kwarg]:
            if arg is not None:
                self.bind(arg.arg, Binding("param", annotation=arg.annotation))
        for stmt in node.body:
            self.visit(stmt)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _visit_defaults(self, args: ast.arguments) -> None:
        for d in [*args.defaults, *args.kw_defaults]:
            if d is not None:
                self.visit(d)

    def visit_Lambda(self, node):
        self._visit_defaults(node.args)
        scope = self._push(node, "function")
        self.stack.append(scope)
        for arg in [*node.args.posonlyargs, *node.args.args, node.args.vararg,
                    *node.args.kwonlyargs, node.args.kwarg]:
            if arg is not None:
                self.bind(arg.arg, Binding("param"))
        self.visit(node.body)
        self.stack.pop()

    def visit_ClassDef(self, node):
        for d in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(d)
        self.bind(node.name, Binding("class", f"{self.cur.qualname}.{node.name}"))
        scope = self._push(node, "class")
        self.stack.append(scope)
        for stmt in node.body:
            self.visit(stmt)
        self.stack.pop()

    def _comprehension(self, node):
        scope = self._push(node, "function")
        self.stack.append(scope)
        for gen in node.generators:
            self.visit(gen)
        for child in ("elt", "key", "value"):
            if getattr(node, child, None) is not None:
                self.visit(getattr(node, child))
        self.stack.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    # -- bindings ----------------------------------------------------------
    def visit_Global(self, node):
        self.cur.globals_.update(node.names)

    def visit_Nonlocal(self, node):
        self.cur.nonlocals.update(node.names)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, Binding("import", alias.name))
            else:
                top = alias.name.split(".")[0]
                self.bind(top, Binding("import", top))

    def visit_ImportFrom(self, node):
        base = (
            _resolve_relative(self.module, node.level, node.module)
            if node.level else (node.module or "")
        )
        for alias in node.names:
            if alias.name == "*":
                continue
            self.bind(alias.asname or alias.name, Binding("import", f"{base}.{alias.name}"))

    def visit_Assign(self, node):
        self.visit(node.value)
        for t in node.targets:
            self._bind_target(t, node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, Binding("assign", values=[node.value] if node.value else [],
                                              annotation=node.annotation))
        else:
            self.visit(node.target)

    def visit_AugAssign(self, node):
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, Binding("other"))
        else:
            self.visit(node.target)

    def visit_NamedExpr(self, node):
        self.visit(node.value)
        self.bind(node.target.id, Binding("assign", values=[node.value]))

    def _bind_target(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, Binding("assign", values=[value] if value is not None else []))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind_target(elt.value if isinstance(elt, ast.Starred) else elt, None)
        else:
            self.visit(target)

    def visit_For(self, node):
        self.visit(node.iter)
        self._bind_loop(node.target, node.iter)
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node):
        self.visit(node.iter)
        self._bind_loop(node.target, node.iter)
        for cond in node.ifs:
            self.visit(cond)

    def _bind_loop(self, target: ast.expr, iterable: ast.expr) -> None:
        if isinstance(target, ast.Name):
            # a loop variable: its value is "an element of iterable"
            self.bind(target.id, Binding("assign", values=[_Element(iterable)]))
        else:
            self._bind_target(target, None)

    def visit_With(self, node):
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, None)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node):
        if node.type:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, Binding("other"))
        for stmt in node.body:
            self.visit(stmt)

    def visit_MatchAs(self, node):
        if node.name:
            self.bind(node.name, Binding("other"))
        self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name:
            self.bind(node.name, Binding("other"))


def _folder_aliases(modules: dict[str, ModuleInfo]) -> dict[str, ModuleInfo]:
    """Dotted names that reach a module through the folders above its package chain.

    A module's name stops at the first folder without ``__init__.py`` (``middleware/auth.py``
    is ``auth``), yet code that puts a parent folder on ``sys.path`` imports it as
    ``middleware.auth`` (an implicit namespace package). Each such longer name is an alias,
    unless two modules would share it, a module already has it, or its first part is a
    standard-library or installed top-level name (a regular package found on ``sys.path``
    wins over a namespace folder, so the alias could not be what the import finds)."""
    import importlib.util
    import sys

    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    installed: dict[str, bool] = {}

    def external(top: str) -> bool:
        if top not in installed:
            try:
                installed[top] = top in stdlib or importlib.util.find_spec(top) is not None
            except (ImportError, ValueError):
                installed[top] = True
        return installed[top]

    seen: dict[str, ModuleInfo | None] = {}
    for name, info in modules.items():
        src = info.source
        if name != src.module or not src.rel.endswith(".py"):
            continue
        folders = src.rel[:-3].split("/")
        if folders[-1] == "__init__":
            folders.pop()
        own = name.split(".")
        if folders[-len(own):] != own:
            continue  # a renamed duplicate: its path is its name already
        for i in range(len(folders) - len(own) - 1, -1, -1):
            alias = ".".join(folders[i:])
            if alias in modules or external(folders[i]):
                continue
            seen[alias] = None if alias in seen else info
    return {a: info for a, info in seen.items() if info is not None}


class _Element(ast.expr):
    """Synthetic value: one element of an iterable (loop variables)."""

    _fields = ("iterable",)

    def __init__(self, iterable: ast.expr):
        super().__init__()
        self.iterable = iterable


@dataclass
class ModuleInfo:
    source: SourceFile
    scope: Scope
    scopes_by_node: dict[ast.AST, Scope]
    parents: dict[ast.AST, ast.AST]


_EXPR_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class ProjectIndex:
    """Names, scopes and kinds across every module of a project."""

    def __init__(self, project: Project):
        self.project = project
        self.modules: dict[str, ModuleInfo] = {}
        self.functions: dict[str, Scope] = {}   # qualname → function scope
        self.classes: dict[str, Scope] = {}
        self._walks: dict[ast.AST, list[ast.AST]] = {}
        for src in project.files:
            builder = _ScopeBuilder(src)
            builder.visit(src.tree)
            nodes, parents = src.walk or walk_with_parents(src.tree)
            self._walks.setdefault(src.tree, nodes)
            _register_generators(nodes, parents)
            info = ModuleInfo(src, builder.root, builder.scopes_by_node, parents)
            # first module with a name wins (duplicates: e.g. two conftest.py files)
            self.modules.setdefault(src.module, info)
            for node, scope in builder.scopes_by_node.items():
                if isinstance(node, FuncNode):
                    self.functions.setdefault(scope.qualname, scope)
                elif isinstance(node, ast.ClassDef):
                    self.classes.setdefault(scope.qualname, scope)
        #: other dotted names a module is imported by (see :func:`_folder_aliases`)
        self._aliases = _folder_aliases(self.modules)
        #: extra parameter kinds learnt from registrations and call sites
        self.param_kinds: dict[tuple[str, str], Kind] = {}
        self._returned_busy: set = set()
        self._own_nodes: dict[ast.AST, list[ast.AST]] = {}
        self._expr_scope_memo: dict[str, dict[ast.AST, ast.AST | None]] = {}
        self._ctor_calls: dict[str, list[tuple[ast.Call, Scope]]] | None = None
        self._returns: dict[ast.AST, list[ast.expr]] = {}
        self._attr_memo: dict[tuple[ast.AST, bool], dict[str, list[tuple[ast.Assign, Scope]]]] = {}
        self._qualified: dict[tuple[ast.expr, Scope], str | None] = {}
        self._conftests: dict | None = None
        self._fixture_chains: dict[str, list[ModuleInfo]] = {}

    # ------------------------------------------------------------------ utils
    def module_of(self, scope: Scope) -> ModuleInfo:
        return self.modules.get(scope.module.module) or ModuleInfo(scope.module, scope, {}, {})

    def scope_for(self, src: SourceFile, node: ast.AST) -> Scope | None:
        info = self.modules.get(src.module)
        return info.scopes_by_node.get(node) if info else None

    def iter_scopes(self) -> Iterator[Scope]:
        for info in self.modules.values():
            stack = [info.scope]
            while stack:
                s = stack.pop()
                yield s
                stack.extend(s.children)

    # ------------------------------------------------------------- resolution
    def lookup(self, name: str, scope: Scope) -> tuple[Scope, Binding] | None:
        """Python's LEGB lookup; class scopes are skipped except the innermost."""
        s: Scope | None = scope
        first = True
        while s is not None:
            if s.kind != "class" or first:
                if name in s.globals_:
                    s = self._module_scope(s)
                    continue
                b = s.bindings.get(name)
                if b is not None:
                    return s, b
            first = False
            s = s.parent
        return None

    @staticmethod
    def _module_scope(s: Scope) -> Scope:
        while s.parent is not None:
            s = s.parent
        return s

    def qualify(self, expr: ast.expr, scope: Scope) -> str | None:
        """Dotted name an expression refers to, or None (locals give ``None``)."""
        # memoized: bindings do not change once the index is built, and the analyses and
        # detectors ask the same (expression, scope) about nine times on average
        key = (expr, scope)
        memo = self._qualified
        if key in memo:
            return memo[key]
        qual = memo[key] = self._qualify(expr, scope)
        return qual

    def _qualify(self, expr: ast.expr, scope: Scope) -> str | None:
        if isinstance(expr, ast.Name):
            found = self.lookup(expr.id, scope)
            if found is None:
                return f"builtins.{expr.id}" if expr.id in BUILTINS else None
            owner, b = found
            if b.kind == "import":
                return self.resolve_qualname(b.target)
            if b.kind in ("def", "class"):
                return b.target
            if b.kind == "assign" and owner.kind == "module":
                return f"{owner.qualname}.{expr.id}"
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualify(expr.value, scope)
            if base is None:
                return None
            return self.resolve_qualname(f"{base}.{expr.attr}")
        return None

    def resolve_qualname(self, qual: str | None, _depth: int = 0) -> str | None:
        """Follow re-exports inside the project: ``pkg.compat.request`` → ``flask.request``."""
        if qual is None or _depth > 20:
            return qual
        parts = qual.split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod = ".".join(parts[:i])
            info = self.modules.get(mod)
            if info is None:
                info = self._aliases.get(mod)
                if info is not None:  # `middleware.auth` for the module analysed as `auth`
                    return self.resolve_qualname(".".join([info.source.module, *parts[i:]]),
                                                 _depth + 1)
                continue
            name, rest = parts[i], parts[i + 1:]
            b = info.scope.bindings.get(name)
            if b is None:
                if f"{mod}.{name}" in self.modules:
                    return qual  # a submodule
                return qual
            if b.kind == "import":
                return self.resolve_qualname(".".join([b.target, *rest]), _depth + 1)
            if b.kind in ("def", "class") and rest:
                return ".".join([b.target, *rest])
            return qual
        return qual

    def canonical(self, expr: ast.expr, scope: Scope) -> str | None:
        return C.canonical(self.qualify(expr, scope))

    def function_for_qualname(self, qual: str | None) -> Scope | None:
        if qual is None:
            return None
        return self.functions.get(qual)

    # ------------------------------------------------------------------ kinds
    def kind(self, expr: ast.expr, scope: Scope, _depth: int = 0) -> Kind | None:
        if _depth > 12:
            return None
        if isinstance(expr, ast.Await):
            return self.kind(expr.value, scope, _depth + 1)
        if isinstance(expr, _Element):
            inner = expr.iterable
            # for f in request.files.getlist("x") / .values()
            if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr in C.FILES_LIST_ACCESSORS
                    and self.kind(inner.func.value, scope, _depth + 1) is Kind.FILES):
                return Kind.FILESTORAGE
            return None
        if isinstance(expr, ast.Name):
            canon = self.canonical(expr, scope)
            if canon in C.GLOBAL_KINDS:
                return C.GLOBAL_KINDS[canon]
            if canon == C.FW:
                return Kind.MODULE_FW
            found = self.lookup(expr.id, scope)
            if found is None:
                return None
            owner, b = found
            if b.kind == "import":
                target = self.resolve_qualname(b.target)
                return self._kind_of_qualname(target, _depth)
            if b.kind == "assign":
                # a variable whose values refer to itself (``stmt = stmt.where(...)``): the
                # self-reference contributes nothing (unknown) instead of recursing until
                # the depth limit (exponential in the number of assignments)
                key = ("var", id(owner), expr.id)
                if key in self._returned_busy:
                    return None
                self._returned_busy.add(key)
                try:
                    return self._kind_of_values(b.values, owner, _depth)
                finally:
                    self._returned_busy.discard(key)
            if b.kind == "param":
                k = self.param_kinds.get((owner.qualname, expr.id))
                if k is None and b.annotation is None:
                    k = self._fixture_param_kind(owner, expr.id, _depth)
                if k is None and b.annotation is not None:
                    k = C.CONSTRUCTOR_KINDS.get(self.canonical(b.annotation, owner) or "")
                    if k is not Kind.APP and k is not Kind.BLUEPRINT and k is not Kind.RESPONSE:
                        k = None
                return k
            return None
        if isinstance(expr, ast.Attribute):
            canon = self.canonical(expr, scope)
            if canon in C.GLOBAL_KINDS:
                return C.GLOBAL_KINDS[canon]
            qual = self.qualify(expr, scope)
            if qual is not None and not canon:
                k = self._kind_of_qualname(qual, _depth)
                if k is not None:
                    return k
            base = self.kind(expr.value, scope, _depth + 1)
            if base is Kind.REQUEST and expr.attr in C.FILES_MEMBERS:
                return Kind.FILES
            if base is None and isinstance(expr.value, ast.Name):
                return self._self_attr_kind(expr, scope, _depth)
            return None
        if isinstance(expr, ast.Call):
            canon = self.canonical(expr.func, scope)
            if canon in C.CONSTRUCTOR_KINDS:
                return C.CONSTRUCTOR_KINDS[canon]
            if isinstance(expr.func, ast.Attribute):
                owner = self.kind(expr.func.value, scope, _depth + 1)
                if owner is Kind.FILES and expr.func.attr in C.FILES_ITEM_ACCESSORS:
                    return Kind.FILESTORAGE
                if owner is Kind.APP and expr.func.attr in C.APP_RESPONSE_FACTORIES:
                    return Kind.RESPONSE
                if owner is Kind.APP and expr.func.attr in C.APP_METHOD_KINDS:
                    return C.APP_METHOD_KINDS[expr.func.attr]
                if owner is Kind.TEST_CLIENT and expr.func.attr in C.TEST_CLIENT_REQUEST_METHODS:
                    return Kind.TEST_RESPONSE
            # a call to a project function or method: the kind of what it returns
            target = self.function_for_qualname(self.qualify(expr.func, scope))
            if target is None and isinstance(expr.func, ast.Attribute):
                target = self.method_for_call(expr.func, scope, _depth + 1)
            if target is not None:
                return self.returned_kind(target, _depth + 1)
            return None
        if isinstance(expr, ast.Subscript):
            if self.kind(expr.value, scope, _depth + 1) is Kind.FILES:
                return Kind.FILESTORAGE
            return None
        return None

    def returned_kind(self, fn: Scope, depth: int = 0) -> Kind | None:
        """Kind of what a project function returns (or yields: pytest fixtures)."""
        if depth > 12 or not isinstance(fn.node, FuncNode):
            return None
        key = ("ret", fn.qualname)
        if key in self._returned_busy:
            return None
        self._returned_busy.add(key)
        try:
            values = self.returned_values(fn)
            return self._kind_of_values(values, fn, depth) if values else None
        finally:
            self._returned_busy.discard(key)

    def returned_values(self, fn: Scope) -> list[ast.expr]:
        """The values ``fn`` returns or yields (its own ``return x`` / ``yield x``), memoized."""
        found = self._returns.get(fn.node)
        if found is None:
            found = self._returns[fn.node] = [
                n.value for n in self.own_nodes(fn)
                if isinstance(n, (ast.Return, ast.Yield)) and n.value is not None]
        return found

    def fixtures(self, scope: Scope) -> dict[str, Scope]:
        """pytest fixtures visible from ``scope``'s module: conftest.py files on its path
        (outermost first), then the module itself (which overrides them)."""
        mod = scope.module.module
        found: dict[str, Scope] = {}
        for info in self._fixture_modules(scope.module, mod):
            for child in info.scope.children:
                if isinstance(child.node, FuncNode) and self._is_fixture(child, info.scope):
                    found[child.name] = child
        return found

    def _fixture_modules(self, src: SourceFile, mod: str) -> list[ModuleInfo]:
        """The conftest.py modules above ``src`` (outermost first, found by path as pytest
        finds them), then ``src``'s own module; computed once per module."""
        found = self._fixture_chains.get(mod)
        if found is not None:
            return found
        if self._conftests is None:  # folder -> its conftest.py
            self._conftests = {info.source.path.parent: info for info in self.modules.values()
                               if info.source.path.name == "conftest.py"}
        root = self.project.root
        folder = src.path.parent
        chain = []
        while True:
            if folder in self._conftests:
                chain.append(self._conftests[folder])
            if folder == root or folder == folder.parent or not folder.is_relative_to(root):
                break
            folder = folder.parent
        chain.reverse()
        own = self.modules.get(mod)
        if own is not None and all(own is not c for c in chain):
            chain.append(own)
        self._fixture_chains[mod] = chain
        return chain

    def _is_fixture(self, fn: Scope, module_scope: Scope) -> bool:
        for d in fn.node.decorator_list:
            target = d.func if isinstance(d, ast.Call) else d
            if self.qualify(target, module_scope) in C.PYTEST_FIXTURE_DECORATORS:
                return True
        return False

    def _fixture_param_kind(self, fn: Scope, name: str, depth: int) -> Kind | None:
        """A test or fixture parameter named after a visible fixture has that fixture's kind."""
        if not isinstance(fn.node, FuncNode) or fn.enclosing_class() is not None:
            return None
        module_scope = self._module_scope(fn)
        if not (fn.name.startswith("test") or self._is_fixture(fn, module_scope)):
            return None
        fixture = self.fixtures(fn).get(name)
        if fixture is None or fixture is fn:
            return None
        return self.returned_kind(fixture, depth + 1)

    def _self_attr_kind(self, expr: ast.Attribute, scope: Scope, depth: int) -> Kind | None:
        """``self.client`` inside a method: the kind of every ``self.client = ...`` of the class
        (and its project base classes)."""
        fn = scope if scope.kind == "function" else scope.function_parent()
        cls = fn.enclosing_class() if fn is not None else None
        if cls is None or not isinstance(fn.node, FuncNode):
            return None
        params = [a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args)]
        if not params or expr.value.id != params[0]:
            return None
        kinds: set[Kind | None] = set()
        for c in self._class_chain(cls):
            for n, child in self._attr_assignments(c, first_param=True).get(expr.attr, ()):
                key = ("attr", cls.qualname, expr.attr, id(n))
                if key in self._returned_busy:
                    continue
                self._returned_busy.add(key)
                try:
                    kinds.add(self.kind(n.value, child, depth + 1))
                finally:
                    self._returned_busy.discard(key)
        return kinds.pop() if len(kinds) == 1 else None

    def _attr_assignments(self, cls: Scope, first_param: bool
                          ) -> dict[str, list[tuple[ast.Assign, Scope]]]:
        """``self.<attr> = value`` statements in the methods of ``cls`` (not its bases), by
        attribute, in source order; computed once per class. ``self`` is each method's first
        parameter (``first_param``) or its instance parameter (:meth:`self_param`, which
        excludes static methods)."""
        key = (cls.node, first_param)
        found = self._attr_memo.get(key)
        if found is not None:
            return found
        found = {}
        for child in cls.children:
            if first_param:
                if not isinstance(child.node, FuncNode):
                    continue
                params = [*child.node.args.posonlyargs, *child.node.args.args]
                me = params[0].arg if params else None
            else:
                me = self.self_param(child)
            if me is None:
                continue
            for n in self.own_nodes(child):
                if isinstance(n, ast.Assign):
                    for t in n.targets:
                        if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                and t.value.id == me):
                            found.setdefault(t.attr, []).append((n, child))
        self._attr_memo[key] = found
        return found

    # ------------------------------------------------------------ instances
    @staticmethod
    def self_param(fn: Scope | None) -> str | None:
        """The name of a method's instance/class parameter (``self``), or None."""
        if fn is None or fn.enclosing_class() is None or not isinstance(fn.node, FuncNode):
            return None
        for d in fn.node.decorator_list:
            if isinstance(d, ast.Name) and d.id == "staticmethod":
                return None
        params = [*fn.node.args.posonlyargs, *fn.node.args.args]
        return params[0].arg if params else None

    def method(self, cls: Scope, name: str, _depth: int = 0) -> Scope | None:
        """``cls.name`` through the project base classes (first base first)."""
        b = cls.bindings.get(name)
        if b is not None and b.kind == "def":
            return self.functions.get(b.target)
        if _depth > 10 or not isinstance(cls.node, ast.ClassDef):
            return None
        for base in self._bases(cls):
            found = self.method(base, name, _depth + 1)
            if found is not None:
                return found
        return None

    def _bases(self, cls: Scope) -> list[Scope]:
        out = []
        for base in getattr(cls.node, "bases", ()):
            b = self.classes.get(self.qualify(base, cls.parent or cls) or "")
            if b is not None:
                out.append(b)
        return out

    def method_for_call(self, func: ast.Attribute, scope: Scope, depth: int = 0) -> Scope | None:
        """The project method ``obj.name(...)`` calls: ``self.m()``, ``super().m()``,
        ``self.helper.m()`` (``self.helper = Helper()``), ``obj.m()`` with ``obj = Cls()`` or a
        pytest fixture returning ``Cls(...)``."""
        value = func.value
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id == "super" and not value.args
                and self.qualify(value.func, scope) == "builtins.super"):
            fn = scope if scope.kind == "function" else scope.function_parent()
            cls = fn.enclosing_class() if fn is not None else None
            if cls is None:
                return None
            for base in self._bases(cls):
                found = self.method(base, func.attr)
                if found is not None:
                    return found
            return None
        cls = self.instance_class(value, scope, depth)
        return self.method(cls, func.attr) if cls is not None else None

    def instance_class(self, expr: ast.expr, scope: Scope, depth: int = 0) -> Scope | None:
        """The project class ``expr`` is an instance of, when every binding agrees."""
        if depth > 8:
            return None
        if isinstance(expr, ast.Call):
            return self.classes.get(self.qualify(expr.func, scope) or "")
        if isinstance(expr, ast.Name):
            found = self.lookup(expr.id, scope)
            if found is None:
                return None
            owner, b = found
            if b.kind == "param" and owner.kind == "function":
                if b.param_index == 0 and self.self_param(owner) == expr.id:
                    return owner.enclosing_class()
                if b.annotation is not None:
                    cls = self.classes.get(self.qualify(b.annotation, owner) or "")
                    if cls is not None:
                        return cls
                if owner.name == "__init__" and owner.enclosing_class() is not None:
                    return self._one_class_scoped(
                        self._ctor_args(owner.enclosing_class(), expr.id, b.param_index), depth)
                module_scope = self._module_scope(owner)
                if (owner.enclosing_class() is None and isinstance(owner.node, FuncNode)
                        and (owner.name.startswith("test") or self._is_fixture(owner, module_scope))):
                    fixture = self.fixtures(owner).get(expr.id)
                    if fixture is not None and fixture is not owner:
                        return self._returned_class(fixture, depth + 1)
                return None
            if b.kind == "assign":
                return self._one_class(b.values, owner, depth)
            if b.kind == "import":
                # a module variable of the project: `from pkg.store import store`
                mod, _, name = (self.resolve_qualname(b.target) or "").rpartition(".")
                info = self.modules.get(mod)
                vb = info.scope.bindings.get(name) if info is not None else None
                if vb is not None and vb.kind == "assign":
                    return self._one_class(vb.values, info.scope, depth)
            return None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            fn = scope if scope.kind == "function" else scope.function_parent()
            if fn is None or self.self_param(fn) != expr.value.id:
                return None
            cls = fn.enclosing_class()
            key = ("icls", cls.qualname, expr.attr)
            if key in self._returned_busy:
                return None
            self._returned_busy.add(key)
            try:
                values: list[tuple[ast.expr, Scope]] = []
                for c in self._class_chain(cls):
                    b = c.bindings.get(expr.attr)
                    if b is not None and b.kind == "assign":
                        values.extend((v, c) for v in b.values)
                    values.extend(self._self_assignments(c, expr.attr))
                found = {self.instance_class(v, s, depth + 1) for v, s in values}
                return found.pop() if len(found) == 1 else None
            finally:
                self._returned_busy.discard(key)
        return None

    def _self_assignments(self, cls: Scope, attr: str) -> list[tuple[ast.expr, Scope]]:
        """Values of ``self.<attr> = value`` in the methods of ``cls`` (not its bases)."""
        return [(n.value, child)
                for n, child in self._attr_assignments(cls, first_param=False).get(attr, ())]

    def _one_class(self, values: list[ast.expr], scope: Scope, depth: int) -> Scope | None:
        found = {self.instance_class(v, scope, depth + 1) for v in values if v is not None}
        return found.pop() if len(found) == 1 else None

    def _one_class_scoped(self, values: list[tuple[ast.expr, Scope]] | None, depth: int) -> Scope | None:
        if not values:
            return None
        found = {self.instance_class(v, s, depth + 1) for v, s in values}
        return found.pop() if len(found) == 1 else None

    def _ctor_args(self, cls: Scope, name: str, index: int | None) -> list[tuple[ast.expr, Scope]] | None:
        """What every ``Cls(...)`` call of the project passes for ``__init__``'s parameter
        ``name`` (positional ``index``, counting ``self``); None when one call cannot say."""
        if self._ctor_calls is None:
            self._ctor_calls = {}
            for s in self.iter_scopes():
                for n in self.own_nodes(s):
                    if isinstance(n, ast.Call) and isinstance(n.func, (ast.Name, ast.Attribute)):
                        q = self.qualify(n.func, self.innermost_scope(s, n))
                        if q in self.classes:
                            self._ctor_calls.setdefault(q, []).append((n, self.innermost_scope(s, n)))
        out = []
        for call, scope in self._ctor_calls.get(cls.qualname, ()):
            if any(isinstance(a, ast.Starred) for a in call.args) or \
                    any(kw.arg is None for kw in call.keywords):
                return None
            value = next((kw.value for kw in call.keywords if kw.arg == name), None)
            if value is None and index is not None and 0 < index <= len(call.args):
                value = call.args[index - 1]
            if value is None:
                return None
            out.append((value, scope))
        return out or None

    def _returned_class(self, fn: Scope, depth: int) -> Scope | None:
        values = self.returned_values(fn)
        return self._one_class(values, fn, depth) if values else None

    def _class_chain(self, cls: Scope, _depth: int = 0) -> list[Scope]:
        out = [cls]
        if _depth > 10 or not isinstance(cls.node, ast.ClassDef):
            return out
        for base in cls.node.bases:
            b = self.classes.get(self.qualify(base, cls.parent or cls) or "")
            if b is not None:
                out.extend(self._class_chain(b, _depth + 1))
        return out

    def _kind_of_values(self, values: list[ast.expr], scope: Scope, depth: int) -> Kind | None:
        kinds = {self.kind(v, scope, depth + 1) for v in values if v is not None}
        if len(kinds) == 1:
            return kinds.pop()
        return None

    def _kind_of_qualname(self, qual: str | None, depth: int) -> Kind | None:
        """Kind of a module-level variable of the project (``pkg.auth.bp``)."""
        if qual is None:
            return None
        canon = C.canonical(qual)
        if canon in C.GLOBAL_KINDS:
            return C.GLOBAL_KINDS[canon]
        mod, _, name = qual.rpartition(".")
        info = self.modules.get(mod)
        if info is None:
            return None
        b = info.scope.bindings.get(name)
        if b is None or b.kind != "assign":
            return None
        return self._kind_of_values(b.values, info.scope, depth + 1)

    # -------------------------------------------------------------- traversal
    def walk(self, tree: ast.AST) -> list[ast.AST]:
        """``list(ast.walk(tree))`` without the token nodes (``Load``, ``Add``, …: see
        :func:`~flask2quart.analysis.project.walk_with_parents`), computed once per tree (the
        trees are never mutated after indexing): several detectors scan every node of every
        module. Do not mutate."""
        cached = self._walks.get(tree)
        if cached is None:
            cached = self._walks[tree] = walk_with_parents(tree)[0]
        return cached

    def own_nodes(self, scope: Scope) -> Iterator[ast.AST]:
        """Nodes that belong to ``scope`` itself (not to nested functions/classes), without
        the token nodes (``Load``, ``Add``, …).

        Lambdas and comprehensions are nested scopes too, but their nodes are
        yielded (they are evaluated as part of this function's body); callers
        check :meth:`scope_of_node` where that matters.
        """
        # memoized per scope (the trees are never mutated after indexing): detectors and
        # analyses walk the same scopes many times
        cached = self._own_nodes.get(scope.node)
        if cached is None:
            cached = self._own_nodes[scope.node] = list(self._walk_own(scope))
        return iter(cached)

    @staticmethod
    def _walk_own(scope: Scope) -> Iterator[ast.AST]:
        node = scope.node
        body = node.body if isinstance(node, (ast.Module, *FuncNode, ast.ClassDef)) else [node]
        stack = list(reversed(body))
        defs = (*FuncNode, ast.ClassDef)
        while stack:
            n = stack.pop()
            yield n
            if isinstance(n, defs):
                # decorators, defaults and bases run in this scope; the body does not
                inner = [*n.decorator_list]
                if isinstance(n, ast.ClassDef):
                    inner += [*n.bases, *n.keywords]
                else:
                    inner += [*n.args.defaults, *(d for d in n.args.kw_defaults if d)]
                stack.extend(reversed(inner))
                continue
            children = child_nodes(n)
            children.reverse()
            stack.extend(children)

    def innermost_scope(self, scope: Scope, node: ast.AST) -> Scope:
        """The scope a node of ``scope``'s body evaluates in (lambda/comprehension aware)."""
        name = scope.module.module
        if node is not scope.node and name in self.modules \
                and not isinstance(scope.node, _EXPR_SCOPES):
            # ``scope`` is a module, function or class: it cannot lie between ``node`` and a
            # lambda/comprehension above it (no statement nests in an expression), so the
            # nearest such ancestor, memoized per node, is the answer (else ``scope``)
            info = self.modules[name]
            found = self._nearest_expr_scope(info, node)
            if found is None or found is scope.node:
                return scope
            return info.scopes_by_node[found]
        info = self.module_of(scope)
        cur = node
        while cur is not None and cur is not scope.node:
            s = info.scopes_by_node.get(cur)
            if s is not None and isinstance(cur, (ast.Lambda, ast.ListComp, ast.SetComp,
                                                  ast.DictComp, ast.GeneratorExp)):
                return s
            cur = info.parents.get(cur)
        return scope

    def _nearest_expr_scope(self, info: ModuleInfo, node: ast.AST) -> ast.AST | None:
        """The nearest lambda/comprehension with a scope on ``node``'s parent chain
        (``node`` included), or None."""
        memo = self._expr_scope_memo.get(info.source.module)
        if memo is None:
            memo = self._expr_scope_memo[info.source.module] = {}
        path = []
        cur = node
        found = None
        while cur is not None:
            if cur in memo:
                found = memo[cur]
                break
            if isinstance(cur, _EXPR_SCOPES) and cur in info.scopes_by_node:
                found = cur
                break
            path.append(cur)
            cur = info.parents.get(cur)
        for n in path:
            memo[n] = found
        return found

    def parent(self, scope: Scope, node: ast.AST) -> ast.AST | None:
        return self.module_of(scope).parents.get(node)
