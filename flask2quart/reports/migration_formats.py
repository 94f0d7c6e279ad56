"""Machine-readable output of ``flask2quart migrate``: JSON, GitHub annotations, SARIF.

All three are computed from one :class:`flask2quart.engine.RunResult`:

* ``json`` — :func:`report_dict`, documented by ``flask2quart/schemas/report.schema.json``;
* ``github`` — GitHub Actions workflow commands (``::warning file=…,line=…,title=…::…``):
  markers are warnings, files the tool cannot migrate are errors, and pending rewrites are
  notices (errors under ``--check``, where they fail the job);
* ``sarif`` — SARIF 2.1.0 for code scanning (``github/codeql-action/upload-sarif``).

Rewrites carry no line (the engine reports counts per rule and file), so they are
located at line 1 of their file; markers carry their own line.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from flask2quart import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FAILED_RULE = "F2Q000"  # a file the tool cannot migrate (does not parse, internal error)


def report_dict(result) -> dict[str, Any]:
    """The JSON report (``--report FILE`` / ``--format json``)."""
    return {
        "tool": "flask2quart",
        "version": __version__,
        "phase": result.phase,
        "root": str(result.root),
        "summary": {
            "files": len(result.files),
            "changed": len(result.changed),
            "failed": len(result.failed),
            "markers": len(result.markers),
        },
        "files": [
            {
                "path": f.rel,
                "status": f.status,
                "rules": dict(sorted(f.rules.items())),
                "markers": [{"code": m.code, "line": m.line, "message": m.message} for m in f.markers],
                **({"error": f.error.splitlines()[0]} if f.error else {}),
            }
            for f in result.files
            if f.status != "unchanged" or f.markers
        ],
    }


def _paths(result, base):
    """(path of each file for annotations, SRCROOT directory). With ``base`` (the current
    directory in the CLI), files inside it are named relative to it, as GitHub expects
    paths relative to the checkout; otherwise relative to the project root."""
    if base is None:
        return (lambda f: f.rel), result.root.resolve()
    base = base.resolve()
    root = result.root.resolve()
    if not root.is_relative_to(base):
        return (lambda f: f.rel), root

    def name(f) -> str:
        try:
            return f.path.resolve().relative_to(base).as_posix()
        except ValueError:
            return f.rel

    return name, base


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, file: str, line: int, title: str, message: str) -> str:
    return (f"::{level} file={_escape_prop(file)},line={max(1, int(line))},"
            f"title={_escape_prop(title)}::{_escape_data(message)}")


def _summaries() -> dict[str, Any]:
    from flask2quart.rules import load_all

    return load_all()


def _codes_text(rules) -> str:
    return ", ".join(f"{c}×{n}" for c, n in sorted(rules.items()))


def github(result, *, check: bool = False, base=None) -> str:
    """GitHub Actions annotation lines, one per marker, failed file and rewritten file."""
    registry = _summaries()
    name, _root = _paths(result, base)
    lines = []
    for f in result.files:
        if f.status == "failed":
            lines.append(annotation("error", name(f), 1, f"{FAILED_RULE} cannot migrate",
                                    (f.error or "failed").splitlines()[0]))
        elif f.status == "changed":
            level = "error" if check else "notice"
            lines.append(annotation(level, name(f), 1, "flask2quart: file needs migration",
                                    f"phase {result.phase} would rewrite this file: {_codes_text(f.rules)}"))
        for m in f.markers:
            info = registry.get(m.code)
            title = f"{m.code} {info.name}" if info else m.code
            lines.append(annotation("warning", name(f), m.line, title, m.message))
    return "\n".join(lines) + ("\n" if lines else "")


def _rule_descriptor(code: str, info) -> dict[str, Any]:
    if info is None:
        return {"id": code, "name": "cannot-migrate" if code == FAILED_RULE else code,
                "shortDescription": {"text": "A file the tool cannot migrate (does not parse, or an internal error)"
                                     if code == FAILED_RULE else code},
                "defaultConfiguration": {"level": "error"}}
    text = inspect.cleandoc(info.doc) if info.doc else info.summary
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": text},
        "help": {"text": f"{text}\n\nRun `flask2quart explain {code}` for an example."},
        "defaultConfiguration": {"level": "note" if info.safe else "warning"},
        "properties": {"phase": info.phase, "safe": info.safe, "tags": ["flask2quart", f"phase-{info.phase}"]},
    }


def _location(rel: str, line: int) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": rel, "uriBaseId": "SRCROOT"},
                                 "region": {"startLine": max(1, int(line))}}}


def sarif(result, *, check: bool = False, base=None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the run (one result per rule and rewritten file, per marker,
    per failed file)."""
    registry = _summaries()
    name, srcroot = _paths(result, base)
    results: list[dict[str, Any]] = []
    used: list[str] = []

    def rule_index(code: str) -> int:
        if code not in used:
            used.append(code)
        return used.index(code)

    for f in result.files:
        if f.status == "failed":
            results.append({"ruleId": FAILED_RULE, "ruleIndex": rule_index(FAILED_RULE), "level": "error",
                            "message": {"text": (f.error or "failed").splitlines()[0]},
                            "locations": [_location(name(f), 1)]})
        elif f.status == "changed":
            for code, n in sorted(f.rules.items()):
                info = registry.get(code)
                results.append({
                    "ruleId": code, "ruleIndex": rule_index(code), "level": "error" if check else "note",
                    "kind": "fail" if check else "review",
                    "message": {"text": f"{n} rewrite(s): {info.summary if info else code}"},
                    "locations": [_location(name(f), 1)],
                    "properties": {"count": n},
                })
        for m in f.markers:
            results.append({"ruleId": m.code, "ruleIndex": rule_index(m.code), "level": "warning",
                            "message": {"text": m.message}, "locations": [_location(name(f), m.line)]})
    root_uri = srcroot.as_uri() + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flask2quart", "version": __version__, "semanticVersion": __version__,
                "rules": [_rule_descriptor(c, registry.get(c)) for c in used],
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "properties": {"phase": result.phase},
            "results": results,
        }],
    }


def render(result, fmt: str, *, check: bool = False, base=None) -> str:
    """``base``: name files relative to this directory when they are inside it (github, sarif)."""
    if fmt == "json":
        return json.dumps(report_dict(result), indent=2) + "\n"
    if fmt == "github":
        return github(result, check=check, base=base)
    if fmt == "sarif":
        return json.dumps(sarif(result, check=check, base=base), indent=2) + "\n"
    raise ValueError(f"unknown format {fmt!r}")
