"""Replayed request pairs per second: ``flask2quart verify`` vs the raw paired test-client loop.

    .venv/bin/python benchmarks/harness_speed.py [--requests 3000] [--no-aa]

Both measurements use the same corpus of the harness test apps (the Flask shop and
its Quart port in ``tests/harness/apps``), in the same run, on this interpreter:

* raw loop: one process imports both apps and, per corpus line, calls the Flask
  test client, then the Quart test client (one client per corpus session, so
  cookies are kept), reading both bodies. Nothing is compared. This is the
  ceiling a harness that runs both apps in its own process could reach.
* verify: ``flask2quart.harness.verify(...)`` with its defaults: three worker
  processes (baseline, A/A baseline, candidate), cookie jars, outbound capture,
  comparison, normalizers and results streamed to disk. Measured over the replay
  phase (``VerifyResult.replay_seconds``); process start-up is reported separately.

The last line is the ratio verify / raw (goal: >= 0.80).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tests" / "harness" / "apps"
sys.path.insert(0, str(ROOT))

# Cheap, deterministic requests (no outbound calls: the raw loop would call the stub twice).
TEMPLATES = [
    {"method": "GET", "path": "/status"},
    {"method": "GET", "path": "/"},
    {"method": "GET", "path": "/items"},
    {"method": "GET", "path": "/items/1"},
    {"method": "GET", "path": "/items/999"},
    {"method": "GET", "path": "/cart"},
    {"method": "POST", "path": "/cart", "form": {"item_id": "2"}},
    {"method": "GET", "path": "/echo-headers"},
    {"method": "OPTIONS", "path": "/items"},
    {"method": "GET", "path": "/dir"},
    {"method": "GET", "path": "/nope"},
]


def make_corpus(path: Path, n: int, sessions: int = 20, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for s in range(sessions):
            fh.write(json.dumps({"session": f"s{s}", "method": "POST", "path": "/login", "form": {"username": f"user{s}"}}) + "\n")
        for _ in range(n - sessions):
            entry = dict(rng.choice(TEMPLATES), session=f"s{rng.randrange(sessions)}")
            fh.write(json.dumps(entry) + "\n")


def load(side: str, tree: Path):
    spec = importlib.util.spec_from_file_location(f"shopapp_{side}", tree / "shopapp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_app()


def raw_loop(corpus: Path, work: Path) -> float:
    """Pairs per second of the raw paired loop."""
    from flask2quart.harness.corpus import read_corpus

    os.environ["SHOP_DB"] = str(work / "raw-flask.sqlite")
    flask_app = load("flask", APPS / "flask_shop")
    os.environ["SHOP_DB"] = str(work / "raw-quart.sqlite")
    quart_app = load("quart", APPS / "quart_shop")
    flask_app.test_cli_runner().invoke(args=["init-db"])
    quart_app.test_cli_runner().invoke(args=["init-db"])
    loop = asyncio.new_event_loop()
    flask_clients: dict[str, object] = {}
    quart_clients: dict[str, object] = {}
    requests = list(read_corpus(corpus))

    async def quart_call(client, req):
        resp = await client.open(req.path, method=req.method, headers=list(req.headers), data=req.body)
        return resp.status_code, await resp.get_data()

    start = time.perf_counter()
    for req in requests:
        fc = flask_clients.get(req.session) or flask_clients.setdefault(req.session, flask_app.test_client())
        qc = quart_clients.get(req.session) or quart_clients.setdefault(req.session, quart_app.test_client())
        resp = fc.open(req.path, method=req.method, headers=list(req.headers), data=req.body)
        resp.get_data()
        resp.close()
        loop.run_until_complete(quart_call(qc, req))
    elapsed = time.perf_counter() - start
    loop.close()
    return len(requests) / elapsed


def through_verify(corpus: Path, aa: bool) -> tuple[float, float, object]:
    from flask2quart.harness import verify

    result = verify(
        APPS / "flask_shop", APPS / "quart_shop", app="shopapp:create_app()", corpus=corpus,
        setup_cli=["init-db"], env={"SHOP_DB": "{scratch}/shop.sqlite"}, aa=aa, config=False,
    )
    with result:
        return result.pairs_per_second, result.seconds - result.replay_seconds, result.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--no-aa", action="store_true", help="measure verify without the A/A baseline run")
    parser.add_argument("--rounds", type=int, default=2, help="alternate raw/verify this many times; best of each")
    parser.add_argument("--quick", action="store_true", help="CI size: 300 requests, one round")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 300, 1
    with tempfile.TemporaryDirectory(prefix="f2q-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        make_corpus(corpus, args.requests)
        raw_best = verify_best = 0.0
        startup = 0.0
        summary = ""
        for _ in range(args.rounds):
            raw_best = max(raw_best, raw_loop(corpus, work))
            rate, startup, summary = through_verify(corpus, aa=not args.no_aa)
            verify_best = max(verify_best, rate)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.requests} requests, A/A {'off' if args.no_aa else 'on'}")
        print(f"verify result: {summary}")
        print(f"raw paired test-client loop: {raw_best:8.1f} pairs/s")
        print(f"flask2quart verify (replay): {verify_best:8.1f} pairs/s (+{startup:.1f} s start-up, scratch copies and setup)")
        print(f"ratio verify/raw: {verify_best / raw_best:.2f}")


if __name__ == "__main__":
    main()
