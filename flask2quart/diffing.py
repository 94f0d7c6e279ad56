"""Unified diffs that ``git apply`` accepts (incl. files without a final newline)."""

from __future__ import annotations

import difflib


def unified_diff(old: bytes, new: bytes, path: str) -> str:
    a = old.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    b = new.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    out = [f"diff --git a/{path} b/{path}\n"]
    lines = list(difflib.unified_diff(a, b, f"a/{path}", f"b/{path}", n=3))
    if not lines:
        return ""
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
