"""F2Q148: ``app.run(...)`` keyword differences (catalogue.project §4).

Flask's ``run(host, port, debug, load_dotenv, **options)`` passes options to werkzeug's
``run_simple``; Quart's ``run(host, port, debug, use_reloader, loop, ca_certs, certfile, keyfile,
**kwargs)`` only warns about unknown keywords (quart/app.py, 0.22.0 and 0.23.1). The rule:
``ssl_context=(cert, key)`` → ``certfile=cert, keyfile=key``; werkzeug-only keywords are removed
(Quart would ignore them) and marked; Flask's reloader follows ``debug`` while Quart's defaults
to on, so ``use_reloader=`` is passed explicitly when ``debug`` is not literally ``True``.
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import edits as E
from flask2quart.catalogue import Kind
from flask2quart.catalogue import project as P
from flask2quart.rules import Example, marker, rule

APP_RUN_MANUAL = marker(
    "F2Q165", "app-run-manual", 1,
    "An app.run argument has no Quart counterpart",
    "Removed keywords only configured werkzeug's dev server; see the marker's advice. Calls "
    "with more than three positional arguments or **kwargs are left unchanged.",
)


@rule(
    "F2Q148", "app-run-arguments", 1,
    "Translate app.run() keywords to Quart's signature (ssl_context, werkzeug-only options, "
    "reloader default)",
    examples=(Example("app.run(host='0.0.0.0', threaded=True, ssl_context=('c.pem', 'k.pem'))\n",
                      "app.run(host='0.0.0.0', certfile='c.pem', keyfile='k.pem', use_reloader=False)\n"),),
)
class AppRunArguments(Rule):
    """Rebuilds the call from its own argument sources (other arguments keep their text)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        for scope in ctx.scopes():
            for node in index.own_nodes(scope):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == P.APP_RUN):
                    continue
                if index.kind(node.func.value, ctx.eval_scope(scope, node)) is not Kind.APP:
                    continue
                yield from self._call(ctx, node)

    def _call(self, ctx: RuleContext, node: ast.Call):
        if len(node.args) > P.APP_RUN_SAFE_POSITIONAL or any(
                isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords):
            yield E.Marker(APP_RUN_MANUAL.code, node.lineno,
                           "app.run with a 4th positional argument, *args or **kwargs: Flask's 4th "
                           "is load_dotenv, Quart's is use_reloader; check by hand")
            return
        parts = [f"{{a{i}}}" for i in range(len(node.args))]
        subs = [(f"a{i}", ctx.span(a)) for i, a in enumerate(node.args)]
        notes, changed = [], False
        kws = {k.arg: k for k in node.keywords}
        for i, kw in enumerate(node.keywords):
            if kw.arg == P.APP_RUN_SSL:
                v = kw.value
                if isinstance(v, ast.Tuple) and len(v.elts) == 2:
                    for name, elt, j in zip(P.APP_RUN_CERT_KEY, v.elts, (0, 1)):
                        parts.append(f"{name}={{s{j}}}")
                        subs.append((f"s{j}", ctx.span(elt)))
                else:
                    notes.append("ssl_context: pass certfile=/keyfile= (an SSLContext or 'adhoc' "
                                 "has no Quart form)")
                changed = True
                continue
            if kw.arg in P.APP_RUN_DROPPED:
                notes.append(f"{kw.arg}= removed: {P.APP_RUN_DROPPED[kw.arg]}")
                changed = True
                continue
            parts.append(f"{kw.arg}={{k{i}}}")
            subs.append((f"k{i}", ctx.span(kw.value)))
        if P.APP_RUN_RELOADER not in kws:
            debug = kws["debug"].value if "debug" in kws else (
                node.args[2] if len(node.args) > 2 else None)
            if debug is None or (isinstance(debug, ast.Constant) and debug.value in (False, None)):
                parts.append(f"{P.APP_RUN_RELOADER}=False")
                changed = True
            elif isinstance(debug, ast.Constant) and debug.value is True:
                pass
            elif isinstance(debug, (ast.Name, ast.Attribute, ast.Constant)):
                parts.append(f"{P.APP_RUN_RELOADER}={{rl}}")
                subs.append(("rl", ctx.span(debug)))
                changed = True
            else:
                notes.append("Flask's reloader follows debug, Quart's defaults to on: pass "
                             "use_reloader= explicitly")
        if notes:
            yield E.Marker(APP_RUN_MANUAL.code, node.lineno, "; ".join(notes))
        if changed:
            subs.append(("func", ctx.span(node.func)))
            yield E.Replace(self.info.code, ctx.span(node), "{func}(" + ", ".join(parts) + ")",
                            tuple(subs))
