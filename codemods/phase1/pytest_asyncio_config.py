"""F2Q125: configure pytest-asyncio so the ported ``async def test_*`` functions run.

Quart's test client has no sync mode (quart/testing/client.py:72-277), so ported tests are
coroutines. ``asyncio_mode = auto`` in the project's existing pytest configuration
(pyproject ``[tool.pytest.ini_options]``, ``pytest.ini`` ``[pytest]``, ``setup.cfg``
``[tool:pytest]``, ``tox.ini`` ``[pytest]``) runs them, async fixtures included, and
``pytest-asyncio`` (``catalogue.PYTEST_ASYNCIO_REQUIREMENT``) is added to the test
requirements (``requirements-dev.txt`` / ``requirements-test*.txt`` / the pyproject
``test``/``tests``/``dev`` extra). Verified with pytest-asyncio 1.5.0 (quart_api.md §4).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask2quart import catalogue as C
from flask2quart.rules import Example, rule

_SECTIONS = {
    "pyproject.toml": "[tool.pytest.ini_options]",
    "pytest.ini": "[pytest]",
    "tox.ini": "[pytest]",
    "setup.cfg": "[tool:pytest]",
}
_TEST_REQ_FILE = re.compile(r"^requirements[-_.]?(dev|test|tests|testing)\.txt$")
_TEST_EXTRAS = ("test", "tests", "testing", "dev")
_PKG = C.PYTEST_ASYNCIO_REQUIREMENT.split("=")[0]
#: pytest's own order when it looks for a configuration file in the root directory
_PRECEDENCE = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
#: the pinned distribution named anywhere (pip spells it with - or _)
_PYTEST_ASYNCIO = re.compile(re.escape(_PKG).replace(r"\-", "[-_]"), re.I)


def _setting_line(name: str, key: str, value: str) -> str:
    return f'{key} = "{value}"\n' if name == "pyproject.toml" else f"{key} = {value}\n"


def _section(name: str, text: str) -> str | None:
    """The body of the pytest section of a config file, or None."""
    header = _SECTIONS.get(name, "[pytest]")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == header:
            body = []
            for nxt in lines[i + 1:]:
                if nxt.strip().startswith("["):
                    break
                body.append(nxt)
            return "\n".join(body)
    return None


def active_config(root: Path) -> tuple[str | None, str | None]:
    """(config file pytest will read in ``root``, its ``asyncio_mode`` or None)."""
    key = C.PYTEST_ASYNCIO_MODE[0]
    for name in _PRECEDENCE:
        p = root / name
        if not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        body = _section(name, text)
        if body is None:
            if name in ("pytest.ini", ".pytest.ini"):
                return name, None  # pytest.ini is used even without a [pytest] section
            continue
        m = re.search(rf"^\s*{key}\s*=\s*['\"]?(\w+)", body, re.M)
        return name, (m.group(1) if m else None)
    return None, None


_PLAIN_REQ_FILE = re.compile(r"^requirements[^/]*\.txt$")
_LISTS_PYTEST = re.compile(r"^\s*pytest\s*(?:[=<>!~\[;#]|$)", re.M | re.I)


def _pin_targets(files) -> tuple[bool, set[str]]:
    """(does a requirements file or configuration already name pytest-asyncio, the file names
    that receive this rule's pin). The pin goes to test requirements files and test extras;
    a project without either that lists pytest in a plain ``requirements*.txt`` gets it
    there."""
    declared, targets, plain = False, set(), set()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if _PYTEST_ASYNCIO.search(text):
            declared = True
        if _TEST_REQ_FILE.match(path.name) or path.name == "pyproject.toml" and any(
                re.search(rf"^{extra}\s*=\s*\[", text, re.M) for extra in _TEST_EXTRAS):
            targets.add(path.name)
        elif _PLAIN_REQ_FILE.match(path.name) and _LISTS_PYTEST.search(text):
            plain.add(path.name)
    return declared, targets or plain


def ported_async_tests(facts) -> bool:
    """Did the migration make a pytest test or fixture async?"""
    if facts is None:
        return True
    index = facts.index
    for s in facts.async_funcs:
        if s.is_async or s.enclosing_class() is not None or s.parent is None \
                or s.parent.kind != "module":
            continue
        if s.name.startswith("test") or index._is_fixture(s, s.parent):
            return True
    return False


def shim_requirement(facts) -> list[str]:
    """``flask2quart==<this version>`` when the ported suite uses ``flask2quart.testing``
    (F2Q133): a test-time dependency, added next to pytest-asyncio."""
    if facts is None:
        return []
    from codemods.phase1.test_responses import test_shim
    from flask2quart import __version__

    if not test_shim(facts.index).applies:
        return []
    return [f"{C.TEST_SHIM_DISTRIBUTION}=={__version__}"]


@rule(
    "F2Q125", "pytest-asyncio-config", 1,
    "Set `asyncio_mode = auto` in the project's pytest config and add pytest-asyncio to the "
    "test requirements",
    examples=(Example("[tool:pytest]\ntestpaths = tests\n",
                      "[tool:pytest]\nasyncio_mode = auto\ntestpaths = tests\n"),),
)
class PytestAsyncioConfig:
    """Text rule: inserts one line into the pytest section and one requirement; keeps
    everything else byte-identical; a second run changes nothing."""

    #: set by bind(): the config pytest reads at the project root, and whether to add one
    _active: str | None = None
    _add_config: bool = False
    _anchor: str | None = None

    def bind(self, ctx) -> None:
        root = ctx.project.root
        self._active, _mode = active_config(root)
        #: the settings written into the pytest section, each only where it is absent
        self._settings = [C.PYTEST_ASYNCIO_MODE]
        declared, self._pin_files = _pin_targets(ctx.project.other_files)
        if not declared and self._pin_files:  # the project's tests will run our pin
            self._settings.append(C.PYTEST_ASYNCIO_LOOP_SCOPE)
        self._add_config = self._active is None and ported_async_tests(ctx.facts)
        # a new pytest.ini is created next to the first root-level project file
        names = sorted(p.name for p in ctx.project.other_files if p.parent == root)
        self._anchor = None if (root / "pyproject.toml").is_file() or not names else names[0]
        self._reqs = [C.PYTEST_ASYNCIO_REQUIREMENT, *shim_requirement(ctx.facts)]

    def applies_to(self, name: str) -> bool:
        return (name in _SECTIONS or bool(_TEST_REQ_FILE.match(name)) or name == self._anchor
                or name in getattr(self, "_pin_files", ()))

    def creates(self, name: str, text: str) -> list[tuple[str, str]]:
        """No pytest configuration at all and no pyproject.toml: a new ``pytest.ini``."""
        if self._add_config and self._anchor == name:
            return [("pytest.ini", "[pytest]\n" + "".join(
                _setting_line("pytest.ini", k, v) for k, v in self._settings))]
        return []

    def rewrite(self, name: str, text: str) -> tuple[str, int]:
        count = 0
        if name == "pyproject.toml" and self._add_config and _section(name, text) is None:
            # no pytest configuration anywhere: pyproject.toml gets one (pytest reads it only
            # when no pytest.ini exists and it has this table, so nothing else is shadowed)
            sep = "" if text.endswith("\n") else "\n"
            text = text + sep + "\n[tool.pytest.ini_options]\n" + "".join(
                _setting_line(name, k, v) for k, v in self._settings)
            count += 1
        if name in _SECTIONS:
            text, n = self._mode(name, text, getattr(self, "_settings", [C.PYTEST_ASYNCIO_MODE]))
            count += n
        for req in getattr(self, "_reqs", [C.PYTEST_ASYNCIO_REQUIREMENT]):
            pkg = req.split("=")[0]
            if name == "pyproject.toml":
                text, n = self._extra(text, req)
                count += n
            elif _TEST_REQ_FILE.match(name) or name in getattr(self, "_pin_files", ()):
                if not re.search(rf"^\s*{pkg}\b", text, re.M | re.I):
                    sep = "" if not text or text.endswith("\n") else "\n"
                    text = f"{text}{sep}{req}\n"
                    count += 1
        return text, count

    @staticmethod
    def _mode(name: str, text: str, settings) -> tuple[str, int]:
        """Insert each of ``settings`` that the pytest section lacks, right below its header."""
        header = _SECTIONS[name]
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.strip() != header:
                continue
            body = []
            for nxt in lines[i + 1:]:
                if nxt.strip().startswith("["):
                    break
                body.append(nxt)
            missing = [(k, v) for k, v in settings
                       if not any(re.match(rf"\s*{k}\s*=", b) for b in body)]
            if not missing:
                return text, 0
            if not line.endswith("\n"):
                lines[i] = line + "\n"
            lines[i + 1:i + 1] = [_setting_line(name, k, v) for k, v in missing]
            return "".join(lines), 1
        return text, 0

    @staticmethod
    def _extra(text: str, req: str = C.PYTEST_ASYNCIO_REQUIREMENT) -> tuple[str, int]:
        if re.search(rf"""["']\s*{req.split("=")[0]}\b""", text, re.I):
            return text, 0
        for extra in _TEST_EXTRAS:
            m = re.search(rf"^(?P<head>{extra}\s*=\s*\[)(?P<body>[^\]]*)\]", text, re.M)
            if m is None:
                continue
            body = m.group("body")
            stripped = body.rstrip()
            if "\n" in body:
                indent = re.search(r"\n(\s*)\S", body)
                ind = indent.group(1) if indent else "    "
                comma = "" if stripped.endswith(",") or not stripped.strip() else ","
                new_body = f'{stripped}{comma}\n{ind}"{req}",\n'
            else:
                sep = ", " if stripped.strip() else ""
                new_body = f'{stripped}{sep}"{req}"'
            return text[: m.start("body")] + new_body + text[m.end("body"):], 1
        return text, 0


# ---------------------------------------------------------------------------------------------

import ast  # noqa: E402
from typing import Iterable  # noqa: E402

from codemods.base import Rule, RuleContext  # noqa: E402
from flask2quart import edits as E  # noqa: E402


@rule(
    "F2Q129", "pytest-asyncio-strict-mode", 1,
    "`asyncio_mode = strict`: ported async tests get `@pytest.mark.asyncio`, ported async "
    "fixtures `@pytest_asyncio.fixture`",
    examples=(Example(
        "@pytest.fixture\ndef logged_in(client):\n    client.post('/login')\n",
        "@pytest_asyncio.fixture\nasync def logged_in(client):\n    await client.post('/login')\n",
    ),),
)
class PytestAsyncioStrict(Rule):
    """In strict mode pytest-asyncio runs only marked tests and ``pytest_asyncio.fixture``
    fixtures; the project's mode is kept (F2Q125 does not touch a configured mode)."""

    def detect(self, ctx: RuleContext) -> Iterable[E.Edit]:
        _, mode = active_config(ctx.index.project.root)
        if mode != "strict":
            return
        facts, index = ctx.facts, ctx.index
        mod_scope = ctx.module.scope
        for s in mod_scope.children:
            if not isinstance(s.node, (ast.FunctionDef,)) or not facts.is_async(s):
                continue
            fixture = next((d for d in s.node.decorator_list
                            if index.qualify(d.func if isinstance(d, ast.Call) else d, mod_scope)
                            == "pytest.fixture"), None)
            if fixture is not None:
                target = fixture.func if isinstance(fixture, ast.Call) else fixture
                yield E.Replace(self.info.code, ctx.span(target), "pytest_asyncio.fixture")
                yield E.AddImport(self.info.code, "pytest_asyncio")
            elif s.name.startswith("test"):
                yield E.AddDecorator(self.info.code, s.node.lineno, s.name, "pytest.mark.asyncio")
                yield E.AddImport(self.info.code, "pytest")
