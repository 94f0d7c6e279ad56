"""Reports for ``flask2quart verify``: text, json, junit, markdown and html.

All of them are built from a :class:`flask2quart.harness.api.VerifyResult` by
streaming its records from disk, and every request, response and field value goes
through the result's :class:`~flask2quart.harness.redact.Redactor` first.

* **text** - verdict, per-endpoint table, normalizers that fired, noise, then the
  first differences with their field diff and a curl line.
* **json** - everything, machine-readable; also the ``--accept`` file format.
* **junit** - one test case per replayed request (classname = endpoint).
* **markdown** - for a pull-request comment: tables plus collapsible details.
* **html** - one self-contained page with side-by-side body diffs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from flask2quart import __version__
from flask2quart.harness.corpus import CorpusRequest, from_mapping, read_at
from flask2quart.harness.protocol import get_body
from flask2quart.harness.redact import REDACTED, Redactor
from flask2quart.harness.reproduce import curl_line, pytest_snippet
from flask2quart.reports import html as h
from flask2quart.reports import markdown as md
from flask2quart.reports.junit import JUnitWriter

if TYPE_CHECKING:
    from flask2quart.harness.api import VerifyResult

FORMATS = ("text", "json", "junit", "markdown", "html")
EXTENSIONS = {".txt": "text", ".json": "json", ".xml": "junit", ".md": "markdown", ".html": "html", ".htm": "html"}
BODY_LIMIT = 20000
TEXT_DETAILS = 20
MARKDOWN_DETAILS = 30
MARKDOWN_BUDGET = 60000  # GitHub comments stop at 65,536 characters
HTML_DETAILS = 500


def format_for(path: Path, default: str | None = None) -> str:
    fmt = EXTENSIONS.get(path.suffix.lower(), default)
    if fmt is None:
        raise ValueError(f"cannot tell the report format of {path} (use FORMAT:PATH, one of {', '.join(FORMATS)})")
    return fmt


def render(result: VerifyResult, fmt: str) -> str:
    buf = io.StringIO()
    _WRITERS[fmt](result, buf)
    return buf.getvalue()


def write(result: VerifyResult, fmt: str, path: Path) -> None:
    if fmt not in _WRITERS:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        _WRITERS[fmt](result, out)


# ---------------------------------------------------------------------------
# presenting records (redacted)


def _value(v: Any, limit: int = 200) -> str:
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "…"


def _header(msg: dict[str, Any], name: str) -> str | None:
    for k, v in msg.get("headers", ()):
        if k.lower() == name:
            return v
    return None


def _body_text(msg: dict[str, Any], redactor: Redactor, body_key: str = "body") -> str:
    if body_key + "_b64" in msg:
        data = get_body(msg, body_key)
        return f"<{len(data)} bytes of binary data>"
    text = msg.get(body_key) or ""
    content_type = _header(msg, "content-type")
    out = redactor.body(text, content_type)
    if len(out) > BODY_LIMIT:
        out = out[:BODY_LIMIT] + f"\n… ({len(out)} characters)"
    return out


def present_response(msg: dict[str, Any] | None, redactor: Redactor) -> dict[str, Any]:
    if not msg:
        return {}
    if "error" in msg:  # messages quote what failed (URLs, exceptions): redacted like text
        return {"error": redactor.data(msg["error"])}
    out: dict[str, Any] = {
        "status": msg.get("status"),
        "headers": redactor.headers_list(msg.get("headers", ())),
        "body": _body_text(msg, redactor),
    }
    session = msg.get("session")
    if session:
        out["session"] = dict(session, data=redactor.data(session.get("data"))) if session.get("ok") else session
    if msg.get("exception"):  # messages and tracebacks may quote secrets
        exc = msg["exception"]
        out["exception"] = ({k: (redactor.text(v) if isinstance(v, str) else v) for k, v in exc.items()}
                            if isinstance(exc, dict) else redactor.text(str(exc)))
    calls = []
    for call in msg.get("outbound", ()):
        c: dict[str, Any] = {
            "method": call["method"],
            "url": redactor.url(call["url"]),
            "library": call.get("library"),
            "headers": redactor.headers_list(call.get("headers", ())),
            "body": _body_text(call, redactor) if not call.get("body_streamed") else "<streamed body>",
        }
        if "matched" in call:
            c["matched_recording"] = call["matched"]
        if "response" in call:
            c["response_status"] = call["response"]["status"]
        if "error" in call:
            c["error"] = redactor.data(call["error"])
        calls.append(c)
    if calls:
        out["outbound"] = calls
    return out


def present_request(req: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    return {
        "method": req["method"],
        "path": redactor.path(req["path"]),
        "scheme": req.get("scheme", "http"),
        "headers": redactor.headers_list(req.get("headers", ())),
        "body": _body_text(req, redactor),
    }


def present_fields(rec: dict[str, Any], redactor: Redactor) -> list[dict[str, Any]]:
    out = []
    for f in rec.get("fields", ()):
        item = {"field": f["field"], "class": f["class"], "fingerprint": f["fingerprint"]}
        for side in ("baseline", "candidate"):
            if side in f:
                item[side] = redactor.field_value(f["field"], f[side])
            else:
                item[side + "_missing"] = True
        if item.get("baseline") == item.get("candidate") == REDACTED:
            item["note"] = "secret values differ"
        out.append(item)
    return out


def _corpus_request(rec: dict[str, Any]) -> CorpusRequest:
    src = {"method": rec["method"], "path": rec["path"], "session": rec["session"]}
    req = rec.get("request", {})
    if req.get("headers"):
        src["headers"] = [[k, v] for k, v in req["headers"] if k.lower() != "cookie"]
    if "body" in req:
        src["body"] = req["body"]
    elif "body_b64" in req:
        src["body_b64"] = req["body_b64"]
    if req.get("scheme", "http") != "http":
        src["scheme"] = req["scheme"]
    out = from_mapping(src)
    return CorpusRequest(**{**out.__dict__, "line": rec["line"], "seq": rec["seq"], "offset": rec["offset"]})


def reproducers(result: VerifyResult, rec: dict[str, Any]) -> dict[str, str]:
    if "request" not in rec:
        return {}
    redactor = result.redactor
    out = {"curl": curl_line(rec["request"], redactor)}
    history: list[CorpusRequest] = []
    if rec.get("history") and result.corpus_file is not None:
        try:
            history = read_at(result.corpus_file, rec["history"])
        except Exception:  # the corpus changed since the run: snippet without history
            history = []
    baseline = rec.get("baseline") or {}
    if "error" not in baseline:
        differing = [f["field"] for f in rec.get("fields", ()) if f["class"] == "difference"]
        out["pytest"] = pytest_snippet(
            app_expr=result.app, request=_corpus_request(rec), history=history, expected=baseline,
            differing=differing, setup_cli=result.setup_cli, redactor=redactor, env_keys=result.env_keys,
        )
    return out


def present(result: VerifyResult, rec: dict[str, Any], *, full: bool = True) -> dict[str, Any]:
    redactor = result.redactor
    out: dict[str, Any] = {
        "line": rec["line"],
        "id": rec.get("id"),
        "session": rec["session"],
        "method": rec["method"],
        "path": redactor.path(rec["path"]),
        "endpoint": redactor.path(rec["endpoint"]),
        "outcome": rec["outcome"],
        "fields": present_fields(rec, redactor),
    }
    if rec.get("normalizers"):
        out["normalizers"] = rec["normalizers"]
    if rec.get("errors"):
        out["errors"] = [
            {k: (redactor.text(v) if isinstance(v, str) else v) for k, v in e.items()} for e in rec["errors"]
        ]
    if full and "request" in rec:
        out["request"] = present_request(rec["request"], redactor)
        out["baseline"] = present_response(rec.get("baseline"), redactor)
        out["candidate"] = present_response(rec.get("candidate"), redactor)
        out["reproduce"] = reproducers(result, rec)
    return out


def _flagged(result: VerifyResult, outcomes: tuple[str, ...] = ("different", "error", "accepted", "noise")) -> Iterator[dict[str, Any]]:
    for rec in result.records():
        if rec["outcome"] in outcomes:
            yield rec


def _verdict(result: VerifyResult) -> str:
    return "PASS" if result.ok else "FAIL"


def _field_line(f: dict[str, Any]) -> str:
    a = "(absent)" if f.get("baseline_missing") else _value(f.get("baseline"))
    b = "(absent)" if f.get("candidate_missing") else _value(f.get("candidate"))
    tag = "" if f["class"] == "difference" else f"  [{f['class']}]"
    note = f"  ({f['note']})" if f.get("note") else ""
    return f"{f['field']}: {a} -> {b}{tag}{note}"


# ---------------------------------------------------------------------------
# text


def write_text(result: VerifyResult, out: TextIO) -> None:
    out.write(f"flask2quart verify: {_verdict(result)} - {result.summary()}\n")
    for name, side in result.sides.items():
        out.write(f"  {name:<9} {side.tree} ({side.framework} {side.framework_version}, Python {side.python_version})\n")
    out.write(f"  app       {result.app}\n  corpus    {result.corpus}\n")
    out.write(f"  time      {result.seconds:.1f} s ({result.pairs_per_second:.0f} request pairs/s replayed)\n")
    if not result.aa:
        out.write("  noise     A/A run disabled: nothing is classified as noise\n")
    if result.restarts:
        out.write("  restarts  " + ", ".join(f"{k}: {v}" for k, v in result.restarts.items()) + "\n")
    out.write("\n")
    rows = [
        (e.endpoint, e.requests, e.equal, e.different, e.noise, e.accepted, e.error) for e in result.endpoints
    ]
    headers = ("endpoint", "requests", "equal", "differing", "noise", "accepted", "errors")
    width = max([len(headers[0])] + [len(r[0]) for r in rows])
    out.write(f"{headers[0]:<{width}}  " + "  ".join(f"{h:>9}" for h in headers[1:]) + "\n")
    for r in rows:
        out.write(f"{r[0]:<{width}}  " + "  ".join(f"{v:>9}" for v in r[1:]) + "\n")
    if result.normalizers:
        out.write("\nNormalized (framework-only differences, not counted):\n")
        for n in result.normalizers:
            out.write(f"  {n['name']} ({n['count']} requests): {n['summary']}\n")
    if result.noise_fields:
        out.write("\nNoise (differs between two baseline runs, not counted):\n")
        for endpoint, fields in result.noise_fields.items():
            out.write(f"  {endpoint}: {', '.join(fields)}\n")
    shown = 0
    failing = result.different + result.errors
    if failing:
        out.write(f"\nDifferences (first {min(TEXT_DETAILS, failing)} of {failing}):\n")
        for rec in _flagged(result, ("different", "error")):
            if shown >= TEXT_DETAILS:
                break
            shown += 1
            p = present(result, rec)
            out.write(f"\n[line {p['line']}] {p['method']} {p['path']} (session {p['session']}, {p['endpoint']}): {p['outcome']}\n")
            for e in p.get("errors", ()):
                out.write(f"  {e['side']} {e['kind']}: {e['message']}\n")
            for f in p["fields"]:
                out.write(f"  {_field_line(f)}\n")
            if p.get("reproduce", {}).get("curl"):
                out.write(f"  reproduce: {p['reproduce']['curl']}\n")


# ---------------------------------------------------------------------------
# json


def write_json(result: VerifyResult, out: TextIO) -> None:
    head = {
        "tool": "flask2quart verify",
        "version": __version__,
        "ok": result.ok,
        "exit_code": result.exit_code,
        "summary": {
            "requests": result.total, "equal": result.equal, "different": result.different, "noise": result.noise,
            "accepted": result.accepted, "errors": result.errors, "seconds": round(result.seconds, 3),
            "replay_seconds": round(result.replay_seconds, 3), "pairs_per_second": round(result.pairs_per_second, 1),
        },
        "app": result.app,
        "corpus": result.corpus,
        "aa_run": result.aa,
        "sides": {k: v.as_dict() for k, v in result.sides.items()},
        "restarts": result.restarts,
        "normalizers": result.normalizers,
        "noise_fields": result.noise_fields,
        "endpoints": [e.as_dict() for e in result.endpoints],
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    out.write(text[: text.rfind("}")].rstrip() + ',\n  "differences": [')
    first = True
    for rec in _flagged(result):
        out.write("\n    " if first else ",\n    ")
        out.write(json.dumps(present(result, rec, full=rec["outcome"] != "noise"), ensure_ascii=False, default=str))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")


# ---------------------------------------------------------------------------
# junit


def write_junit(result: VerifyResult, out: TextIO) -> None:
    props = {f"{k}.{a}": str(getattr(v, a)) for k, v in result.sides.items() for a in ("tree", "framework", "framework_version", "python_version")}
    props.update({"app": result.app, "corpus": result.corpus})
    writer = JUnitWriter(
        out, "flask2quart verify", tests=result.total, failures=result.different, errors=result.errors,
        time=result.seconds, properties=props,
    )
    redactor = result.redactor
    for rec in result.records():
        name = f"line {rec['line']}: {rec['method']} {redactor.path(rec['path'])}"
        if rec.get("id"):
            name += f" [{rec['id']}]"
        classname = redactor.path(rec["endpoint"])
        outcome = rec["outcome"]
        if outcome in ("equal",):
            writer.case(classname, name)
            continue
        p = present(result, rec)
        lines = [_field_line(f) for f in p["fields"]]
        if p.get("reproduce", {}).get("curl"):
            lines.append("reproduce: " + p["reproduce"]["curl"])
        if outcome == "different":
            n = sum(1 for f in p["fields"] if f["class"] == "difference")
            writer.case(classname, name, failure=("difference", f"{n} field(s) differ: " + ", ".join(f["field"] for f in p["fields"] if f["class"] == "difference")[:300], "\n".join(lines)))
        elif outcome == "error":
            errs = p.get("errors", [])
            message = "; ".join(f"{e['side']} {e['kind']}: {e['message']}" for e in errs)
            detail = "\n".join([message] + [e.get("detail", "") for e in errs if e.get("detail")])
            writer.case(classname, name, error=(errs[0]["kind"] if errs else "error", message, detail))
        else:
            writer.case(classname, name, system_out=f"{outcome}: " + "; ".join(lines))
    writer.close()


# ---------------------------------------------------------------------------
# markdown


def write_markdown(result: VerifyResult, out: TextIO) -> None:
    icon = "✅" if result.ok else "❌"
    parts = [f"### {icon} flask2quart verify: {_verdict(result)}", "", result.summary() + ".", ""]
    parts.append(md.table(
        ["side", "tree", "framework", "Python"],
        [[k, v.tree, f"{v.framework} {v.framework_version}", v.python_version] for k, v in result.sides.items()],
    ))
    parts += ["", md.table(
        ["endpoint", "requests", "equal", "differing", "noise", "accepted", "errors"],
        [[md.inline_code(e.endpoint), e.requests, e.equal, e.different, e.noise, e.accepted, e.error] for e in result.endpoints],
        align="lrrrrrr",
    )]
    if result.normalizers:
        parts += ["", "**Normalized** (framework-only differences, not counted):", "", md.table(
            ["normalizer", "requests", "why"],
            [[md.inline_code(n["name"]), n["count"], n["summary"]] for n in result.normalizers], align="lrl",
        )]
    if result.noise_fields:
        parts += ["", "**Noise** (differs between two baseline runs):", ""]
        parts += [f"- {md.inline_code(ep)}: " + ", ".join(md.inline_code(f) for f in fields) for ep, fields in result.noise_fields.items()]
    body = "\n".join(parts) + "\n"
    failing = result.different + result.errors
    if failing:
        body += f"\n#### Differences ({failing})\n"
        shown = 0
        for rec in _flagged(result, ("different", "error")):
            if shown >= MARKDOWN_DETAILS or len(body) > MARKDOWN_BUDGET:
                body += f"\n…and {failing - shown} more; see the HTML or JSON report.\n"
                break
            shown += 1
            p = present(result, rec)
            rows = [
                [md.inline_code(f["field"]), "*(absent)*" if f.get("baseline_missing") else md.inline_code(_value(f.get("baseline"), 120)),
                 "*(absent)*" if f.get("candidate_missing") else md.inline_code(_value(f.get("candidate"), 120)), f["class"]]
                for f in p["fields"]
            ]
            inner = []
            for e in p.get("errors", ()):
                inner.append(f"- **{e['side']} {e['kind']}**: {e['message']}")
            if rows:
                inner.append(md.table(["field", "baseline", "candidate", "class"], rows))
            rep = p.get("reproduce", {})
            if rep.get("curl"):
                inner += ["", "Reproduce:", md.fence(rep["curl"], "sh")]
            if rep.get("pytest"):
                inner += ["", md.fence(rep["pytest"], "python")]
            title = f"line {p['line']}: <code>{escape(p['method'])} {escape(p['path'])}</code> — {p['outcome']}"
            body += "\n" + md.details(title, "\n".join(inner)) + "\n"
    out.write(body)


# ---------------------------------------------------------------------------
# html


def _response_html(resp: dict[str, Any]) -> str:
    if not resp:
        return "<p class=\"muted\">(none)</p>"
    if "error" in resp:
        e = resp["error"]
        return f"<p class=\"bad\">{escape(e.get('kind', ''))}: {escape(e.get('message', ''))}</p><pre>{escape(e.get('detail', ''))}</pre>"
    head = "\n".join(f"{k}: {v}" for k, v in resp.get("headers", ()))
    parts = [f"<pre>{escape(str(resp.get('status')))}\n{escape(head)}</pre>"]
    if resp.get("session"):
        parts.append(f"<p>session: <code>{escape(json.dumps(resp['session'].get('data'), ensure_ascii=False, sort_keys=True))}</code></p>")
    if resp.get("exception"):
        parts.append(f"<p class=\"bad\">exception: {escape(resp['exception']['type'])}: {escape(resp['exception']['message'])}</p>")
    for call in resp.get("outbound", ()):
        parts.append(f"<p>outbound: <code>{escape(call['method'])} {escape(call['url'])}</code> ({escape(str(call.get('library')))})</p>")
    return "".join(parts)


def write_html(result: VerifyResult, out: TextIO) -> None:
    cls = "ok" if result.ok else "bad"
    parts = [f"<h1>flask2quart verify: <span class=\"{cls}\">{_verdict(result)}</span></h1>", f"<p>{escape(result.summary())}</p>"]
    parts.append(h.table(
        ["side", "tree", "framework", "Python", "interpreter"],
        [[k, v.tree, f"{v.framework} {v.framework_version}", v.python_version, v.python] for k, v in result.sides.items()],
    ))
    parts.append(f"<p class=\"muted\">app <code>{escape(result.app)}</code>, corpus <code>{escape(result.corpus)}</code>, "
                 f"{result.seconds:.1f} s, {result.pairs_per_second:.0f} request pairs/s</p>")
    parts.append("<h2>Endpoints</h2>")
    parts.append(h.table(
        ["endpoint", "requests", "equal", "differing", "noise", "accepted", "errors"],
        [[e.endpoint, e.requests, e.equal, e.different, e.noise, e.accepted, e.error] for e in result.endpoints],
        num_cols={1, 2, 3, 4, 5, 6},
    ))
    if result.normalizers:
        parts.append("<h2>Normalized framework differences</h2><table><tr><th>normalizer</th><th>requests</th><th>why</th><th>source</th></tr>")
        for n in result.normalizers:
            parts.append(f"<tr><td><code>{escape(n['name'])}</code></td><td class=\"num\">{n['count']}</td>"
                         f"<td><b>{escape(n['summary'])}</b><br>{escape(n['explanation'])}</td><td>{escape(n['source'])}</td></tr>")
        parts.append("</table>")
    if result.noise_fields:
        parts.append("<h2>Noise (differs between two baseline runs)</h2><ul>")
        for ep, fields in result.noise_fields.items():
            parts.append(f"<li><code>{escape(ep)}</code>: " + ", ".join(f"<code>{escape(f)}</code>" for f in fields) + "</li>")
        parts.append("</ul>")
    out.write(h.head("flask2quart verify report"))
    out.write("\n".join(parts))
    failing = result.different + result.errors
    details: list[str] = []
    if failing:
        details.append(f"<h2>Differences ({failing})</h2>")
    shown = 0
    for rec in _flagged(result, ("different", "error", "accepted")):
        if shown >= HTML_DETAILS:
            details.append("<p class=\"muted\">… more in the JSON report.</p>")
            break
        shown += 1
        p = present(result, rec)
        rows = "".join(
            f"<tr><td><code>{escape(f['field'])}</code></td>"
            f"<td class=\"del\">{'<i>(absent)</i>' if f.get('baseline_missing') else escape(_value(f.get('baseline'), 2000))}</td>"
            f"<td class=\"ins\">{'<i>(absent)</i>' if f.get('candidate_missing') else escape(_value(f.get('candidate'), 2000))}</td>"
            f"<td>{escape(f['class'])}</td></tr>"
            for f in p["fields"]
        )
        errs = "".join(f"<p class=\"bad\">{escape(e['side'])} {escape(e['kind'])}: {escape(e['message'])}</p>" for e in p.get("errors", ()))
        req = p.get("request", {})
        req_text = f"{req.get('method')} {req.get('path')}\n" + "\n".join(f"{k}: {v}" for k, v in req.get("headers", ())) + (f"\n\n{req['body']}" if req.get("body") else "")
        base, cand = p.get("baseline", {}), p.get("candidate", {})
        body_diff = ""
        if "body" in base and "body" in cand and base.get("body") != cand.get("body"):
            body_diff = "<h4>Body</h4>" + h.side_by_side(base["body"], cand["body"], "baseline", "candidate")
        rep = p.get("reproduce", {})
        repro = ""
        if rep.get("curl"):
            repro += f"<h4>Reproduce</h4><pre>{escape(rep['curl'])}</pre>"
        if rep.get("pytest"):
            repro += f"<pre>{escape(rep['pytest'])}</pre>"
        details.append(
            f"<details{' open' if shown <= 3 else ''}><summary>line {p['line']}: <code>{escape(p['method'])} {escape(p['path'])}</code> "
            f"<span class=\"badge\">{escape(p['outcome'])}</span> <span class=\"muted\">{escape(p['endpoint'])}, session {escape(p['session'])}</span></summary>"
            f"{errs}<table><tr><th>field</th><th>baseline</th><th>candidate</th><th>class</th></tr>{rows}</table>"
            f"<h4>Request</h4><pre>{escape(req_text)}</pre>"
            f"<table class=\"diff\"><tr><th>baseline response</th><th>candidate response</th></tr>"
            f"<tr><td>{_response_html(base)}</td><td>{_response_html(cand)}</td></tr></table>"
            f"{body_diff}{repro}</details>"
        )
        out.write("\n".join(details) + "\n")
        details.clear()
    out.write("\n".join(details) + h.TAIL)


_WRITERS = {
    "text": write_text,
    "json": write_json,
    "junit": write_junit,
    "markdown": write_markdown,
    "html": write_html,
}
