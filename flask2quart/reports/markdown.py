"""Markdown helpers (GitHub-flavoured: tables, code fences, <details>)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def cell(value: object) -> str:
    """Text safe inside a table cell: pipes escaped, newlines as <br>."""
    text = str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def inline_code(value: object) -> str:
    text = str(value).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A GFM table. ``align`` is one letter per column: l, r or c (default l)."""
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    head = "| " + " | ".join(cell(h) for h in headers) + " |"
    sep = "| " + " | ".join(marks.get(align[i] if i < len(align) else "l", "---") for i in range(len(headers))) + " |"
    body = ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join([head, sep, *body])


def fence(text: str, lang: str = "") -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body.rstrip()}\n\n</details>"
