"""F2Q149: ``app.wsgi_app = ProxyFix(app.wsgi_app, …)`` → hypercorn's ProxyFixMiddleware.

Quart apps have no ``wsgi_app``; the ASGI counterpart wraps ``app.asgi_app``
(``hypercorn.middleware.ProxyFixMiddleware(app, mode="legacy", trusted_hops=N)``, hypercorn
0.18.0). Hypercorn's legacy mode reads the N-th last value of X-Forwarded-For, -Proto and -Host
with one ``trusted_hops`` and never reads X-Forwarded-Port/-Prefix, so the rewrite is exact only
for ``x_for == x_proto == x_host == N`` and ``x_port == x_prefix == 0``; any other literal
combination is rewritten with ``trusted_hops = x_for`` and marked. Non-literal arguments: marked.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.catalogue import Kind
from flask2quart.catalogue import project as P
from flask2quart.rules import Example, marker, rule

PROXY_FIX_INEXACT = marker(
    "F2Q166", "proxy-fix-inexact", 1,
    "hypercorn's ProxyFixMiddleware trusts X-Forwarded-For/-Proto/-Host alike",
    "Check which X-Forwarded-* headers your proxy sets and strips; hypercorn never reads "
    "X-Forwarded-Port/-Prefix (set root_path instead).",
)
_ORDER = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


@rule(
    "F2Q149", "proxy-fix", 1,
    "app.wsgi_app = ProxyFix(app.wsgi_app, ...) becomes hypercorn's ProxyFixMiddleware on "
    "app.asgi_app",
    examples=(Example(
        "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)\n",
        'app.asgi_app = ProxyFixMiddleware(app.asgi_app, mode="legacy", trusted_hops=1)\n'),),
)
class ProxyFixRule(Rule):
    """Only the assignment statement shape; the werkzeug import stays (werkzeug ships with Quart)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        for scope in ctx.scopes():
            for node in index.own_nodes(scope):
                if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                        and isinstance(node.value, ast.Call)):
                    continue
                target, call = node.targets[0], node.value
                ev = ctx.eval_scope(scope, node)
                if index.qualify(call.func, ev) != P.PROXY_FIX:
                    continue
                if not (isinstance(target, ast.Attribute) and target.attr == P.WSGI_APP_ATTR
                        and index.kind(target.value, ev) is Kind.APP and call.args
                        and ast.unparse(call.args[0]) == ast.unparse(target)):
                    yield E.Marker(PROXY_FIX_INEXACT.code, node.lineno,
                                   "ProxyFix outside `app.wsgi_app = ProxyFix(app.wsgi_app, ...)`: "
                                   "wrap app.asgi_app in hypercorn.middleware.ProxyFixMiddleware")
                    continue
                values = dict(P.PROXY_FIX_DEFAULTS)
                literal = True
                for name, arg in zip(_ORDER, call.args[1:]):
                    values[name] = arg
                for kw in call.keywords:
                    values[kw.arg] = kw.value
                for name in list(values):
                    v = values[name]
                    if isinstance(v, ast.Constant) and type(v.value) is int:
                        values[name] = v.value
                    elif isinstance(v, ast.AST) or name not in _ORDER:
                        literal = False
                if not literal or len(call.args) > 6:
                    yield E.Marker(PROXY_FIX_INEXACT.code, node.lineno,
                                   "ProxyFix with non-literal arguments: rewrite to "
                                   "`app.asgi_app = ProxyFixMiddleware(app.asgi_app, "
                                   "mode=\"legacy\", trusted_hops=N)` by hand")
                    continue
                hops = values["x_for"] or max(values["x_proto"], values["x_host"])
                notes = []
                if any(values[k] != hops for k in P.PROXY_FIX_SHARED):
                    notes.append(
                        f"werkzeug trusted x_for={values['x_for']}, x_proto={values['x_proto']}, "
                        f"x_host={values['x_host']}; hypercorn trusts X-Forwarded-For, -Proto "
                        f"and -Host at {hops} hop(s) alike")
                for k in P.PROXY_FIX_UNSUPPORTED:
                    if values[k]:
                        notes.append(f"{k}={values[k]} has no hypercorn counterpart")
                if notes:
                    yield E.Marker(PROXY_FIX_INEXACT.code, node.lineno, "; ".join(notes))
                if hops < 1:
                    continue
                module, name = P.PROXY_FIX_MIDDLEWARE
                yield E.AddImport(self.info.code, module, name)
                yield E.ReplaceStatement(self.info.code, node.lineno,
                                         P.PROXY_FIX_TEMPLATE.replace("{hops}", str(hops)),
                                         (("app", ctx.span(target.value)),))
