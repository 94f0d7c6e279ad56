"""Run every phase of flask2quart over the installed source of real packages.

Each package is copied from this interpreter's site-packages to a temp dir (one project
per package) and checked with the reliability suite's properties
(``tests/reliability/props.py``): no crash, every output compiles, lines outside the
edits byte-identical, and a second run (after writing) is a no-op.

    .venv/bin/python benchmarks/reliability_scale.py            # all packages below
    .venv/bin/python benchmarks/reliability_scale.py flask quart # some
    .venv/bin/python benchmarks/reliability_scale.py --json out.json
    .venv/bin/python benchmarks/reliability_scale.py --fixtures    # + every fixture tree

Prints one line per package and a total: files processed, changed, crashes, outputs that
fail to compile, rewrites *rejected* by the engine's own compile check (reported and left
untouched: a rule bug, but no corruption), non-idempotent files, untouched-lines
violations, other refusals (files reported and left alone, e.g. not parsable by this
Python or by LibCST), seconds.
Exit status 1 when any crash, compile failure, idempotency or untouched-lines violation.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.props import check_tree  # noqa: E402

PACKAGES = [
    "flask", "werkzeug", "quart", "jinja2", "click", "requests", "sqlalchemy", "itsdangerous",
    "blinker", "markupsafe", "hypercorn", "httpx", "httpcore", "h11", "urllib3", "flask_sqlalchemy",
    "flask_login", "flask_wtf", "flask_cors", "flask_caching", "flask_migrate", "flask_mail",
    "alembic", "wtforms", "aiofiles", "anyio", "quart_cors", "mako", "pygments", "rich",
]


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


FIXTURES = ROOT / "fixtures"


def check_package(name: str, spans: bool = True) -> dict:
    src = FIXTURES / name if name.startswith(("apps/", "cases/")) else package_dir(name)
    if src is None:
        return {"package": name, "missing": True}
    with tempfile.TemporaryDirectory(prefix="f2q-scale-") as tmp:
        root = Path(tmp) / name.replace("/", "_")
        shutil.copytree(src, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so"))
        t0 = time.perf_counter()
        out = check_tree(root, spans=spans)
        seconds = time.perf_counter() - t0
    refused = [(rel, err) for rel, err in out.failed if rel not in out.compile_rejected]
    return {
        "package": name,
        "files": out.files,
        "changed": out.changed,
        "crashes": 1 if out.crash else 0,
        "crash": out.crash,
        "compile_failures": out.compile_failures,
        "compile_rejected": out.compile_rejected,
        "not_idempotent": out.not_idempotent,
        "tolerated_known_issues": out.tolerated,
        "untouched_changed": out.untouched_changed,
        "refused": refused,
        "seconds": round(seconds, 1),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packages", nargs="*", default=PACKAGES)
    ap.add_argument("--json", type=Path, help="write every figure (and every problem) as JSON")
    ap.add_argument("--no-spans", action="store_true", help="skip the untouched-lines check (faster)")
    ap.add_argument("--fixtures", action="store_true", help="also every fixtures/apps/* and cases/*/*/before tree")
    args = ap.parse_args(argv)
    if args.fixtures:
        args.packages = list(args.packages) + [p.relative_to(FIXTURES).as_posix() for p in sorted(
            (FIXTURES / "apps").iterdir()) + sorted((FIXTURES / "cases").glob("*/*/before"))]
    rows = []
    head = (f"{'package':18} {'files':>6} {'changed':>7} {'crash':>5} {'compile':>7} {'rejected':>8} "
            f"{'non-idem':>8} {'untouch':>7} {'refused':>7} {'s':>6}")
    print(head)
    for name in args.packages:
        r = check_package(name, spans=not args.no_spans)
        rows.append(r)
        if r.get("missing"):
            print(f"{name:18} not installed")
            continue
        print(f"{name[-18:]:18} {r['files']:6} {r['changed']:7} {r['crashes']:5} {len(r['compile_failures']):7} "
              f"{len(r['compile_rejected']):8} {len(r['not_idempotent']):8} {len(r['untouched_changed']):7} {len(r['refused']):7} {r['seconds']:6}",
              flush=True)
        for key in ("crash", "compile_failures", "compile_rejected", "not_idempotent", "untouched_changed",
                    "refused"):
            if r[key]:
                print(f"    {key}: {str(r[key])[:300]}")
    done = [r for r in rows if not r.get("missing")]
    total = {k: sum((len(r[k]) if isinstance(r[k], list) else r[k]) for r in done)
             for k in ("files", "changed", "crashes", "compile_failures", "compile_rejected", "not_idempotent",
                       "untouched_changed", "refused", "tolerated_known_issues")}
    total["seconds"] = round(sum(r["seconds"] for r in done), 1)
    total["packages"] = len(done)
    print(f"{'TOTAL':18} {total['files']:6} {total['changed']:7} {total['crashes']:5} "
          f"{total['compile_failures']:7} {total['compile_rejected']:8} {total['not_idempotent']:8} {total['untouched_changed']:7} "
          f"{total['refused']:7} {total['seconds']:6}")
    print(f"python {sys.version.split()[0]}, phase 3 (every phase), {total['packages']} packages")
    if args.json:
        args.json.write_text(json.dumps({"total": total, "packages": rows}, indent=2, default=str))
    bad = total["crashes"] + total["compile_failures"] + total["not_idempotent"] + total["untouched_changed"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
