"""F2Q131: Flask-WTF → quart-wtforms (``quart_wtf``).

``FlaskForm`` → ``QuartForm``, ``CSRFProtect``/``CSRFError``/file fields from ``quart_wtf``;
a form built in a view, ``F(obj=x)``, becomes ``await F.create_form(obj=x)`` (QuartForm reads
the request body, a coroutine in Quart, only there); ``form.validate_on_submit()`` and
``form.validate()`` are awaited (coroutines on QuartForm). Async propagates to the helpers that
build or validate forms (await-site provider).

The swap is all-or-nothing per project (:func:`flask2quart.analysis.extensions.swap_applies`):
one use the rule cannot rewrite safely — an explicit ``formdata``, a form built outside a
function or in tests, ``validate_on_submit()`` on an object not known to be a form (an
un-awaited coroutine is always true: a silent security hole), a form class overriding
``validate``, a Flask-WTF name quart_wtf lacks — keeps Flask-WTF on flask2quart.bridge, listed
by F2Q170 with the reason. Facts: ``catalogue/extensions.py`` (WTF_*).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable

from codemods.base import Rule, RuleContext, await_site_provider
from flask2quart import edits as E
from flask2quart.analysis import extensions as AX
from flask2quart.analysis.facts import AwaitSite, ProjectFacts
from flask2quart.analysis.index import FuncNode, ProjectIndex, Scope
from flask2quart.catalogue import extensions as X
from flask2quart.rules import Example, rule

FLASK_MODULE = "flask_wtf"
CODE = "F2Q131"


@dataclass
class _Plan:
    uses: list[AX.ExtensionUse] = field(default_factory=list)
    imports: dict[str, list[tuple[ast.ImportFrom, tuple[tuple[str, str], ...]]]] = \
        field(default_factory=dict)
    renames: dict[str, list[tuple[ast.Name, str]]] = field(default_factory=dict)
    form_calls: dict[str, list[ast.Call]] = field(default_factory=dict)
    sites: dict[Scope, list[tuple[ast.expr, str]]] = field(default_factory=dict)


def _build(index: ProjectIndex) -> _Plan:
    plan = _Plan()

    def use(module: str, node: ast.AST, qual: str, why: str = "") -> None:
        plan.uses.append(AX.ExtensionUse(module, getattr(node, "lineno", 0), qual, not why, why))

    # imports
    for imp in AX.extension_imports(index):
        if imp.flask_module != FLASK_MODULE:
            continue
        node = imp.node
        if not isinstance(node, ast.ImportFrom):
            use(imp.module, node, FLASK_MODULE, "`import flask_wtf` (module attribute use)")
            continue
        names = []
        for a in node.names:
            qual = f"{node.module}.{a.name}"
            new = X.WTF_NAMES.get(qual)
            if new is None:
                use(imp.module, node, qual, f"`{qual}` has no quart_wtf counterpart")
                continue
            use(imp.module, node, qual)
            if new != a.name:
                names.append((a.name, new))
        plan.imports.setdefault(imp.module, []).append((node, tuple(names)))

    # references to Flask-WTF names
    for ref in AX.references(index, FLASK_MODULE):
        new = X.WTF_NAMES.get(ref.qualname)
        if new is None or not isinstance(ref.node, ast.Name):
            use(ref.module, ref.node, ref.qualname,
                f"`{ref.qualname}` has no quart_wtf counterpart" if new is None
                else "attribute access on the flask_wtf module")
            continue
        use(ref.module, ref.node, ref.qualname)
        if ref.node.id == ref.qualname.rsplit(".", 1)[1] and new != ref.node.id:
            plan.renames.setdefault(ref.module, []).append((ref.node, new))

    forms = _form_classes(index)
    if not forms and not plan.uses:
        return plan
    for qual in forms:
        cls = index.classes[qual]
        for stmt in cls.node.body:
            if isinstance(stmt, FuncNode) and stmt.name in (X.WTF_ASYNC_METHODS
                                                           | X.WTF_CHANGED_METHODS):
                use(cls.module.module, stmt, qual,
                    f"form class `{cls.name}` overrides `{stmt.name}` (a coroutine on QuartForm)")

    # constructor calls and async method calls, everywhere in the project
    for modname, info in index.modules.items():
        mentions_forms = any(u.module == modname for u in plan.uses)
        stack = [info.scope]
        while stack:
            scope = stack.pop()
            stack.extend(scope.children)
            for node in index.own_nodes(scope):
                if not isinstance(node, ast.Call):
                    continue
                ev = index.innermost_scope(scope, node)
                target = index.qualify(node.func, ev)
                if target in forms or target in X.WTF_FORM_BASES:
                    mentions_forms = True
                    why = _call_problem(node, scope, ev, modname)
                    use(modname, node, f"{target}()", why)
                    if not why:
                        plan.form_calls.setdefault(modname, []).append(node)
                        plan.sites.setdefault(scope, []).append((node, f"{target}.create_form()"))
                    continue
                if not isinstance(node.func, ast.Attribute):
                    continue
                attr = node.func.attr
                if attr not in X.WTF_ASYNC_METHODS | X.WTF_CHANGED_METHODS:
                    continue
                is_form = _is_form_expr(index, node.func.value, ev, forms)
                if is_form and attr in X.WTF_ASYNC_METHODS:
                    use(modname, node, f"form.{attr}()")
                    plan.sites.setdefault(scope, []).append((node, f"QuartForm.{attr}()"))
                elif is_form or attr == "validate_on_submit" or attr == "is_submitted" \
                        and mentions_forms:
                    use(modname, node, f"form.{attr}()",
                        f"`.{attr}()` on an object not known to be a form" if not is_form
                        else f"`form.{attr}()` is a property on QuartForm")
    # a module that mentions forms and calls .validate() on something unknown
    for modname, info in index.modules.items():
        if not any(u.module == modname for u in plan.uses):
            continue
        for node in index.walk(info.source.tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "validate"
                    and not any(s[0] is node for ss in plan.sites.values() for s in ss)):
                use(modname, node, "form.validate()",
                    "`.validate()` on an object not known to be a form")
    return plan


_plan = AX.per_index(_build)


def _form_classes(index: ProjectIndex) -> set[str]:
    """Project classes deriving (directly or not) from FlaskForm."""
    forms: set[str] = set()
    changed = True
    while changed:
        changed = False
        for qual, cls in index.classes.items():
            if qual in forms or cls.parent is None:
                continue
            for base in cls.node.bases:
                b = index.qualify(base, cls.parent)
                if b in X.WTF_FORM_BASES or b in forms:
                    forms.add(qual)
                    changed = True
                    break
    return forms


def _call_problem(node: ast.Call, scope: Scope, ev: Scope, module: str) -> str:
    if scope.kind != "function" or ev is not scope:
        return "a form built outside a function body"
    if AX._is_test_module(module):
        return "a form built in test code"
    if node.args or any(k.arg is None or k.arg == X.WTF_FORMDATA for k in node.keywords):
        return "a form built with explicit formdata/positional arguments"
    return ""


def _is_form_expr(index: ProjectIndex, expr: ast.expr, scope: Scope, forms: set[str]) -> bool:
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Call):
        return index.qualify(expr.func, scope) in forms | X.WTF_FORM_BASES
    if isinstance(expr, ast.Name):
        found = index.lookup(expr.id, scope)
        if found is None or found[1].kind != "assign" or not found[1].values:
            return False
        return all(_is_form_expr(index, v, found[0], forms) for v in found[1].values
                   if not isinstance(v, ast.Name) or v.id != expr.id)
    return False


def _swapped(index: ProjectIndex) -> bool:
    return AX.swap_applies(index, FLASK_MODULE)


@AX.swap_analyser(FLASK_MODULE)
def analyse(index: ProjectIndex) -> list[AX.ExtensionUse]:
    return _plan(index).uses


@await_site_provider(1)
def wtf_sites(facts: ProjectFacts, scope: Scope) -> Iterable[AwaitSite]:
    index = facts.index
    if not AX.extension_imports(index) or not _swapped(index):
        return
    for node, reason in _plan(index).sites.get(scope, ()):
        yield AwaitSite(node, reason, CODE)


@rule(
    CODE, "flask-wtf-to-quart-wtf", 1,
    "Swap Flask-WTF for quart-wtforms: QuartForm, await F.create_form(), await validate_on_submit()",
    examples=(Example(
        "from flask_wtf import FlaskForm\n\nclass F(FlaskForm):\n    pass\n\n"
        "@app.route('/', methods=['GET', 'POST'])\ndef index():\n    form = F()\n"
        "    if form.validate_on_submit():\n        return 'ok'\n    return 'form'\n",
        "from quart_wtf import QuartForm\n\nclass F(QuartForm):\n    pass\n\n"
        "@app.route('/', methods=['GET', 'POST'])\nasync def index():\n"
        "    form = await F.create_form()\n"
        "    if await form.validate_on_submit():\n        return 'ok'\n    return 'form'\n",
    ),),
)
class FlaskWtfSwap(Rule):
    """Rewrites the imports, renames ``FlaskForm``, turns form construction in views into
    ``create_form`` (the await comes from the await-site provider, which also makes helpers
    async). Does nothing unless every use in the project can be swapped."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        mod = ctx.source.module
        if not AX.extension_imports(index) or not _swapped(index):
            return
        plan = _plan(index)
        for node, names in plan.imports.get(mod, ()):
            yield E.RewriteImport(CODE, node.lineno, ctx.source.lines.col(node.lineno, node.col_offset),
                                  X.WTF_MODULE, names)
        for node, new in plan.renames.get(mod, ()):
            yield E.Replace(CODE, ctx.span(node), new)
        for call in plan.form_calls.get(mod, ()):
            subs = [("f", ctx.span(call.func))]
            args = []
            for i, kw in enumerate(call.keywords):
                subs.append((f"a{i}", ctx.span(kw.value)))
                args.append(f"{kw.arg}={{a{i}}}")
            yield E.Replace(CODE, ctx.span(call), f"{{f}}.{X.WTF_CREATE}({', '.join(args)})",
                            tuple(subs))
