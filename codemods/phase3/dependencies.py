"""F2Q335: requirements files and pyproject.toml gain ``httpx`` (and ``respx`` next to ``responses``).

A text rule, separate from phase 1's flask → quart rule (F2Q110), which it never touches:
it adds ``catalogue.http.HTTPX_REQUIREMENT`` after the ``requests`` requirement. ``requests``
itself is kept: code reached from CLI commands, threads or Celery keeps using it (F2Q381),
and a text rule cannot see whether anything still does (see docs/phase3.md).
"""

from __future__ import annotations

import re

from flask2quart.catalogue import http as H
from flask2quart.rules import Example, rule

_LINE = re.compile(r"^(?P<indent>\s*)(?P<name>requests|responses)(\[[^\]]*\])?\s*([<>=!~][^;#\s]*)?"
                   r"(\s*;[^#]*?)?(\s*#.*)?\s*$", re.IGNORECASE)
_TOML = re.compile(r"""^(?P<indent>\s*)(?P<q>["'])(?P<name>requests|responses)\b[^"']*(?P=q)\s*,?\s*$""",
                   re.IGNORECASE)
_ADD = {"requests": H.HTTPX_REQUIREMENT, "responses": H.RESPX_REQUIREMENT}


@rule("F2Q335", "httpx-dependency", 3,
      "Add httpx next to requests (and respx next to responses) in requirements files and pyproject.toml",
      examples=(Example("flask==3.1.3\nrequests==2.32.3\n", "flask==3.1.3\nrequests==2.32.3\nhttpx==0.28.1\n"),))
class HttpxDependency:
    @staticmethod
    def applies_to(name: str) -> bool:
        return name.endswith(".txt") and "requirements" in name or name == "pyproject.toml"

    def rewrite(self, name: str, text: str) -> tuple[str, int]:
        have = {m.lower() for m in re.findall(r"(?im)^[\s\"']*(httpx|respx)\b", text)}
        out, count = [], 0
        toml = name == "pyproject.toml"
        for line in text.splitlines(keepends=True):
            out.append(line)
            m = (_TOML if toml else _LINE).match(line.rstrip("\r\n"))
            if m is None:
                continue
            add = _ADD[m.group("name").lower()]
            if add.split("==")[0] in have:
                continue
            eol = line[len(line.rstrip("\r\n")):] or "\n"
            if not line.endswith(("\n", "\r")):
                out[-1] = line + eol
            if toml:
                q = m.group("q")
                out.append(f"{m.group('indent')}{q}{add}{q},{eol}")
                if not line.rstrip().endswith(","):
                    out[-2] = out[-2].rstrip("\r\n") + "," + eol
                    out[-1] = out[-1].rstrip("\r\n").rstrip(",") + eol
            else:
                out.append(f"{m.group('indent')}{add}{eol}")
            have.add(add.split("==")[0])
            count += 1
        return "".join(out), count
