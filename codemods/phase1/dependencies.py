"""F2Q110 / F2Q145: the project's dependency declarations follow the code.

* ``flask`` → the Quart release(s) that fit the project's ``requires-python``
  (``catalogue.project.QUART_RELEASES``: 0.20.0 for Python 3.10 — unverified, marked —, 0.22.0 for
  3.11–3.12, 0.23.1 for ≥ 3.13, joined by environment markers; a project that declares no
  ``requires-python`` gets the verified 0.22.0/0.23.1 pair, ``catalogue.QUART_REQUIREMENT_LINES``);
* each extension swapped in this project (``analysis.extensions.extension_usage`` says "swap")
  → its Quart package (``catalogue.extensions.EXTENSIONS[...].quart_requirement``);
* ``hypercorn`` is added next to quart, and ``flask2quart`` (the bridge) when an extension stays on
  the bridge;
* setup.cfg ``[options.extras_require]`` / setup.py ``extras_require`` test extras get
  ``pytest-asyncio`` (F2Q125 covers requirements files and pyproject).

Files: ``requirements*.txt`` (also ``requirements/*.txt``), ``pyproject.toml`` (``[project]
dependencies``, ``[project.optional-dependencies]``, ``[dependency-groups]``), ``setup.cfg``
(``install_requires``/``tests_require``/extras) — text rule F2Q110 — and ``setup.py`` literal
lists — AST rule F2Q145. Pins, comments and layout of every other line are kept.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

from codemods.base import Rule, RuleContext
from flask2quart import catalogue as C
from flask2quart import edits as E
from flask2quart.catalogue import project as P
from flask2quart.rules import Example, marker, rule

UNVERIFIED_QUART = marker(
    "F2Q160", "quart-release-unverified", 1,
    "The project admits a Python for which only an unverified Quart release exists",
    "Quart 0.21+ needs Python 3.11 (0.23 needs 3.13); on Python 3.9/3.10 the newest Quart is "
    "0.20.0, which flask2quart's rewrites were not verified against. Raise requires-python to "
    ">=3.11 or test on 0.20.0.",
)
POETRY_MANUAL = marker(
    "F2Q161", "poetry-dependency-manual", 1,
    "A Poetry dependency table names flask: replace it by quart by hand",
    "Poetry tables ([tool.poetry.dependencies]) are not rewritten; use the requirement lines "
    "from docs/project-files.md.",
)

LOCKED_REQUIREMENT = marker(
    "F2Q169", "locked-requirement", 1,
    "A hashed (pip-compile --generate-hashes) requirement names flask: regenerate the lock",
    "Hashes cannot be rewritten; change the .in file (rewritten by F2Q110) and re-run "
    "pip-compile.",
)

_NAME = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<extras>\[[^\]]*\])?")


# ---------------------------------------------------------------------------
# what the project declares and uses
# ---------------------------------------------------------------------------

def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requires_python(root) -> str | None:
    """The project's declared Python range (pyproject, setup.cfg, setup.py), or None."""
    from pathlib import Path

    root = Path(root)
    try:
        text = (root / P.PYPROJECT).read_text("utf-8")
        m = re.search(r"""^\s*requires-python\s*=\s*["']([^"']+)["']""", text, re.M)
        if m:
            return m.group(1)
    except OSError:
        pass
    try:
        text = (root / P.SETUP_CFG).read_text("utf-8")
        m = re.search(r"^\s*python_requires\s*=\s*(.+?)\s*$", text, re.M)
        if m:
            return m.group(1)
    except OSError:
        pass
    try:
        tree = ast.parse((root / P.SETUP_PY).read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "python_requires" and isinstance(
                    node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    except (OSError, SyntaxError, ValueError):
        pass
    return None


def _admitted(spec: str | None) -> list[tuple[int, int]] | None:
    if spec is None:
        return None
    try:
        from packaging.specifiers import SpecifierSet

        ss = SpecifierSet(spec)
    except Exception:  # an unreadable spec: behave as if none was declared
        return None
    return [v for v in P.PYTHON_MINORS if ss.contains(f"{v[0]}.{v[1]}", prereleases=True)]


def quart_lines(spec: str | None) -> tuple[list[str], bool]:
    """(requirement lines, an unverified release is among them) for a requires-python spec."""
    admitted = _admitted(spec)
    if admitted is None:
        return list(C.QUART_REQUIREMENT_LINES), False
    chosen = [r for r in P.QUART_RELEASES
              if any(v >= r[1] and (r[2] is None or v < r[2]) for v in admitted)]
    if not chosen:  # e.g. Python 3.8 only: nothing installs; keep the verified pair
        return list(C.QUART_REQUIREMENT_LINES), False
    out = []
    for i, (req, low, high, _ok) in enumerate(chosen):
        conds = []
        if i > 0:
            conds.append(f'python_version >= "{low[0]}.{low[1]}"')
        if i < len(chosen) - 1 and high is not None:
            conds.append(f'python_version < "{high[0]}.{high[1]}"')
        out.append(f"{req}; {' and '.join(conds)}" if conds else req)
    return out, not all(r[3] for r in chosen)


class Plan:
    """What the dependency rules do in this project (computed once per run)."""

    def __init__(self, root=None, index=None):
        self.spec = requires_python(root) if root is not None else None
        self.quart, self.unverified = quart_lines(self.spec)
        self.swaps: dict[str, str] = {}   # normalised flask distribution → quart requirement
        self.drops: set[str] = set()      # normalised flask distributions a swap removes
        self.bridge: str | None = None
        if index is not None:
            try:  # lazily: the extension analysis loads every rule module
                from flask2quart.analysis import extensions as A
                from flask2quart.catalogue import extensions as X
                from flask2quart import __version__

                for mod, verdict in A.extension_usage(index).items():
                    fact = X.EXTENSIONS.get(mod)
                    if verdict == X.SWAP and fact and fact.quart_requirement:
                        self.swaps[_norm(fact.flask_distribution)] = fact.quart_requirement
                    elif verdict == X.SWAP and fact and fact.drops_distribution:
                        self.drops.add(_norm(fact.flask_distribution))
                if A.uses_bridge(index):
                    self.bridge = f"{X.BRIDGE_REQUIREMENT}=={__version__}"
            except ImportError:  # pragma: no cover - extension support not installed
                pass

    def replacement(self, req: str) -> list[str] | None:
        """New requirement strings for one requirement (without comment), or None; an empty
        list removes the requirement (a swap to something Quart has natively)."""
        m = _NAME.match(req)
        if m is None:
            return None
        name = _norm(m.group("name"))
        marker_ = req.split(";", 1)[1].strip() if ";" in req else ""
        if name == C.FRAMEWORK_DISTRIBUTION:
            lines = list(self.quart)
        elif name in self.swaps:
            lines = [self.swaps[name]]
        elif name in self.drops:
            return []
        else:
            return None
        if marker_:
            lines = [f"{ln.split(';')[0]}; ({ln.split(';', 1)[1].strip()}) and ({marker_})"
                     if ";" in ln else f"{ln}; {marker_}" for ln in lines]
        return lines

    def additions(self, present: Iterable[str]) -> list[str]:
        """Requirements to add next to quart, unless the list already has them."""
        have = {_norm(m.group("name")) for r in present if (m := _NAME.match(r))}
        out = []
        if P.HYPERCORN_DISTRIBUTION not in have:
            out.append(P.HYPERCORN_REQUIREMENT)
        if self.bridge and "flask2quart" not in have:
            out.append(self.bridge)
        return out

    def markers(self, line: int) -> list[tuple[str, int, str]]:
        if not self.unverified:
            return []
        return [(UNVERIFIED_QUART.code, line,
                 f"requires-python {self.spec!r} admits Python < 3.11: quart==0.20.0 is not "
                 "verified by flask2quart; raise requires-python to >=3.11 or test on 0.20.0")]


def _test_name(name: str) -> bool:
    return name.strip().strip("\"'").lower() in P.TEST_GROUP_NAMES


# ---------------------------------------------------------------------------
# F2Q110: requirements files, pyproject.toml, setup.cfg
# ---------------------------------------------------------------------------

_REQ_LINE = re.compile(r"^(?P<indent>\s*)(?P<req>[A-Za-z0-9][^#]*?)(?P<comment>\s+#.*)?\s*$")
_TOML_STR = re.compile(r"""(?P<q>["'])(?P<body>[^"'\n]*)(?P=q)""")
_TOML_ARRAY_START = re.compile(r"""^\s*(?P<key>["']?[A-Za-z0-9_.-]+["']?)\s*=\s*\[""")


@rule(
    "F2Q110", "framework-dependency", 1,
    "Replace flask (and swapped extensions) by quart in requirements files, pyproject.toml and "
    "setup.cfg; add hypercorn (and flask2quart when the bridge is used)",
    examples=(Example("flask==3.1.3  # web\nrequests\n",
                      'quart==0.22.0; python_version < "3.13"  # web\n'
                      'quart==0.23.1; python_version >= "3.13"\nhypercorn==0.18.0\nrequests\n'),),
)
class FrameworkDependency:
    """Rewrites dependency declarations textually, keeping everything else byte-identical."""

    plan: Plan = Plan()

    def bind(self, ctx) -> None:
        index = ctx.facts.index if ctx.facts is not None else None
        self.plan = Plan(ctx.project.root, index)

    @staticmethod
    def applies_to(name: str) -> bool:
        return (name.endswith((".txt", ".in")) and "requirements" in name) or name in (
            P.PYPROJECT, P.SETUP_CFG)

    def rewrite(self, name: str, text: str):
        if name == P.PYPROJECT:
            return self._toml(text)
        return self._lines(text, name == P.SETUP_CFG)

    # -- requirements.txt / setup.cfg --------------------------------------------------------
    def _lines(self, text: str, setup_cfg: bool):
        plan = self.plan
        lines = text.splitlines(keepends=True)
        # which lines hold requirements, and the extra (setup.cfg) they belong to
        region: list[str | None] = []
        current: str | None = None if setup_cfg else ""
        section = ""
        for line in lines:
            body = line.rstrip("\r\n")
            s = body.strip()
            if setup_cfg:
                if s.startswith("["):
                    section, current = s, None
                elif body and not body[0].isspace() and "=" in body:
                    key = body.split("=", 1)[0].strip()
                    if section == "[options]" and key in P.SETUP_CFG_KEYS:
                        current = key
                    elif section.startswith(P.SETUP_CFG_EXTRAS):
                        current = "extra:" + key
                    else:
                        current = None
            region.append(current)
        present = [ln.split("#")[0].strip() for ln, reg in zip(lines, region) if reg is not None]
        present = [re.sub(r"^[A-Za-z_]+\s*=\s*", "", p) if setup_cfg else p for p in present]
        out, count, marks, added_extra = [], 0, [], False
        additions = plan.additions(present)
        for i, (line, reg) in enumerate(zip(lines, region)):
            if reg is None or line.lstrip().startswith(("#", "-")):
                out.append(line)
                continue
            body = line.rstrip("\r\n")
            eol = line[len(body):] or "\n"
            prefix = ""
            if setup_cfg and body and not body[0].isspace():
                m = re.match(r"^[A-Za-z_]+\s*=\s*", body)
                prefix, body = (m.group(0), body[m.end():]) if m else ("", body)
            m = _REQ_LINE.match(body)
            new = plan.replacement(m.group("req").strip()) if m else None
            if new is not None and body.rstrip().endswith("\\"):
                req = m.group("req").rstrip(" \\")
                marks.append((LOCKED_REQUIREMENT.code, len(out) + 1,
                              f"`{req}` is hashed: regenerate the lock file from the rewritten "
                              "requirements"))
                out.append(line)
                continue
            if new is None:
                out.append(line)
                continue
            count += 1
            if not new:  # dropped: the line goes (a setup.cfg key keeps its `key =` line)
                if prefix:
                    out.append(f"{prefix.rstrip()}{eol}")
                continue
            is_fw = _norm(_NAME.match(m.group("req")).group("name")) == C.FRAMEWORK_DISTRIBUTION
            if is_fw and reg in ("", "install_requires"):
                new = new + additions
                marks += plan.markers(len(out) + 1)
            indent = m.group("indent") or ("    " if setup_cfg else "")
            comment = m.group("comment") or ""
            if prefix and body.strip():
                out.append(f"{prefix.rstrip()}{eol}")
            elif prefix:
                out.append(f"{prefix.rstrip()}{eol}")
            out.append(f"{indent}{new[0]}{comment}{eol}")
            out.extend(f"{indent}{r}{eol}" for r in new[1:])
        text_out = "".join(out)
        if setup_cfg:
            text_out, n = self._cfg_pytest_asyncio(text_out)
            count += n
        return text_out, count, marks

    @staticmethod
    def _cfg_pytest_asyncio(text: str) -> tuple[str, int]:
        pkg = C.PYTEST_ASYNCIO_REQUIREMENT.split("=")[0]
        if re.search(rf"^\s*{pkg}\b", text, re.M | re.I):
            return text, 0
        lines = text.splitlines(keepends=True)
        section = ""
        for i, line in enumerate(lines):
            s = line.strip()
            if s.startswith("["):
                section = s
                continue
            if section.startswith(P.SETUP_CFG_EXTRAS) and "=" in line and not line[0].isspace() \
                    and _test_name(line.split("=", 1)[0]):
                j = i + 1
                while j < len(lines) and lines[j][:1].isspace() and lines[j].strip():
                    j += 1
                lines.insert(j, f"    {C.PYTEST_ASYNCIO_REQUIREMENT}\n")
                return "".join(lines), 1
        return text, 0

    # -- pyproject.toml ------------------------------------------------------------------------
    def _toml(self, text: str):
        plan = self.plan
        out, count, marks = [], 0, []
        section, depth, in_deps = "", 0, False
        lines = text.splitlines(keepends=True)
        # requirement strings present in each dependency array (for additions)
        for line in lines:
            s = line.strip()
            if depth == 0 and s.startswith("[") and not s.startswith("[["):
                section = s.split("#")[0].strip()
                out.append(line)
                if section.startswith("[tool.poetry") and section.endswith("dependencies]"):
                    pass
                continue
            if depth == 0:
                m = _TOML_ARRAY_START.match(line)
                key = m.group("key").strip("\"'") if m else ""
                if m and ((section == "[project]" and key == "dependencies") or section in (
                        "[project.optional-dependencies]", "[dependency-groups]")):
                    in_deps = True
                elif section.startswith("[tool.poetry") and section.endswith("dependencies]") \
                        and re.match(r"^\s*flask\s*=", line, re.I):
                    marks.append((POETRY_MANUAL.code, len(out) + 1,
                                  "Poetry dependency `flask`: replace by hand (quart lines in "
                                  "docs/project-files.md)"))
            if in_deps:
                depth += line.count("[") - line.count("]")
                new_line, n, mk = self._toml_line(line, len(out) + 1, text,
                                                  main=section == "[project]")
                out.append(new_line)
                count += n
                marks += mk
                if depth <= 0:
                    in_deps, depth = False, 0
                continue
            out.append(line)
        return "".join(out), count, marks

    def _toml_line(self, line: str, lineno: int, whole: str, main: bool):
        plan = self.plan
        present = [m.group("body") for m in _TOML_STR.finditer(whole)]
        hits = [(m, plan.replacement(m.group("body"))) for m in _TOML_STR.finditer(line)]
        hits = [(m, r) for m, r in hits if r is not None]
        if not hits:
            return line, 0, []
        marks = []
        alone = re.match(r"""^(?P<indent>\s*)(?P<q>["'])[^"']*(?P=q)\s*,?\s*(?P<comment>#.*)?$""",
                         line.rstrip("\r\n"))
        if alone and len(hits) == 1 and hits[0][1] == []:
            return "", 1, []          # a dropped requirement on its own line
        hits = [(m, r) for m, r in hits if r]  # inline: a dropped one stays (no list surgery)
        if not hits:
            return line, 0, []
        pieces, last = [], 0
        for m, new in hits:
            if _norm(_NAME.match(m.group("body")).group("name")) == C.FRAMEWORK_DISTRIBUTION:
                new = new + plan.additions(present) if main else new
                marks += plan.markers(lineno)
            quoted = [_toml_quote(r) for r in new]
            if alone and len(hits) == 1:
                eol = line[len(line.rstrip("\r\n")):] or "\n"
                ind = alone.group("indent")
                comment = f"  {alone.group('comment')}" if alone.group("comment") else ""
                body = f"{ind}{quoted[0]},{comment}{eol}" + "".join(
                    f"{ind}{q},{eol}" for q in quoted[1:])
                return body, len(hits), marks
            pieces.append(line[last:m.start()])
            pieces.append(", ".join(quoted))
            last = m.end()
        pieces.append(line[last:])
        return "".join(pieces), len(hits), marks


def _toml_quote(req: str) -> str:
    return f"'{req}'" if '"' in req else f'"{req}"'


# ---------------------------------------------------------------------------
# F2Q145: setup.py literal lists
# ---------------------------------------------------------------------------

@rule(
    "F2Q145", "setup-py-dependency", 1,
    "Replace flask (and swapped extensions) by quart in setup.py's literal install_requires / "
    "extras_require lists; add hypercorn (and flask2quart when the bridge is used)",
    examples=(Example("setup(name='x', install_requires=['flask>=3', 'requests'])\n",
                      "setup(name='x', install_requires=['quart==0.22.0; python_version < \"3.13\"', "
                      "'quart==0.23.1; python_version >= \"3.13\"', 'hypercorn==0.18.0', 'requests'])\n"),),
)
class SetupPyDependency(Rule):
    """Only ``setup(...)`` calls resolved to setuptools/distutils, only list literals of strings."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        if ctx.source.rel != P.SETUP_PY:
            return
        plan = Plan(ctx.source.path.parent, ctx.index)
        for scope in ctx.scopes():
            for node in ctx.index.own_nodes(scope):
                if not isinstance(node, ast.Call) or ctx.index.qualify(
                        node.func, ctx.eval_scope(scope, node)) not in P.SETUP_CALLS:
                    continue
                strings = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
                           and isinstance(n.value, str)]
                if not any(plan.replacement(v) for v in strings):
                    continue  # not a Flask project's setup() (or already migrated)
                for kw in node.keywords:
                    if kw.arg in P.SETUP_PY_KEYWORDS:
                        yield from self._list(ctx, plan, kw.value, tests=kw.arg != "install_requires")
                    elif kw.arg == P.SETUP_PY_EXTRAS and isinstance(kw.value, ast.Dict):
                        for k, v in zip(kw.value.keys, kw.value.values):
                            test = isinstance(k, ast.Constant) and isinstance(k.value, str) \
                                and _test_name(k.value)
                            yield from self._list(ctx, plan, v, tests=test)

    def _list(self, ctx: RuleContext, plan: Plan, node: ast.expr, tests: bool):
        if not isinstance(node, ast.List) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            return
        values = [e.value for e in node.elts]
        items: list[str] = []
        subs = []
        changed = False
        for i, e in enumerate(node.elts):
            new = plan.replacement(e.value)
            if new is None:
                items.append(f"{{e{i}}}")
                subs.append((f"e{i}", ctx.span(e)))
                continue
            changed = True
            if _norm(_NAME.match(e.value).group("name")) == C.FRAMEWORK_DISTRIBUTION:
                new = new + plan.additions(values) if not tests else new
                for code, _line, msg in plan.markers(e.lineno):
                    yield E.Marker(code, node.lineno, msg)
            items.extend(_py_quote(r) for r in new)
        pkg = C.PYTEST_ASYNCIO_REQUIREMENT.split("=")[0]
        if tests and not any(_norm(v).startswith(pkg) for v in values):
            items.append(_py_quote(C.PYTEST_ASYNCIO_REQUIREMENT))
            changed = True
        if tests and not any(_norm(v).startswith(C.TEST_SHIM_DISTRIBUTION) for v in values):
            # the ported suite imports flask2quart.testing (F2Q133): a test dependency
            from codemods.phase1.pytest_asyncio_config import shim_requirement
            shim = shim_requirement(ctx.facts)
            items.extend(_py_quote(r) for r in shim)
            changed = changed or bool(shim)
        if not changed:
            return
        if node.end_lineno != node.lineno:
            col = ctx.source.lines.col(node.elts[0].lineno, node.elts[0].col_offset) if node.elts \
                else 4
            ind = " " * col
            line_text = ctx.source.text.splitlines()[node.end_lineno - 1]
            close = line_text[: len(line_text) - len(line_text.lstrip())]
            template = "[\n" + "".join(f"{ind}{it},\n" for it in items) + f"{close}]"
        else:
            template = "[" + ", ".join(items) + "]"
        yield E.Replace(self.info.code, ctx.span(node), template, tuple(subs))


def _py_quote(req: str) -> str:
    quoted = "'" + req.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return quoted.replace("{", "{{").replace("}", "}}")
