"""Self-contained HTML pages: inline CSS, no scripts or external resources."""

from __future__ import annotations

import difflib
from html import escape

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f6f8fa}td.num{text-align:right}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:30rem;white-space:pre-wrap;word-break:break-all}
.ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#656d76}
.diff{width:100%;table-layout:fixed}.diff td{font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;border:none;padding:0 .4rem}
.diff th{border:none}.diff .ln{width:3rem;color:#656d76;text-align:right}
.del{background:#ffebe9}.ins{background:#dafbe1}.chg{background:#fff8c5}
details{margin:.5rem 0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem}
summary{cursor:pointer;font-weight:600}.badge{display:inline-block;border-radius:1rem;padding:0 .5rem;font-size:12px;border:1px solid}
"""


def head(title: str) -> str:
    """Everything up to and including ``<body>`` (for pages written in pieces)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n"
    )


TAIL = "\n</body></html>\n"


def page(title: str, body: str) -> str:
    return head(title) + body + TAIL


def table(headers: list[str], rows: list[list[object]], num_cols: set[int] | None = None) -> str:
    num_cols = num_cols or set()
    out = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr>"]
    for row in rows:
        cells = "".join(
            f"<td class=\"num\">{escape(str(c))}</td>" if i in num_cols else f"<td>{escape(str(c))}</td>" for i, c in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def side_by_side(a: str, b: str, a_title: str, b_title: str, context: int | None = 3, max_lines: int = 400) -> str:
    """A two-column line diff; unchanged runs longer than 2*context are folded."""
    al, bl = a.splitlines(), b.splitlines()
    rows = [f"<tr><th></th><th>{escape(a_title)}</th><th></th><th>{escape(b_title)}</th></tr>"]
    shown = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, al, bl, autojunk=False).get_opcodes():
        if tag == "equal":
            n = i2 - i1
            if context is not None and n > 2 * context:
                keep = list(range(i1, i1 + context)) + [-1] + list(range(i2 - context, i2))
            else:
                keep = list(range(i1, i2))
            for i in keep:
                if i < 0:
                    rows.append(f"<tr><td class=\"ln\">…</td><td class=\"muted\">{n - 2 * context} equal lines</td><td class=\"ln\">…</td><td></td></tr>")
                    continue
                j = j1 + (i - i1)
                rows.append(_row(i + 1, al[i], j + 1, bl[j], ""))
                shown += 1
        else:
            cls = {"replace": "chg", "delete": "del", "insert": "ins"}[tag]
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                rows.append(_row(i + 1 if i < i2 else None, al[i] if i < i2 else "", j + 1 if j < j2 else None, bl[j] if j < j2 else "", cls))
                shown += 1
        if shown > max_lines:
            rows.append("<tr><td></td><td class=\"muted\">… (diff truncated)</td><td></td><td></td></tr>")
            break
    return "<table class=\"diff\">" + "".join(rows) + "</table>"


def _row(ln_a: int | None, a: str, ln_b: int | None, b: str, cls: str) -> str:
    ca = cls if ln_a is not None else ""
    cb = cls if ln_b is not None else ""
    return (
        f"<tr><td class=\"ln\">{ln_a or ''}</td><td class=\"{ca}\">{escape(a)}</td>"
        f"<td class=\"ln\">{ln_b or ''}</td><td class=\"{cb}\">{escape(b)}</td></tr>"
    )
