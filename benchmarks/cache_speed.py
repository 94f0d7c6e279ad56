"""Re-runs: ``flask2quart migrate --check`` on an unchanged project, cold cache vs warm cache.

    .venv/bin/python benchmarks/cache_speed.py            # the ~1,000-module corpus (no vendored packages)
    .venv/bin/python benchmarks/cache_speed.py --quick    # 30 modules (CI)

Same generated corpus as ``migration_speed.py`` (``gen_corpus.py``), phase 3, a fresh cache
directory (``FLASK2QUART_CACHE_DIR``). Four CLI runs in one go, each a separate process, wall
and CPU time (``RUSAGE_CHILDREN``, interpreter start-up included):

1. ``--check`` with an empty cache (the first run in CI: full analysis + transforms, stored);
2. ``--check`` again, nothing changed (whole-run hit: files read and hashed, nothing parsed);
3. ``--check`` after editing one helper module (analysis again, transforms of unchanged files
   with unchanged edit scripts come from the cache);
4. ``--check --no-cache`` (reference: what every run costs without the cache).

Last line: ratio of run 2 to run 1 (goal <= 0.1).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))


def cli(corpus: Path, cache: Path, *extra: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flask2quart", "migrate", "--phase", "3", "--check",
                           "-q", *extra, str(corpus)], capture_output=True, text=True,
                          cwd=HERE.parent, env={**os.environ, "FLASK2QUART_CACHE_DIR": str(cache)})
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"migrate failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "exit": proc.returncode}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--modules", type=int, default=None)
    args = ap.parse_args(argv)
    from benchmarks.gen_corpus import generate

    with tempfile.TemporaryDirectory(prefix="f2q-cache-bench-") as tmp:
        corpus, cache = Path(tmp) / "corpus", Path(tmp) / "cache"
        stats = generate(corpus, args.modules or (30 if args.quick else 1000), vendor=False)
        lines = sum(n for _, n in stats.values())
        print(f"corpus: {sum(f for f, _ in stats.values())} files, {lines} lines; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
        cold = cli(corpus, cache)
        warm = cli(corpus, cache)
        helper = sorted((corpus / "bigshop" / "services").glob("s*.py"))[0]
        helper.write_text(helper.read_text() + "\n\ndef added_later():\n    return 1\n")
        edited = cli(corpus, cache)
        nocache = cli(corpus, cache, "--no-cache")
        size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
        for name, r in (("1 cold cache", cold), ("2 unchanged (warm)", warm),
                        ("3 one file edited", edited), ("4 --no-cache", nocache)):
            print(f"{name:20} wall {r['wall']:7.2f} s  CPU {r['cpu']:7.2f} s  exit {r['exit']}")
        assert cold["exit"] == warm["exit"] == nocache["exit"]
        print(f"cache size: {size / 1024:.0f} KiB; load average after "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"one file edited / cold: wall {edited['wall'] / cold['wall']:.2f}, "
              f"CPU {edited['cpu'] / cold['cpu']:.2f}")
        print(f"ratio unchanged re-run / first run (migrate --check): wall "
              f"{warm['wall'] / cold['wall']:.3f}, CPU {warm['cpu'] / cold['cpu']:.3f} (goal <= 0.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
