"""Renderers of a scan report (the dict of :func:`flask2quart.scan.build`).

``text`` for a terminal, ``json`` (documented by ``schemas/scan.schema.json``),
``markdown`` for a pull request or wiki, ``html``: one self-contained page (inline CSS
and SVG, no scripts, no external URLs) with a summary, a table per phase, collapsible
per-file details and a bar chart of changes per module.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

FORMATS = ("text", "json", "markdown", "html")


def render(report: dict[str, Any], fmt: str, *, verbose: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown scan format {fmt!r} (choose from {', '.join(FORMATS)})")
    return {"text": text, "json": as_json, "markdown": markdown, "html": html}[fmt](report, verbose=verbose)


def as_json(report: dict[str, Any], verbose: bool = False) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _deps(report) -> list[str]:
    return [f"{d['name']} {d['spec']} ({d['file']}:{d['line']})" for d in report["dependencies"]]


def _ext_label(item) -> str:
    from flask2quart.scan import VERDICT_LABELS

    return VERDICT_LABELS.get(str(item.get("verdict")), str(item.get("verdict")))


def _phase_rules(report, phase) -> list[tuple[str, int, str]]:
    rules = report["rules"]
    return [(code, n, rules.get(code, {}).get("summary", "")) for code, n in phase["rules"].items()]


def chain_text(h: dict[str, Any]) -> str:
    """Why a frontier helper becomes async: ``calls a → b → awaits request.form``."""
    rest = h["chain"][1:]
    if not rest:
        return h.get("why", "")
    prefix = "" if rest[0].split(" ", 1)[0] in ("awaits", "wraps", "calls", "decorated", "already",
                                                    "view") else "calls "
    return prefix + " → ".join(rest)


# --------------------------------------------------------------------------- text

def text(report: dict[str, Any], verbose: bool = False) -> str:
    s = report["summary"]
    out = [f"flask2quart scan of {report['root']}", ""]
    out.append("Dependencies: " + ("; ".join(_deps(report)) or "no flask/quart requirement found"))
    if report.get("target_quart"):
        out.append(f"Target Quart: {report['target_quart']}")
    out += ["", f"Effort: {s['files_touched']} of {s['files']} files touched, {s['edits']} automatic edits, "
            f"{s['markers']} marker(s) for a person, {s['failed']} file(s) failed"]
    for p in report["phases"]:
        out.append(f"  phase {p['phase']}: {p['edits']} edits, {p['markers']} markers in {p['files']} file(s)")

    out += ["", f"Views, hooks and error handlers ({s['views']} views, {s['hooks']} hooks, "
            f"{s['error_handlers']} error handlers):"]
    for h in report["handlers"]:
        reg = f" [{', '.join(h['registrations'])}]" if h["registrations"] else ""
        out.append(f"  {h['file']}:{h['line']} {h['kind']} {h['function']}{reg}: {'; '.join(h['changes'])}")

    app_frontier = [h for h in report["frontier"] if not h["test"]]
    out += ["", f"Async frontier ({len(app_frontier)} helpers become async; "
            f"{s['async_test_functions']} test functions too):"]
    for h in app_frontier:
        cross = " (across modules)" if h["cross_module"] else ""
        out.append(f"  {h['file']}:{h['line']} {h['function']}{cross}: {chain_text(h)}")
        if verbose and h["callers"]:
            out.append(f"      called by {', '.join(h['callers'])}")
    for c in report["conflicts"]:
        out.append(f"  conflict {c['file']}:{c['line']}: {c['message']}")

    ext = report["extensions"]
    out += ["", "Extensions:" + ("" if ext["items"] else " none")]
    for e in ext["items"]:
        files = f" ({', '.join(e.get('files', []))})" if e.get("files") else ""
        out.append(f"  {e['name']}: {_ext_label(e)}{files}")
    if ext.get("note"):
        out.append(f"  ({ext['note']})")

    for p in report["phases"]:
        if p["phase"] == 1 and not verbose:
            continue
        title = {2: "Blocking calls in request paths (phase 2)", 3: "`requests` usage (phase 3)"}.get(
            p["phase"], p["title"])
        out += ["", f"{title}:" + ("" if p["items"] else " none found")]
        for code, n, summary in _phase_rules(report, p):
            out.append(f"  {code} ×{n}: {summary}")
        if verbose:
            for it in p["items"]:
                where = f"{it['file']}:{it['line']}" if it["line"] else it["file"]
                out.append(f"    {where} {it['code']}" + (f" ×{it['count']}" if it["count"] > 1 else "")
                           + (f" {it['message']}" if it["kind"] == "marker" else ""))
        else:
            per_file: dict[str, dict[str, int]] = {}
            for it in p["items"]:
                counts = per_file.setdefault(it["file"], {})
                counts[it["code"]] = counts.get(it["code"], 0) + it["count"]
            for file, counts in per_file.items():
                out.append(f"    {file}: " + ", ".join(f"{c}×{n}" for c, n in sorted(counts.items())))

    by_code: dict[str, dict[str, list[int]]] = {}
    for f in report["files"]:
        for m in f["markers"]:
            by_code.setdefault(m["code"], {}).setdefault(f["path"], []).append(m["line"])
    total = sum(len(lines) for files in by_code.values() for lines in files.values())
    out += ["", f"Markers migration would leave ({total}):" + ("" if by_code else " none")]
    for code in sorted(by_code):
        n = sum(len(v) for v in by_code[code].values())
        out.append(f"  {code} ×{n}: {report['rules'].get(code, {}).get('summary', '')}")
        for file, lines in by_code[code].items():
            out.append(f"    {file}: line {', '.join(map(str, sorted(lines)))}")
    if verbose:
        out += ["", "Every marker:"]
        for f in report["files"]:
            for m in f["markers"]:
                out.append(f"  {f['path']}:{m['line']}: {m['code']} {m['message']}")
    failed = [f for f in report["files"] if f.get("error")]
    if failed:
        out += ["", "Files the tool cannot migrate:"] + [f"  {f['path']}: {f['error']}" for f in failed]
    if verbose:
        out += ["", "Changes per file:"]
        for f in report["files"]:
            codes = ", ".join(f"{c}×{n}" for c, n in f["rules"].items())
            out.append(f"  {f['path']}: {codes or '-'}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- markdown

def _md_escape(v: Any) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_md_escape(c) for c in r) + " |" for r in rows]
    return out


def markdown(report: dict[str, Any], verbose: bool = False) -> str:
    s = report["summary"]
    out = [f"# flask2quart scan: `{report['root']}`", ""]
    out += _md_table(["", "count"], [
        ["files touched", f"{s['files_touched']} of {s['files']}"], ["automatic edits", s["edits"]],
        ["markers for a person", s["markers"]], ["failed files", s["failed"]], ["views", s["views"]],
        ["hooks", s["hooks"]], ["error handlers", s["error_handlers"]], ["helpers becoming async", s["async_helpers"]],
    ])
    out += ["", "## Dependencies", ""] + ([f"- {d}" for d in _deps(report)] or ["none found"])
    out += ["", "## Effort per phase", ""]
    out += _md_table(["phase", "edits", "markers", "files"],
                     [[p["title"], p["edits"], p["markers"], p["files"]] for p in report["phases"]])
    out += ["", "## Views, hooks and error handlers", ""]
    out += _md_table(["where", "kind", "function", "change"],
                     [[f"`{h['file']}:{h['line']}`", h["kind"], h["function"], "; ".join(h["changes"])]
                      for h in report["handlers"]])
    out += ["", "## Async frontier", ""]
    out += _md_table(["where", "function", "why"],
                     [[f"`{h['file']}:{h['line']}`", h["function"], chain_text(h)]
                      for h in report["frontier"] if not h["test"]])
    out += ["", "## Extensions", ""]
    out += _md_table(["extension", "verdict"], [[e["name"], _ext_label(e)] for e in report["extensions"]["items"]]) \
        if report["extensions"]["items"] else ["none"]
    for p in report["phases"]:
        out += ["", f"## {p['title']}", ""]
        out += _md_table(["rule", "count", "summary"], _phase_rules(report, p)) if p["rules"] else ["nothing to do"]
    markers = [(f, m) for f in report["files"] for m in f["markers"]]
    out += ["", "## Markers", ""]
    out += [f"- `{f['path']}:{m['line']}` **{m['code']}** {m['message']}" for f, m in markers] or ["none"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- html

EXTRA_CSS = """
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.6rem}.chart text{font:12px system-ui,sans-serif}
.verdict-swap{color:#1a7f37}.verdict-bridge{color:#9a6700}.verdict-person{color:#cf222e}
"""


def bar_chart(rows: list[tuple[str, int]], width: int = 640) -> str:
    """An inline SVG horizontal bar chart (label, value)."""
    if not rows:
        return '<p class="muted">no changes</p>'
    bar_h, gap = 20, 6
    label_w = min(320, 16 + 7 * max(len(label) for label, _ in rows))
    top = max(v for _, v in rows) or 1
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg class="chart" role="img" aria-label="changes per module" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(2, int((width - label_w - 60) * value / top))
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                     f'<rect class="bar" x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#0969da"/>'
                     f'<text x="{label_w + w + 6}" y="{y + 14}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html(report: dict[str, Any], verbose: bool = False) -> str:
    from flask2quart.reports import html as H

    s = report["summary"]
    body = [f"<h1>flask2quart scan</h1><p class=\"muted\"><code>{escape(report['root'])}</code></p>"]
    cards = [("files touched", f"{s['files_touched']}/{s['files']}"), ("automatic edits", s["edits"]),
             ("markers", s["markers"]), ("views", s["views"]), ("hooks", s["hooks"]),
             ("error handlers", s["error_handlers"]), ("async helpers", s["async_helpers"]),
             ("failed", s["failed"])]
    body.append('<section id="summary"><h2>Summary</h2><div class="cards">' + "".join(
        f'<div class="card"><b>{escape(str(v))}</b>{escape(k)}</div>' for k, v in cards) + "</div>")
    body.append("<p>Dependencies: " + (escape("; ".join(_deps(report))) or "none found") + "</p>")
    body.append(H.table(["phase", "edits", "markers", "files"],
                        [[p["title"], p["edits"], p["markers"], p["files"]] for p in report["phases"]], {1, 2, 3}))
    body.append("</section>")

    body.append('<section id="chart"><h2>Changes per module</h2>'
                + bar_chart([(m["module"], m["changes"]) for m in report["modules"][:30]]) + "</section>")

    for p in report["phases"]:
        body.append(f'<section class="phase" id="phase-{p["phase"]}"><h2>{escape(p["title"])}</h2>')
        if p["rules"]:
            body.append(H.table(["rule", "count", "summary"], [list(r) for r in _phase_rules(report, p)], {1}))
        else:
            body.append('<p class="muted">nothing to do</p>')
        body.append("</section>")

    body.append('<section id="handlers"><h2>Views, hooks and error handlers</h2>')
    body.append(H.table(["where", "kind", "function", "change"],
                        [[f"{h['file']}:{h['line']}", h["kind"], h["function"], "; ".join(h["changes"])]
                         for h in report["handlers"]]) + "</section>")
    body.append('<section id="frontier"><h2>Async frontier</h2>')
    body.append(H.table(["where", "function", "why"],
                        [[f"{h['file']}:{h['line']}", h["function"], chain_text(h)]
                         for h in report["frontier"] if not h["test"]]) + "</section>")
    items = report["extensions"]["items"]
    body.append('<section id="extensions"><h2>Extensions</h2>')
    body.append("".join(f'<p><b>{escape(e["name"])}</b>: <span class="verdict-{escape(str(e.get("verdict")))}">'
                        f'{escape(_ext_label(e))}</span></p>' for e in items) or '<p class="muted">none</p>')
    body.append("</section>")

    body.append('<section id="files"><h2>Files</h2>')
    for f in report["files"]:
        codes = ", ".join(f"{c}×{n}" for c, n in f["rules"].items())
        body.append(f"<details><summary>{escape(f['path'])} <span class=\"muted\">{f['changes']} change(s)"
                    f"{', error' if f.get('error') else ''}</span></summary>")
        rows = [[c, n, report["rules"].get(c, {}).get("summary", "")] for c, n in f["rules"].items()]
        if rows:
            body.append(H.table(["rule", "count", "summary"], rows, {1}))
        if f["markers"]:
            body.append(H.table(["line", "marker", "message"],
                                [[m["line"], m["code"], m["message"]] for m in f["markers"]], {0}))
        if f.get("error"):
            body.append(f"<pre>{escape(f['error'])}</pre>")
        if not codes and not f["markers"] and not f.get("error"):
            body.append('<p class="muted">nothing</p>')
        body.append("</details>")
    body.append("</section>")
    page = H.page(f"flask2quart scan: {report['root']}", "\n".join(body))
    return page.replace("</style>", EXTRA_CSS + "</style>", 1)
