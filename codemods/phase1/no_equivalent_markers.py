"""F2Q150: markers for code with no safe automatic Quart form (catalogue.project §6).

* a class deriving from Flask's ``SessionInterface`` that overrides ``open_session``,
  ``save_session`` or ``make_null_session`` with a plain ``def``: Quart awaits all three
  (quart/sessions.py) — F2Q167;
* ``get_template_attribute``: Quart's Jinja environment is async, so the template's ``.module``
  raises RuntimeError (checked on 0.22.0 and 0.23.1) — F2Q168.

Flask-SocketIO / Flask-RESTful / Flask-RESTX / flask-smorest imports are marked by the extension
rule (``codemods/phase1/ext_bridge.py``, verdict "person", advice from catalogue.extensions).
"""

from __future__ import annotations

import ast
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.catalogue import project as P
from flask2quart.rules import marker, rule

SYNC_SESSION_INTERFACE = marker(
    "F2Q167", "sync-session-interface", 1,
    "A custom SessionInterface overrides methods Quart awaits", P.SESSION_INTERFACE_ADVICE,
)
TEMPLATE_ATTRIBUTE = marker(
    "F2Q168", "get-template-attribute", 1,
    "get_template_attribute does not work with Quart's async Jinja environment",
    P.GET_TEMPLATE_ATTRIBUTE_ADVICE,
)


@rule(
    "F2Q150", "no-equivalent-markers", 1,
    "Mark custom sync SessionInterface subclasses and get_template_attribute calls",
    safe=False,
)
class NoEquivalentMarkers(Rule):
    """Markers only; the code is left as it is."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        index = ctx.index
        for scope in ctx.scopes():
            for node in index.own_nodes(scope):
                if not isinstance(node, (ast.ClassDef, ast.Call)):
                    continue  # only classes and calls are looked at below
                ev = ctx.eval_scope(scope, node)
                if isinstance(node, ast.ClassDef) and any(
                        C.canonical(index.qualify(b, ev)) == P.SESSION_INTERFACE
                        or (C.canonical(index.qualify(b, ev)) or "").endswith(
                            ".SecureCookieSessionInterface")
                        for b in node.bases):
                    sync = [f.name for f in node.body if isinstance(f, ast.FunctionDef)
                            and f.name in P.SESSION_INTERFACE_SYNC_METHODS]
                    if sync:
                        yield E.Marker(SYNC_SESSION_INTERFACE.code, node.lineno,
                                       f"{node.name}: {', '.join(sync)} must be `async def` in "
                                       f"Quart; {P.SESSION_INTERFACE_ADVICE}")
                elif isinstance(node, ast.Call) and index.canonical(
                        node.func, ev) == P.GET_TEMPLATE_ATTRIBUTE:
                    yield E.Marker(TEMPLATE_ATTRIBUTE.code, node.lineno,
                                   P.GET_TEMPLATE_ATTRIBUTE_ADVICE)
