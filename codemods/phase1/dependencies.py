"""F2Q110: the project's dependency files follow the code: ``flask`` → ``quart``.

requirements files, ``pyproject.toml`` ([project] dependencies / optional deps) and
``setup.cfg`` ``install_requires``. Quart 0.23 needs Python ≥ 3.13, so the requirement is
written with environment markers (``catalogue.QUART_REQUIREMENT_LINES``). Comments,
other pins and layout are kept. (Extensions and test dependencies: extensions issue.)
"""

from __future__ import annotations

import re

from flask2quart import catalogue as C
from flask2quart.rules import Example, rule

_REQ = re.compile(
    r"^(?P<indent>\s*)(?P<name>flask)(?P<extras>\[[^\]]*\])?\s*(?P<spec>[<>=!~][^;#\s]*(\s*,\s*[<>=!~][^;#\s]*)*)?"
    r"(?P<marker>\s*;[^#]*?)?(?P<comment>\s*#.*)?\s*$",
    re.IGNORECASE,
)
_TOML_STR = re.compile(r"""(?P<q>["'])(?P<body>\s*flask\s*(\[[^\]]*\])?\s*([<>=!~;][^"']*)?)(?P=q)""",
                       re.IGNORECASE)


@rule(
    "F2Q110", "framework-dependency", 1,
    "Replace the flask requirement by quart in requirements files, pyproject.toml and setup.cfg",
    examples=(Example("flask==3.1.3  # web\nrequests\n",
                      'quart==0.22.0; python_version < "3.13"  # web\n'
                      'quart==0.23.1; python_version >= "3.13"\nrequests\n'),),
)
class FrameworkDependency:
    """Rewrites dependency declarations textually, keeping everything else byte-identical."""

    @staticmethod
    def applies_to(name: str) -> bool:
        return name.endswith(".txt") and "requirements" in name or name in (
            "pyproject.toml", "setup.cfg")

    def rewrite(self, name: str, text: str) -> tuple[str, int]:
        if name.endswith(".txt") or name == "setup.cfg":
            return self._lines(text, name == "setup.cfg")
        return self._toml(text)

    @staticmethod
    def _lines(text: str, setup_cfg: bool) -> tuple[str, int]:
        out, count = [], 0
        in_requires = not setup_cfg
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            eol = line[len(body):]
            if setup_cfg:
                stripped = body.strip()
                if re.match(r"^(install_requires|tests_require)\s*=", stripped) or (
                        stripped.startswith("[options.extras_require")):
                    in_requires = True
                elif stripped.startswith("[") or (body and not body[0].isspace() and "=" in body):
                    in_requires = False
                candidate = re.sub(r"^(install_requires\s*=\s*)", "", body)
                prefix = body[: len(body) - len(candidate)]
            else:
                candidate, prefix = body, ""
            m = _REQ.match(candidate) if in_requires else None
            if m is None:
                out.append(line)
                continue
            count += 1
            indent = m.group("indent") if not prefix else ""
            first, *rest = C.QUART_REQUIREMENT_LINES
            comment = m.group("comment") or ""
            if setup_cfg and not prefix:
                out.append(f"{indent}{first}{comment}{eol}")
                out.extend(f"{indent}{r}{eol}" for r in rest)
            elif setup_cfg:
                out.append(f"{prefix}{eol or chr(10)}")
                out.append(f"    {first}{comment}{eol}")
                out.extend(f"    {r}{eol}" for r in rest)
            else:
                out.append(f"{indent}{first}{comment}{eol or chr(10)}")
                out.extend(f"{indent}{r}{eol or chr(10)}" for r in rest)
        return "".join(out), count

    @staticmethod
    def _toml(text: str) -> tuple[str, int]:
        count = 0

        def repl(m: re.Match) -> str:
            nonlocal count
            count += 1
            return ", ".join(f"'{r}'" for r in C.QUART_REQUIREMENT_LINES)

        # only inside dependency arrays of [project] / [project.optional-dependencies]
        out, section = [], ""
        for line in text.splitlines(keepends=True):
            s = line.strip()
            if s.startswith("[") and not s.startswith("[["):
                section = s
            if section in ("[project]", "[project.optional-dependencies]") or section.startswith(
                    "[tool.poetry"):
                line = _TOML_STR.sub(repl, line)
            out.append(line)
        return "".join(out), count
