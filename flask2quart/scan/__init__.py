"""``flask2quart scan``: how big is the migration? Computed, never written.

:func:`build` runs the engine over every phase (``engine.run(paths, phase=3)``, which
writes nothing) and turns its values into one JSON-able report: the renderers in
:mod:`flask2quart.scan.render` only format it. Everything is derived from the engine's
own results — per-file rule counts and markers (``RunResult.files``), the project facts
(roles, async set, call graph) and each rule's phase from ``REGISTRY`` — so a rule added
to phase 2 or 3 shows up here without a change. Optional analyses (extension verdicts)
are imported lazily; when they are not installed the report says so instead of failing.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
PHASE_TITLES = {
    1: "Phase 1: direct port (imports, async views/hooks, awaits)",
    2: "Phase 2: blocking calls in request paths",
    3: "Phase 3: HTTP clients (requests → httpx)",
}
FRAMEWORKS = ("flask", "quart", "werkzeug")
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_QUOTED = re.compile(r"""["']([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*[<>=!~]=?[^"';]*)["']""")


# --------------------------------------------------------------------------- dependencies

def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _interesting(name: str) -> bool:
    n = _norm(name)
    return n in FRAMEWORKS or n.startswith(("flask-", "quart-"))


def _req_line(line: str) -> tuple[str, str] | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    m = _REQ.match(line)
    if not m:
        return None
    return m.group(1), m.group(3).split(";", 1)[0].strip()


def dependencies(root: Path) -> list[dict[str, str]]:
    """Flask/Quart/Werkzeug and flask-*/quart-* requirements in the project's dependency files."""
    found: list[dict[str, str]] = []

    def add(file: Path, name: str, spec: str, line: int) -> None:
        if _interesting(name):
            found.append({"name": _norm(name), "spec": spec or "(any)",
                          "file": file.relative_to(root).as_posix(), "line": line})

    candidates = sorted({*root.glob("requirements*.txt"), *root.glob("requirements/*.txt"),
                         *root.glob("requirements*.in")})
    for path in candidates:
        for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            parsed = _req_line(line)
            if parsed:
                add(path, *parsed, i)
    for name in ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile"):
        path = root / name
        if not path.is_file():
            continue
        for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if name == "setup.cfg" and not line.startswith((" ", "\t")):
                continue
            quoted = _QUOTED.findall(line) if name != "setup.cfg" else []
            for q in quoted:
                parsed = _req_line(q)
                if parsed:
                    add(path, *parsed, i)
            if name == "setup.cfg":
                parsed = _req_line(line)
                if parsed:
                    add(path, *parsed, i)
    return found


# --------------------------------------------------------------------------- facts

def _loc(scope) -> dict[str, Any]:
    return {"function": scope.qualname, "file": scope.module.rel,
            "line": getattr(scope.node, "lineno", 1)}


def _kind(roles: Iterable[str]) -> str | None:
    roles = set(roles)
    if "view" in roles:
        return "view"
    for r in sorted(roles):
        if "errorhandler" in r or r.endswith("register_error_handler"):
            return "error handler"
    for r in sorted(roles):
        if r.startswith(("hook:", "sync-hook:")):
            return "hook"
    return None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _handlers(facts) -> list[dict[str, Any]]:
    out = []
    for scope, roles in facts.roles.items():
        kind = _kind(roles)
        if kind is None:
            continue
        registrations = sorted(r.split(":", 1)[1] for r in roles if ":" in r)
        changes: list[str] = []
        if scope in facts.async_funcs and not scope.is_async:
            changes.append("def → async def (F2Q103)")
        sites = _unique(s.reason for s in facts.direct_sites.get(scope, ()))
        if sites:
            changes.append("await " + ", ".join(sites))
        callees = _unique(c.qualname for _call, c, _e in facts.calls.get(scope, ())
                          if c in facts.async_funcs)
        if callees:
            changes.append("await project calls: " + ", ".join(callees))
        if scope in facts.must_sync:
            changes.append(f"stays sync: {facts.must_sync[scope]}")
        out.append({**_loc(scope), "kind": kind, "registrations": registrations,
                    "async_after": scope in facts.async_funcs, "changes": changes or ["none"]})
    return sorted(out, key=lambda d: (d["file"], d["line"]))


def _chain(facts, start) -> list[str]:
    """Shortest call chain from ``start`` to a function that awaits something itself
    (or is already async / wraps views): the reason ``start`` must become async."""
    def is_root(s) -> bool:
        return bool(facts.direct_sites.get(s)) or s.is_async or s in facts.decorator_wrappers

    seen = {start}
    queue = deque([(start, [start])])
    while queue:
        s, path = queue.popleft()
        if s is not start and is_root(s) or (s is start and facts.direct_sites.get(s)):
            names = [p.qualname for p in path]
            sites = facts.direct_sites.get(s)
            if sites:
                names.append(f"awaits {sites[0].reason}")
            return names
        for _call, callee, _e in facts.calls.get(s, ()):
            if callee in facts.async_funcs and callee not in seen:
                seen.add(callee)
                queue.append((callee, [*path, callee]))
    why = facts.why_async.get(start)
    return [start.qualname, why] if why else [start.qualname]


def _frontier(facts) -> list[dict[str, Any]]:
    """Helpers (not views/hooks) that become async, with the chain forcing it."""
    out = []
    for scope in facts.async_funcs:
        if scope.is_async or _kind(facts.roles.get(scope, ())) is not None:
            continue
        callers = sorted({c.qualname for c, _call in facts.callers.get(scope, ())})
        modules = {scope.module.module, *(c.module.module for c, _ in facts.callers.get(scope, ()))}
        rel = scope.module.rel
        is_test = (rel.startswith("tests/") or "/tests/" in rel or rel.rsplit("/", 1)[-1].startswith("test_")
                   or rel.endswith("conftest.py"))
        out.append({**_loc(scope), "why": facts.why_async.get(scope, ""), "chain": _chain(facts, scope),
                    "callers": callers, "cross_module": len(modules) > 1, "test": is_test})
    return sorted(out, key=lambda d: (d["file"], d["line"]))


def _conflicts(facts) -> list[dict[str, Any]]:
    out = []
    for scope, node, message in facts.conflicts:
        out.append({"function": scope.qualname, "file": scope.module.rel,
                    "line": getattr(node, "lineno", getattr(scope.node, "lineno", 1)), "message": message})
    return out


# --------------------------------------------------------------------------- extensions

def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "value") and hasattr(value, "name"):  # an Enum
        return _plain(value.value)
    return str(value)


def _imported_extensions(index) -> dict[str, list[str]]:
    """Fallback: ``flask_*`` modules imported anywhere (module → files)."""
    found: dict[str, set[str]] = defaultdict(set)
    for info in index.modules.values():
        for node in ast.walk(info.source.tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for n in names:
                top = n.split(".")[0]
                if top.startswith("flask_") or n.startswith("flask.ext."):
                    found[top].add(info.source.rel)
    return {k: sorted(v) for k, v in sorted(found.items())}


VERDICT_LABELS = {"swap": "native swap", "bridge": "kept through the bridge", "person": "needs a person"}


def _catalogue_fact(name: str) -> dict[str, Any]:
    try:
        from flask2quart.catalogue.extensions import EXTENSIONS
    except ImportError:
        return {}
    fact = EXTENSIONS.get(name)
    if fact is None:
        return {}
    return {k: getattr(fact, k) for k in ("quart_module", "quart_requirement", "advice") if hasattr(fact, k)}


def extensions(facts) -> dict[str, Any]:
    """Extensions in use and their verdicts, from ``flask2quart.analysis.extensions`` when
    it is available; else the imported ``flask_*`` modules without a verdict."""
    imported = _imported_extensions(facts.index)
    try:
        from flask2quart.analysis.extensions import extension_usage
    except ImportError as exc:
        return {"source": "imports", "note": f"extension catalogue not available ({exc})",
                "items": [{"name": n, "files": f, "verdict": "unknown"} for n, f in imported.items()]}
    try:
        usage = extension_usage(facts.index)
    except Exception as exc:  # an analysis bug must not sink the whole report
        return {"source": "imports", "note": f"extension analysis failed: {type(exc).__name__}: {exc}",
                "items": [{"name": n, "files": f, "verdict": "unknown"} for n, f in imported.items()]}
    if isinstance(usage, dict):
        usage = [{"name": k, **(v if isinstance(v, dict) else {"verdict": v})}
                 for k, v in (_plain(usage) or {}).items()]
    items = []
    for item in usage or ():
        d = _plain(item)
        if not isinstance(d, dict):
            d = {"name": str(d)}
        d.setdefault("name", d.get("extension") or d.get("module") or "?")
        d.setdefault("verdict", d.get("status") or d.get("kind") or "unknown")
        d.setdefault("files", imported.get(d["name"], []))
        d.update({k: v for k, v in _catalogue_fact(d["name"]).items() if k not in d})
        items.append(d)
    return {"source": "flask2quart.analysis.extensions", "note": "", "items": items}


# --------------------------------------------------------------------------- the report

def _rule_table(registry) -> dict[str, dict[str, Any]]:
    return {code: {"name": i.name, "phase": i.phase, "summary": i.summary, "safe": i.safe}
            for code, i in registry.items()}


def _module_of(rel: str) -> str:
    """``pkg/sub/mod.py`` → ``pkg.sub.mod`` (packages by their ``__init__``); other files as is."""
    if not rel.endswith(".py"):
        return rel
    dotted = rel[:-3].replace("/", ".")
    return dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted


def build(paths: list[Path], *, excludes: Iterable[str] = (), select: set[str] | None = None,
          target_quart: str | None = None, config_path: Path | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """The scan report of ``paths`` as a JSON-able dict (see schemas/scan.schema.json)."""
    from flask2quart import engine
    from flask2quart.rules import load_all

    registry = load_all()
    result = engine.run(list(paths), 3, excludes=excludes, select=select, progress=progress)
    facts = result.facts
    phase_of = {code: info.phase for code, info in registry.items()}

    per_phase: dict[int, dict[str, Any]] = {
        p: {"phase": p, "title": PHASE_TITLES[p], "edits": 0, "markers": 0, "files": 0, "rules": Counter(),
            "items": []} for p in (1, 2, 3)}
    files_out, modules = [], Counter()
    for f in result.files:
        if f.status == "unchanged" and not f.markers and not f.error:
            continue
        phases_here: set[int] = set()
        for code, n in f.rules.items():
            p = phase_of.get(code, 1)
            per_phase[p]["edits"] += n
            per_phase[p]["rules"][code] += n
            phases_here.add(p)
            per_phase[p]["items"].append({"file": f.rel, "code": code, "count": n, "line": None,
                                          "kind": "edit", "message": registry[code].summary
                                          if code in registry else ""})
        for m in f.markers:
            p = phase_of.get(m.code, 1)
            per_phase[p]["markers"] += 1
            per_phase[p]["rules"][m.code] += 1
            phases_here.add(p)
            per_phase[p]["items"].append({"file": f.rel, "code": m.code, "count": 1, "line": m.line,
                                          "kind": "marker", "message": m.message})
        for p in phases_here:
            per_phase[p]["files"] += 1
        total = sum(f.rules.values()) + len(f.markers)
        modules[_module_of(f.rel)] += total
        files_out.append({
            "path": f.rel, "status": f.status, "rules": dict(sorted(f.rules.items())),
            "markers": [{"code": m.code, "line": m.line, "message": m.message}
                        for m in sorted(f.markers, key=lambda m: (m.line, m.code))],
            "changes": total, **({"error": f.error.splitlines()[0]} if f.error else {}),
        })
    phases = []
    for p in (1, 2, 3):
        d = per_phase[p]
        d["rules"] = dict(sorted(d["rules"].items()))
        d["items"].sort(key=lambda i: (i["file"], i["line"] or 0, i["code"]))
        phases.append(d)

    deps = dependencies(result.root)
    handlers = _handlers(facts) if facts else []
    frontier = _frontier(facts) if facts else []
    summary = {
        "python_files": sum(1 for f in result.files if f.rel.endswith(".py")),
        "files": len(result.files),
        "files_touched": sum(1 for f in result.files if f.status == "changed"),
        "failed": len(result.failed),
        "edits": sum(d["edits"] for d in phases),
        "markers": len(result.markers),
        "views": sum(1 for h in handlers if h["kind"] == "view"),
        "hooks": sum(1 for h in handlers if h["kind"] == "hook"),
        "error_handlers": sum(1 for h in handlers if h["kind"] == "error handler"),
        "async_helpers": sum(1 for h in frontier if not h["test"]),
        "async_test_functions": sum(1 for h in frontier if h["test"]),
        "per_phase": {str(d["phase"]): {"edits": d["edits"], "markers": d["markers"], "files": d["files"]}
                      for d in phases},
    }
    return {
        "tool": "flask2quart", "kind": "scan", "schema_version": SCHEMA_VERSION,
        "root": str(result.root),
        "config": str(config_path) if config_path else None,
        "target_quart": target_quart,
        "python": ".".join(map(str, sys.version_info[:3])),
        "dependencies": deps,
        "summary": summary,
        "handlers": handlers,
        "frontier": frontier,
        "conflicts": _conflicts(facts) if facts else [],
        "extensions": extensions(facts) if facts else {"source": "none", "note": "", "items": []},
        "phases": phases,
        "files": files_out,
        "modules": [{"module": m, "changes": n} for m, n in sorted(modules.items(), key=lambda kv: (-kv[1], kv[0]))],
        "rules": _rule_table({c: registry[c] for c in sorted({*(c for d in phases for c in d["rules"])}
                                                              & set(registry))}),
    }
