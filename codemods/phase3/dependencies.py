"""F2Q335: requirements files and pyproject.toml gain ``httpx`` (and ``respx`` next to ``responses``).

A text rule, separate from phase 1's flask → quart rule (F2Q110), which it never touches:
it adds ``catalogue.http.HTTPX_REQUIREMENT`` after the ``requests`` requirement. ``requests``
itself is dropped only when phase 3 removes every ``requests`` import of the project (each
module's only import of it is a plain ``import requests`` whose every use is rewritten,
F2Q336); code reached from CLI commands, threads or Celery keeps using it (F2Q381), and then
the requirement stays.
"""

from __future__ import annotations

import ast
import re

from flask2quart.catalogue import http as H
from flask2quart.rules import Example, rule

_LINE = re.compile(r"^(?P<indent>\s*)(?P<name>requests|responses)(\[[^\]]*\])?\s*([<>=!~][^;#\s]*)?"
                   r"(\s*;[^#]*?)?(\s*#.*)?\s*$", re.IGNORECASE)
_TOML = re.compile(r"""^(?P<indent>\s*)(?P<q>["'])(?P<name>requests|responses)\b[^"']*(?P=q)\s*,?\s*$""",
                   re.IGNORECASE)
_ADD = {H.REQUESTS: H.HTTPX_REQUIREMENT, "responses": H.RESPX_REQUIREMENT}


@rule("F2Q335", "httpx-dependency", 3,
      "Add httpx next to requests (and respx next to responses) in requirements files and pyproject.toml",
      examples=(Example("flask==3.1.3\nrequests==2.32.3\n", "flask==3.1.3\nrequests==2.32.3\nhttpx==0.28.1\n"),))
class HttpxDependency:
    drop_requests = False

    def bind(self, tctx) -> None:
        """Project facts (engine.TextContext): is ``requests`` still imported after phase 3?"""
        self.drop_requests = tctx.facts is not None and _requests_unused(tctx.facts)

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
            dist = m.group("name").lower()
            add = _ADD[dist]
            if dist == H.REQUESTS and self.drop_requests:
                out.pop()  # nothing imports requests any more: the requirement goes
                count += 1
                if add.split("==")[0] not in have:  # httpx takes its line
                    eol = line[len(line.rstrip("\r\n")):]
                    if toml:
                        q, comma = m.group("q"), "," if line.rstrip().endswith(",") else ""
                        out.append(f"{m.group('indent')}{q}{add}{q}{comma}{eol}")
                    else:
                        out.append(f"{m.group('indent')}{add}{eol}")
                    have.add(add.split("==")[0])
                continue
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


def _imports_requests(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name == H.REQUESTS or a.name.startswith(H.REQUESTS + ".") for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and bool(node.module) and (
            node.module == H.REQUESTS or node.module.startswith(H.REQUESTS + "."))
    return False


def _requests_unused(facts) -> bool:
    """True when every ``requests`` import of the project is removed by F2Q336."""
    from codemods.base import RuleContext
    from codemods.phase3.imports import unused_requests_import

    for info in facts.index.modules.values():
        found = [n for n in facts.index.walk(info.source.tree) if _imports_requests(n)]
        if not found:
            continue
        if len(found) != 1:
            return False
        ctx = RuleContext(info.source, info, facts.index, facts, 3)
        if unused_requests_import(ctx) is not found[0]:
            return False
    return True
