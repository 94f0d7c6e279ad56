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

    @staticmethod
    def applies_to(name: str) -> bool:
        return name in _SECTIONS or bool(_TEST_REQ_FILE.match(name))

    def rewrite(self, name: str, text: str) -> tuple[str, int]:
        count = 0
        if name in _SECTIONS:
            text, n = self._mode(name, text)
            count += n
        if name == "pyproject.toml":
            text, n = self._extra(text)
            count += n
        elif _TEST_REQ_FILE.match(name):
            if not re.search(rf"^\s*{_PKG}\b", text, re.M | re.I):
                sep = "" if not text or text.endswith("\n") else "\n"
                text = f"{text}{sep}{C.PYTEST_ASYNCIO_REQUIREMENT}\n"
                count += 1
        return text, count

    @staticmethod
    def _mode(name: str, text: str) -> tuple[str, int]:
        header = _SECTIONS[name]
        key, value = C.PYTEST_ASYNCIO_MODE
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.strip() != header:
                continue
            # already configured inside this section?
            for nxt in lines[i + 1:]:
                if nxt.strip().startswith("["):
                    break
                if re.match(rf"\s*{key}\s*=", nxt):
                    return text, 0
            val = f'"{value}"' if name == "pyproject.toml" else value
            eol = "\n" if line.endswith("\n") else "\n"
            if not line.endswith("\n"):
                lines[i] = line + "\n"
            lines.insert(i + 1, f"{key} = {val}{eol}")
            return "".join(lines), 1
        return text, 0

    @staticmethod
    def _extra(text: str) -> tuple[str, int]:
        if re.search(rf"""["']\s*{_PKG}\b""", text, re.I):
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
                new_body = f'{stripped}{comma}\n{ind}"{C.PYTEST_ASYNCIO_REQUIREMENT}",\n'
            else:
                sep = ", " if stripped.strip() else ""
                new_body = f'{stripped}{sep}"{C.PYTEST_ASYNCIO_REQUIREMENT}"'
            return text[: m.start("body")] + new_body + text[m.end("body"):], 1
        return text, 0
