"""Migration speed: ``flask2quart migrate --phase 3 --dry-run`` against a LibCST no-op.

    .venv/bin/python benchmarks/migration_speed.py            # ~1,000 modules + 5 real packages
    .venv/bin/python benchmarks/migration_speed.py --quick    # 30 modules, no vendored packages (CI)

Every measurement runs in a fresh process (``--worker``) on the same generated corpus, in
this order, in one run (twice by default, alternating; the best of each is reported, as the
machine's speed drifts by several per cent from one minute to the next):

- ``noop``     the anchor: LibCST ``parse_module`` + ``.bytes`` codegen of every file, one
               process (what ``python -m libcst.tool codemod`` does with a no-op transform,
               without its process pool and file writes);
- ``api``      :func:`flask2quart.engine.run` (phase 3, nothing written, no cache), one process;
- ``cli``      ``flask2quart migrate --phase 3 --dry-run --no-cache``, one process (whole
               process CPU time: interpreter start-up and imports included);
- ``api-j2``   the engine with ``jobs=2`` (CPU time of the parent and its workers, and wall).

Figures: lines per CPU-second (and wall), peak RSS (``ru_maxrss``) of the measuring process,
and the number of ``libcst.Module`` objects still alive after the run (must be ~0: no
whole-project CST is kept). The last line is the ratio engine CPU time / no-op CPU time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))


def _py_files(root: Path) -> list[Path]:
    from flask2quart.analysis.project import iter_files

    _, files = iter_files([root], [])
    return [f for f in files if f.suffix == ".py"]


def _live_cst_modules() -> int:
    import libcst as cst

    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is cst.Module and o.body)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker(kind: str, corpus: Path, jobs: int) -> dict:
    """One measurement in this (fresh) process; returns figures as a dict."""
    import libcst as cst  # noqa: F401  (imports are not part of the measured time)

    from flask2quart import engine

    files = _py_files(corpus)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    out = {"kind": kind, "files": len(files), "lines": lines}
    if kind == "noop":
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        failed = 0
        for p in files:
            raw = p.read_bytes()
            try:
                mod = cst.parse_module(raw)
            except cst.ParserSyntaxError:
                failed += 1
                continue
            assert mod.bytes == raw
            del mod
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        out.update(failed=failed)
    else:
        engine._rule_classes()  # import the rule modules outside the timed region
        from flask2quart.rules import load_all

        load_all()
        ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c0, w0 = time.process_time(), time.perf_counter()
        result = engine.run([corpus], 3, jobs=jobs)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += (ch1.ru_utime - ch0.ru_utime) + (ch1.ru_stime - ch0.ru_stime)
        out.update(changed=len(result.changed), failed=len(result.failed),
                   markers=len(result.markers), checked=len(result.files))
        del result
    out.update(cpu=cpu, wall=wall, maxrss_mib=_maxrss_mib(), live_cst_modules=_live_cst_modules())
    return out


def _run_worker(kind: str, corpus: Path, jobs: int = 1) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, "--corpus", str(corpus),
                           "--jobs", str(jobs)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_cli(corpus: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flask2quart", "migrate", "--phase", "3",
                           "--dry-run", "--no-cache", str(corpus)],
                          capture_output=True, text=True, cwd=HERE.parent)
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # exit 2 with a summary: some files could not be migrated (reported per file, counted)
    if proc.returncode not in (0, 1) and "file(s) failed" not in proc.stdout + proc.stderr:
        raise SystemExit(f"cli failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"kind": "cli", "cpu": cpu, "wall": wall, "maxrss_mib": after.ru_maxrss / 1024,
            "exit": proc.returncode}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small corpus, no vendored packages")
    ap.add_argument("--modules", type=int, default=None)
    ap.add_argument("--no-vendor", action="store_true")
    ap.add_argument("--corpus", type=Path, help="use this tree instead of generating one")
    ap.add_argument("--rounds", type=int, default=None,
                    help="alternating rounds of the four measurements, best of each kept "
                         "(default 2; 1 with --quick)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus, args.jobs)))
        return 0

    from benchmarks.gen_corpus import generate

    tmp = tempfile.TemporaryDirectory(prefix="f2q-corpus-")
    corpus = args.corpus
    if corpus is None:
        corpus = Path(tmp.name) / "corpus"
        modules = args.modules or (30 if args.quick else 1000)
        stats = generate(corpus, modules, vendor=not (args.quick or args.no_vendor))
        print("corpus: " + ", ".join(f"{k} {f} files/{n} lines" for k, (f, n) in sorted(stats.items())))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    # alternate the measurements and keep the best of each kind (the machine's speed drifts
    # by several per cent from one minute to the next)
    rounds = args.rounds or (1 if args.quick else 2)
    measured: dict[str, list[dict]] = {"noop": [], "api": [], "cli": [], "api-j2": []}
    for n in range(1, rounds + 1):
        measured["noop"].append(_run_worker("noop", corpus))
        measured["api"].append(_run_worker("api", corpus))
        measured["cli"].append(_run_cli(corpus))
        measured["api-j2"].append(dict(_run_worker("api", corpus, jobs=2), kind="api-j2"))
        if rounds > 1:
            noop_cpu = measured["noop"][-1]["cpu"]
            print(f"round {n}: noop {noop_cpu:.2f} CPU-s, ratio API "
                  f"{measured['api'][-1]['cpu'] / noop_cpu:.2f}, CLI {measured['cli'][-1]['cpu'] / noop_cpu:.2f}")
    rows = [min(measured[k], key=lambda r: r["wall" if k == "api-j2" else "cpu"]) for k in measured]
    if rounds > 1:
        print(f"best of {rounds} alternating rounds per measurement:")
    noop = rows[0]
    lines = noop["lines"]
    print(f"{'measurement':10} {'CPU s':>8} {'wall s':>8} {'lines/CPU-s':>12} {'lines/s':>9} "
          f"{'peak RSS':>9} {'live CSTs':>9}")
    for r in rows:
        print(f"{r['kind']:10} {r['cpu']:8.2f} {r['wall']:8.2f} {lines / r['cpu']:12,.0f} "
              f"{lines / r['wall']:9,.0f} {r['maxrss_mib']:7.1f}Mi {r.get('live_cst_modules', '-'):>9}")
    api = rows[1]
    print(f"files {noop['files']}, lines {lines}, no-op parse failures {noop.get('failed', 0)}; "
          f"migrate: {api['changed']} would change, {api['markers']} markers, {api['failed']} failed")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"--jobs 2 wall speed-up over 1 core: {rows[1]['wall'] / rows[3]['wall']:.2f}x")
    print(f"ratio migrate CPU / LibCST no-op CPU (1 core): API {api['cpu'] / noop['cpu']:.2f}, "
          f"CLI {rows[2]['cpu'] / noop['cpu']:.2f} (goal <= 1.0)")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
