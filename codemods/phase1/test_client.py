"""F2Q120-F2Q123: Flask test-client calls → Quart test-client calls.

Facts: ``catalogue`` section 6 (quart/testing/client.py:72-90 ``open`` signature,
testing/utils.py:38-75 ``query_string`` is a dict, :112-115 ``data=dict`` sends an empty body,
client.py:279,313 cookie signatures). The ``await`` itself is added by F2Q102 (the request
methods are in ``AWAITABLE_MEMBERS[Kind.TEST_CLIENT]``).
"""

from __future__ import annotations

import ast
from typing import Iterable
from urllib.parse import parse_qsl

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.analysis.index import Scope
from flask2quart.catalogue import Kind
from flask2quart.rules import Example, marker, rule

NO_EQUIVALENT_KEYWORD = marker(
    "F2Q180", "test-client-keyword-without-equivalent", 1,
    "A Flask test-client keyword with no Quart spelling (environ_base, base_url, ...)",
    "Quart's client has no WSGI environ: use `scope_base=`, `headers=`, `scheme=` or `subdomain=`.",
)
DYNAMIC_QUERY_STRING = marker(
    "F2Q182", "test-client-query-string-not-dict", 1,
    "`query_string=` is not a literal: Quart needs a dict (a str raises TypeError)",
    "Pass a dict (`dict(urllib.parse.parse_qsl(qs))`) or move the query into the path.",
)
DYNAMIC_COOKIE = marker(
    "F2Q184", "test-client-cookie-call", 1,
    "A test-client cookie call the tool could not port",
    "Quart: `client.set_cookie(server_name, key, value)`, `client.delete_cookie(server_name, key)`; "
    "no `get_cookie`: iterate `client.cookie_jar`.",
)


def _client_call(ctx: RuleContext, scope: Scope, node: ast.AST, methods) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in methods
            and ctx.index.kind(node.func.value, ctx.eval_scope(scope, node)) is Kind.TEST_CLIENT)


def _seg(ctx: RuleContext, node: ast.AST) -> str:
    return ast.get_source_segment(ctx.source.text, node) or ""


def _is_file_tuple(v: ast.expr) -> bool:
    """``(fileobj, "name")`` / ``(fileobj, "name", "type")``: not a plain value tuple."""
    return (isinstance(v, ast.Tuple) and 2 <= len(v.elts) <= 3
            and not (isinstance(v.elts[0], ast.Constant) and isinstance(v.elts[0].value, (str, bytes))))


def _dict_value(ctx: RuleContext, scope: Scope, v: ast.expr) -> ast.Dict | None:
    """The dict literal an argument is (or a local bound once to one)."""
    if isinstance(v, ast.Dict):
        return v
    if isinstance(v, ast.Name):
        found = ctx.index.lookup(v.id, scope)
        if found and found[1].kind == "assign" and len(found[1].values) == 1 \
                and isinstance(found[1].values[0], ast.Dict):
            return found[1].values[0]
    return None


class _Call:
    """Rebuild a call's argument list as source with placeholders."""

    def __init__(self, ctx: RuleContext, call: ast.Call):
        self.ctx, self.call = ctx, call
        self.subs: list[tuple[str, E.Span]] = []
        self.parts: list[str] = []

    def sub(self, node: ast.AST) -> str:
        name = f"a{len(self.subs)}"
        self.subs.append((name, self.ctx.span(node)))
        return "{" + name + "}"

    def replace(self, code: str) -> E.Replace:
        tmpl = self.sub(self.call.func) + "(" + ", ".join(self.parts) + ")"
        return E.Replace(code, self.ctx.span(self.call), tmpl, tuple(self.subs))


def _portable_get_cookie(ctx: RuleContext, scope: Scope, node: ast.AST) -> bool:
    """``client.get_cookie(key)`` that F2Q123 rewrites to a ``cookie_jar`` lookup."""
    return (_client_call(ctx, scope, node, {C.TEST_GET_COOKIE})
            and not any(isinstance(a, ast.Starred) for a in node.args)
            and all(kw.arg is not None for kw in node.keywords)
            and (bool(node.args) or any(kw.arg == "key" for kw in node.keywords)))


def _is_got_cookie(ctx: RuleContext, scope: Scope, v: ast.expr) -> bool:
    """``v`` is provably the result of a ported ``get_cookie``: the call itself, or a local
    assigned once, from such a call."""
    if _portable_get_cookie(ctx, scope, v):
        return True
    if isinstance(v, ast.Name):
        found = ctx.index.lookup(v.id, scope)
        if found and found[1].kind == "assign" and len(found[1].values) == 1:
            return _portable_get_cookie(ctx, found[0], found[1].values[0])
    return False


def _lit(s: str) -> str:
    return repr(s).replace("{", "{{").replace("}", "}}")


@rule(
    "F2Q120", "test-client-request-keywords", 1,
    "Test-client requests: `data=dict` → `form=`, file tuples → `files=` (FileStorage), "
    "`content_type=` → headers, `query_string` str → dict, `open(path, method)` → keyword",
    examples=(Example(
        "def test_x(client):\n    client.post('/p', data={'a': '1'}, content_type='text/plain')\n",
        "async def test_x(client):\n    await client.post('/p', form={'a': '1'}, headers={'Content-Type': 'text/plain'})\n",
    ),),
)
class TestClientRequests(Rule):
    """Rewrites the arguments of every test-client request call (found through the kinds:
    ``app.test_client()``, fixtures returning it, ``self.client`` attributes)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        for scope in ctx.functions():
            for node in ctx.index.own_nodes(scope):
                if _client_call(ctx, scope, node, C.TEST_CLIENT_REQUEST_METHODS):
                    yield from self._call(ctx, ctx.eval_scope(scope, node), node)
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and node.func.attr == C.TEST_REQUEST_CONTEXT_METHOD
                      and ctx.index.kind(node.func.value, ctx.eval_scope(scope, node)) is Kind.APP):
                    # app.test_request_context(path, data=..., ...): same body keywords
                    yield from self._call(ctx, ctx.eval_scope(scope, node), node)

        yield from _parametrized_request_kwargs(self.info.code, ctx)

    def _call(self, ctx: RuleContext, scope: Scope, call: ast.Call) -> Iterable[E.Edit]:
        b = _Call(ctx, call)
        changed = False
        needs_filestorage = False
        for i, a in enumerate(call.args):
            if i == 1 and call.func.attr == "open" and not isinstance(a, ast.Starred):
                b.parts.append("method=" + b.sub(a))
                changed = True
            else:
                b.parts.append(b.sub(a))
        kws = {kw.arg: kw for kw in call.keywords if kw.arg}
        content_type = kws.get(C.TEST_CONTENT_TYPE_KEYWORD)
        for kw in call.keywords:
            if kw.arg is None:
                b.parts.append("**" + b.sub(kw.value))
                continue
            if kw.arg in C.TEST_NO_EQUIVALENT_KEYWORDS:
                yield E.Marker(NO_EQUIVALENT_KEYWORD.code, call.lineno,
                               f"`{kw.arg}=`: {C.TEST_NO_EQUIVALENT_KEYWORDS[kw.arg]}")
            if kw is content_type:
                changed = True
                continue
            if kw.arg == "headers" and content_type is not None:
                b.parts.append("headers={{**" + b.sub(kw.value) + ", "
                               + _lit(C.TEST_CONTENT_TYPE_HEADER) + ": " + b.sub(content_type.value) + "}}")
                continue
            if kw.arg == C.TEST_FORM_KEYWORD[0]:
                d = _dict_value(ctx, scope, kw.value)
                is_dict_call = (isinstance(kw.value, ast.Call) and isinstance(kw.value.func, ast.Name)
                                and ctx.index.qualify(kw.value.func, scope) == "builtins.dict")
                if (d is not None and isinstance(kw.value, ast.Dict)
                        and call.func.attr == C.TEST_REQUEST_CONTEXT_METHOD
                        and any(_is_file_tuple(v) for v in d.values)):
                    yield E.Marker(NO_EQUIVALENT_KEYWORD.code, call.lineno,
                                   "Quart's test_request_context has no `files=`: use the test client")
                    b.parts.append(f"{kw.arg}=" + b.sub(kw.value))
                    continue
                elif d is not None and isinstance(kw.value, ast.Dict) and any(
                        _is_file_tuple(v) for v in d.values):
                    form, files = [], []
                    for k, v in zip(d.keys, d.values):
                        if k is None:
                            form.append("**" + b.sub(v))
                        elif _is_file_tuple(v):
                            args = [b.sub(v.elts[0]), "filename=" + b.sub(v.elts[1])]
                            if len(v.elts) == 3:
                                args.append("content_type=" + b.sub(v.elts[2]))
                            files.append(b.sub(k) + ": FileStorage(" + ", ".join(args) + ")")
                        else:
                            form.append(b.sub(k) + ": " + b.sub(v))
                    b.parts.append(C.TEST_FILES_KEYWORD + "={{" + ", ".join(files) + "}}")
                    if form:
                        b.parts.append(C.TEST_FORM_KEYWORD[1] + "={{" + ", ".join(form) + "}}")
                    needs_filestorage = changed = True
                    continue
                if (isinstance(kw.value, ast.Dict) and None not in kw.value.keys
                        and any(isinstance(v, (ast.List, ast.Tuple)) for v in kw.value.values)):
                    # several values for one field: Quart urlencodes `form` as given
                    # (testing/utils.py:146), a list of pairs keeps every value
                    pairs = []
                    for k, v in zip(kw.value.keys, kw.value.values):
                        vals = v.elts if isinstance(v, (ast.List, ast.Tuple)) else [v]
                        if any(isinstance(x, ast.Starred) for x in vals):
                            pairs = None
                            break
                        pairs.extend("(" + b.sub(k) + ", " + b.sub(x) + ")" for x in vals)
                    if pairs is not None:
                        b.parts.append(C.TEST_FORM_KEYWORD[1] + "=[" + ", ".join(pairs) + "]")
                        changed = True
                        continue
                if d is not None or is_dict_call:
                    b.parts.append(C.TEST_FORM_KEYWORD[1] + "=" + b.sub(kw.value))
                    changed = True
                    continue
            if kw.arg == C.TEST_QUERY_STRING_KEYWORD:
                v = kw.value
                if isinstance(v, ast.Constant) and isinstance(v.value, (str, bytes)):
                    raw = v.value.decode() if isinstance(v.value, bytes) else v.value
                    pairs: dict[str, list[str]] = {}
                    for k, val in parse_qsl(raw, keep_blank_values=True):
                        pairs.setdefault(k, []).append(val)
                    items = ", ".join(
                        f"{_lit(k)}: {_lit(vs[0]) if len(vs) == 1 else '[' + ', '.join(map(_lit, vs)) + ']'}"
                        for k, vs in pairs.items())
                    b.parts.append(f"query_string={{{{{items}}}}}")
                    changed = True
                    continue
                if not isinstance(v, (ast.Dict, ast.Call)) and _dict_value(ctx, scope, v) is None:
                    yield E.Marker(DYNAMIC_QUERY_STRING.code, call.lineno,
                                   "`query_string=` must be a dict in Quart")
            b.parts.append(f"{kw.arg}=" + b.sub(kw.value))
        if content_type is not None and "headers" not in kws:
            b.parts.append("headers={{" + _lit(C.TEST_CONTENT_TYPE_HEADER) + ": "
                           + b.sub(content_type.value) + "}}")
        if changed:
            yield b.replace(self.info.code)
        if needs_filestorage:
            yield E.AddImport(self.info.code, *C.FILESTORAGE_CLASS)


def _argnames(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [n.strip() for n in node.value.split(",") if n.strip()]
    if isinstance(node, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def _only_request_kwargs(ctx: RuleContext, scope: Scope, name: str) -> bool:
    """Every use of parameter ``name`` in the test is ``client.<request>(..., **name)``."""
    b = scope.bindings.get(name)
    if b is None or b.kind != "param":
        return False
    all_uses = [n for n in ast.walk(scope.node) if isinstance(n, ast.Name) and n.id == name]
    own = [n for n in ctx.index.own_nodes(scope) if isinstance(n, ast.Name) and n.id == name]
    if not own or len(own) != len(all_uses):
        return False
    for n in own:
        kw, call = ctx.parent(n), None
        if isinstance(kw, ast.keyword) and kw.arg is None:
            call = ctx.parent(kw)
        if call is None or not _client_call(ctx, scope, call, C.TEST_CLIENT_REQUEST_METHODS):
            return False
    return True


def _kwargs_dict(ctx: RuleContext, code: str, d: ast.Dict) -> Iterable[E.Edit]:
    """A literal ``{"content_type": ..., "data": {...}}`` of request keywords → Quart's."""
    keys = [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None for k in d.keys]
    if None in keys:
        yield E.Marker(NO_EQUIVALENT_KEYWORD.code, d.lineno,
                       "parametrized request keywords: a key the tool cannot read; port them by hand")
        return
    for k in keys:
        if k in C.TEST_NO_EQUIVALENT_KEYWORDS:
            yield E.Marker(NO_EQUIVALENT_KEYWORD.code, d.lineno, f"`{k}=`: {C.TEST_NO_EQUIVALENT_KEYWORDS[k]}")
    vals = dict(zip(keys, d.values))
    ct = vals.get(C.TEST_CONTENT_TYPE_KEYWORD)
    data = vals.get(C.TEST_FORM_KEYWORD[0])
    port_data = isinstance(data, ast.Dict) and not any(_is_file_tuple(v) for v in data.values)
    if ct is None and not port_data:
        if isinstance(data, ast.Dict):
            yield E.Marker(NO_EQUIVALENT_KEYWORD.code, d.lineno,
                           "parametrized `data=` with files: Quart needs `files=` with FileStorage")
        return
    if ct is not None and "headers" in vals and not isinstance(vals["headers"], ast.Dict):
        yield E.Marker(NO_EQUIVALENT_KEYWORD.code, d.lineno,
                       "parametrized `content_type=` next to non-literal `headers=`: add a Content-Type header")
        return
    subs: list[tuple[str, E.Span]] = []

    def sub(node: ast.AST) -> str:
        subs.append((f"a{len(subs)}", ctx.span(node)))
        return "{" + subs[-1][0] + "}"

    parts = []
    for k, kn, v in zip(keys, d.keys, d.values):
        if k == C.TEST_CONTENT_TYPE_KEYWORD:
            continue
        if k == "headers" and ct is not None:
            parts.append(sub(kn) + ": {{**" + sub(v) + ", " + _lit(C.TEST_CONTENT_TYPE_HEADER) + ": " + sub(ct) + "}}")
        elif k == C.TEST_FORM_KEYWORD[0] and port_data:
            parts.append(_lit(C.TEST_FORM_KEYWORD[1]) + ": " + sub(v))
        else:
            parts.append(sub(kn) + ": " + sub(v))
    if ct is not None and "headers" not in vals:
        parts.append(_lit("headers") + ": {{" + _lit(C.TEST_CONTENT_TYPE_HEADER) + ": " + sub(ct) + "}}")
    yield E.Replace(code, ctx.span(d), "{{" + ", ".join(parts) + "}}", tuple(subs))


def _parametrized_request_kwargs(code: str, ctx: RuleContext) -> Iterable[E.Edit]:
    """``@pytest.mark.parametrize("kwargs, status", [({"data": "x", "content_type": ...}, 415)])``
    with ``client.post(path, **kwargs)``: the rows' dicts are request keywords (F2Q120)."""
    for scope in ctx.functions():
        outer = scope.parent
        for deco in scope.node.decorator_list:
            if not (isinstance(deco, ast.Call) and len(deco.args) >= 2
                    and ctx.index.qualify(deco.func, outer) == C.PYTEST_PARAMETRIZE
                    and not any(k.arg in ("indirect", None) for k in deco.keywords)):
                continue
            names = _argnames(deco.args[0])
            if not names:
                continue
            used = [i for i, n in enumerate(names) if _only_request_kwargs(ctx, scope, n)]
            for n in names:
                if n in (names[i] for i in used):
                    continue
                for node in ctx.index.own_nodes(scope):
                    if (_client_call(ctx, scope, node, C.TEST_CLIENT_REQUEST_METHODS)
                            and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == n
                                    for k in node.keywords)):
                        yield E.Marker(NO_EQUIVALENT_KEYWORD.code, node.lineno,
                                       f"`**{n}` comes from a parametrize list used for more than request "
                                       "keywords: check them against Quart's client (content_type → headers)")
            if not used:
                continue
            rows = deco.args[1]
            if not isinstance(rows, (ast.List, ast.Tuple)):
                yield E.Marker(NO_EQUIVALENT_KEYWORD.code, deco.lineno,
                               "parametrized request keywords are not a literal list: port them by hand")
                continue
            for row in rows.elts:
                if (isinstance(row, ast.Call) and ctx.index.qualify(row.func, outer) == C.PYTEST_PARAM
                        and not any(isinstance(a, ast.Starred) for a in row.args)):
                    values = row.args
                elif len(names) == 1:
                    values = [row]
                elif isinstance(row, (ast.Tuple, ast.List)) and not any(
                        isinstance(e, ast.Starred) for e in row.elts):
                    values = row.elts
                else:
                    values = []
                for i in used:
                    v = values[i] if i < len(values) else None
                    if isinstance(v, ast.Dict):
                        yield from _kwargs_dict(ctx, code, v)
                    else:
                        yield E.Marker(NO_EQUIVALENT_KEYWORD.code, getattr(row, "lineno", deco.lineno),
                                       f"parametrized `**{names[i]}` row is not a dict literal: "
                                       "check its keywords against Quart's client (content_type → headers)")


@rule(
    "F2Q123", "test-client-cookies", 1,
    "Test-client cookies: `set_cookie`/`delete_cookie` take the server name first; "
    "`get_cookie(k)` reads `client.cookie_jar` (and its `.http_only`/`.same_site`/`.key` the jar's spelling)",
    examples=(Example(
        "def test_c(client):\n    client.set_cookie('theme', 'dark')\n",
        "def test_c(client):\n    client.set_cookie('localhost', 'theme', 'dark')\n",
    ),),
)
class TestClientCookies(Rule):
    """Flask: ``set_cookie(key, value, domain='localhost')``; Quart:
    ``set_cookie(server_name, key, value)`` (testing/client.py:279). Quart has no ``get_cookie``."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        methods = C.TEST_COOKIE_METHODS | {C.TEST_GET_COOKIE}
        for scope in ctx.functions():
            for node in ctx.index.own_nodes(scope):
                if _client_call(ctx, scope, node, methods):
                    yield from self._call(ctx, node)
                elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                      and (node.attr in C.TEST_COOKIE_ATTRS or node.attr in C.TEST_COOKIE_ATTRS_DIFFERENT)
                      and _is_got_cookie(ctx, ctx.eval_scope(scope, node), node.value)):
                    yield from self._attr(ctx, node)

    def _attr(self, ctx: RuleContext, node: ast.Attribute) -> Iterable[E.Edit]:
        """``cookie.http_only`` on a ``get_cookie`` result → the ``http.cookiejar.Cookie`` spelling."""
        if node.attr in C.TEST_COOKIE_ATTRS_DIFFERENT:
            yield E.Marker(DYNAMIC_COOKIE.code, node.lineno,
                           f"`.{node.attr}` of a cookie: {C.TEST_COOKIE_ATTRS_DIFFERENT[node.attr]}")
            return
        yield E.Replace(self.info.code, ctx.span(node), C.TEST_COOKIE_ATTRS[node.attr].replace("{c}", "{v}"),
                        (("v", ctx.span(node.value)),))

    def _call(self, ctx: RuleContext, call: ast.Call) -> Iterable[E.Edit]:
        attr = call.func.attr
        args, kws = call.args, {kw.arg: kw for kw in call.keywords}
        if any(isinstance(a, ast.Starred) for a in args) or None in kws:
            yield E.Marker(DYNAMIC_COOKIE.code, call.lineno, f"`{attr}(...)`: check the signature")
            return
        server = C.TEST_COOKIE_SERVER_NAME
        first = args[0] if args else None
        if (attr != C.TEST_GET_COOKIE and isinstance(first, ast.Constant) and first.value == server
                and len(args) >= 2):
            return  # already Quart's form
        b = _Call(ctx, call)
        key = first if first is not None else (kws["key"].value if "key" in kws else None)
        if key is None:
            yield E.Marker(DYNAMIC_COOKIE.code, call.lineno, f"`{attr}(...)` without a key")
            return
        domain = kws.get("domain")
        server_src = b.sub(domain.value) if domain is not None else _lit(server)
        if attr == C.TEST_GET_COOKIE:
            tmpl = ("next((c for c in " + b.sub(call.func.value) + ".cookie_jar if c.name == "
                    + b.sub(key) + "), None)")
            yield E.Replace(self.info.code, ctx.span(call), tmpl, tuple(b.subs))
            return
        b.parts.append(server_src)
        b.parts.append(b.sub(key))
        for a in args[1:]:
            b.parts.append(b.sub(a))
        for kw in call.keywords:
            if kw.arg in ("domain", "key", "origin_only"):
                continue
            b.parts.append(f"{kw.arg}=" + b.sub(kw.value))
        yield b.replace(self.info.code)
