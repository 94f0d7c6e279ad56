"""A streaming JUnit XML writer (the dialect GitHub Actions, GitLab and Jenkins read).

Counts go on the suite element, so the caller passes them up front; test cases are
then written one at a time and nothing accumulates in memory.
"""

from __future__ import annotations

import re
from typing import TextIO
from xml.sax.saxutils import quoteattr

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry."""
    return _INVALID_XML.sub("\ufffd", text)


def attr(value: object) -> str:
    return quoteattr(clean(str(value)))


def text(value: str) -> str:
    value = clean(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class JUnitWriter:
    def __init__(self, out: TextIO, name: str, *, tests: int, failures: int, errors: int, skipped: int = 0, time: float = 0.0, properties: dict[str, str] | None = None) -> None:
        self.out = out
        counts = f"tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.3f}\""
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write(f"<testsuites name={attr(name)} {counts}>\n")
        out.write(f"  <testsuite name={attr(name)} {counts}>\n")
        if properties:
            out.write("    <properties>\n")
            for key, value in properties.items():
                out.write(f"      <property name={attr(key)} value={attr(value)}/>\n")
            out.write("    </properties>\n")

    def case(self, classname: str, name: str, *, time: float = 0.0, failure: tuple[str, str, str] | None = None, error: tuple[str, str, str] | None = None, skipped: str | None = None, system_out: str | None = None) -> None:
        """``failure``/``error``: (type, message, details)."""
        head = f"    <testcase classname={attr(classname)} name={attr(name)} time=\"{time:.4f}\""
        inner = []
        for tag, item in (("failure", failure), ("error", error)):
            if item is not None:
                kind, message, details = item
                inner.append(f"      <{tag} type={attr(kind)} message={attr(message)}>{text(details)}</{tag}>\n")
        if skipped is not None:
            inner.append(f"      <skipped message={attr(skipped)}/>\n")
        if system_out:
            inner.append(f"      <system-out>{text(system_out)}</system-out>\n")
        if inner:
            self.out.write(head + ">\n" + "".join(inner) + "    </testcase>\n")
        else:
            self.out.write(head + "/>\n")

    def close(self) -> None:
        self.out.write("  </testsuite>\n</testsuites>\n")
