"""Peak RSS of the harness process on a streamed 100k-request corpus.

    .venv/bin/python benchmarks/harness_memory.py [--sizes 10000 100000] [--no-aa]

Each size runs in a fresh child process that generates the corpus (the shop apps'
cheap routes, 20 sessions), runs ``flask2quart.harness.verify`` and writes the JSON
and JUnit reports (both stream the results from disk), then reports its own peak
RSS (``ru_maxrss``; the workers are separate processes and not counted). Bounded
memory shows as the same peak for 10k and 100k requests. The last line is the
100k peak in MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def child(n: int, aa: bool) -> None:
    sys.path.insert(0, str(HERE))
    from harness_speed import APPS, make_corpus

    from flask2quart.harness import verify

    with tempfile.TemporaryDirectory(prefix="f2q-mem-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        make_corpus(corpus, n)
        started = time.monotonic()
        result = verify(
            APPS / "flask_shop", APPS / "quart_shop", app="shopapp:create_app()", corpus=corpus,
            setup_cli=["init-db"], env={"SHOP_DB": "{scratch}/shop.sqlite"}, aa=aa, config=False,
            reports={"json": Path(tmp) / "r.json", "junit": Path(tmp) / "r.xml"},
        )
        with result:
            seconds = time.monotonic() - started
            summary = result.summary()
            rate = result.pairs_per_second
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"requests": n, "peak_mib": peak_kib / 1024, "seconds": seconds, "pairs_per_second": rate, "summary": summary}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--no-aa", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, aa=not args.no_aa)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, A/A {'off' if args.no_aa else 'on'}")
    last = None
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n)] + (["--no-aa"] if args.no_aa else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        last = json.loads(out.strip().splitlines()[-1])
        print(f"{n:>7} requests: harness peak RSS {last['peak_mib']:6.1f} MiB, {last['seconds']:6.1f} s, "
              f"{last['pairs_per_second']:.0f} pairs/s ({last['summary']})")
    print(f"peak RSS at {args.sizes[-1]} requests: {last['peak_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
