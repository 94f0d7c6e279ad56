"""F2Q106: CLI commands keep their app context.

Flask pushes an app context for every app command (flask/cli.py:420); Quart's
``AppGroup.command`` only does with ``with_appcontext=True`` (quart/cli.py:318-330), and a
bare ``@app.cli.command`` (no call) does not even register the function in Quart.
Plain click commands added with ``app.cli.add_command`` get ``@with_appcontext``.

Bridge projects (an extension stays on ``flask2quart.bridge``, so the app class is the bridge's
``Quart``): the bridge's ``app.cli`` gives every command looked up on it, blueprint commands
included, an app context as Flask does (``flask2quart/bridge/_cli.py``, ``BridgeAppGroup``).
Quart's ``with_appcontext`` would call ``asyncio.run`` inside that bridged context (and fails when
a test invokes the CLI from async code), so click commands get no decorator and blueprint
commands no ``with_appcontext=True``; ``app.cli.command(...)`` keeps the keyword (the bridge's
group accepts it) and a bare ``@app.cli.command``/``@bp.cli.command`` still gets its call.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.extensions import uses_bridge
from flask2quart.catalogue import Kind
from flask2quart.rules import Example, rule


@rule(
    "F2Q106", "cli-with-appcontext", 1,
    "App CLI commands get `with_appcontext=True` (Quart does not push an app context by default)",
    examples=(Example(
        "@app.cli.command('seed')\ndef seed():\n    db.seed()\n",
        "@app.cli.command('seed', with_appcontext=True)\ndef seed():\n    db.seed()\n",
    ),),
)
class CliWithAppContext(Rule):
    """Adds ``with_appcontext=True`` to ``app.cli.command``/``bp.cli.command`` and
    ``@with_appcontext`` (from ``quart.cli``) to click commands registered on ``app.cli``."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        facts, index = ctx.facts, ctx.index
        bridge = uses_bridge(index)
        for scope in ctx.functions():
            deco = facts.cli_commands.get(scope)
            if deco is not None:
                if bridge and _on_blueprint_cli(ctx, scope, deco):
                    if not isinstance(deco, ast.Call):  # bare form: Quart's group needs the call
                        yield E.Replace(self.info.code, ctx.span(deco), "{d}()", (("d", ctx.span(deco)),))
                    continue
                if isinstance(deco, ast.Call):
                    if not any(k.arg == C.CLI_WITH_APPCONTEXT_KWARG for k in deco.keywords):
                        yield E.AddKeyword(self.info.code, ctx.span(deco), C.CLI_WITH_APPCONTEXT_KWARG, "True")
                else:
                    yield E.Replace(self.info.code, ctx.span(deco),
                                    "{d}(" + C.CLI_WITH_APPCONTEXT_KWARG + "=True)",
                                    (("d", ctx.span(deco)),))
            elif bridge:
                continue  # the bridge's app.cli pushes the app context (module docstring)
            elif scope in facts.click_commands_registered and "click" in facts.roles.get(scope, ()):
                outer = scope.parent
                has = any(
                    C.canonical(index.qualify(d.func if isinstance(d, ast.Call) else d, outer))
                    == C.CLI_WITH_APPCONTEXT
                    for d in scope.node.decorator_list
                )
                if not has:
                    module, name = C.CLI_WITH_APPCONTEXT_IMPORT
                    b = ctx.module.scope.bindings.get(name)
                    if b is None or (b.kind == "import" and C.canonical(b.target) == C.CLI_WITH_APPCONTEXT):
                        yield E.AddDecorator(self.info.code, scope.node.lineno, scope.name, name)
                        yield E.AddImport(self.info.code, module, name)
                    else:  # the name is taken: use the dotted form
                        yield E.AddDecorator(self.info.code, scope.node.lineno, scope.name, f"{module}.{name}")
                        yield E.AddImport(self.info.code, module)


def _on_blueprint_cli(ctx: RuleContext, scope, deco: ast.expr) -> bool:
    """``bp.cli.command`` (a Quart ``AppGroup``), not the app's own ``cli``."""
    target = deco.func if isinstance(deco, ast.Call) else deco
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute)
            and target.value.attr == C.CLI_ATTR):
        return False
    return ctx.index.kind(target.value.value, scope.parent) is Kind.BLUEPRINT
