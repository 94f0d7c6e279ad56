"""The benchmarks' quick modes run and print their figures (no timing assertions)."""

from __future__ import annotations

import gc
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.gen_corpus import generate
from flask2quart import engine

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
NUMBER = r"[0-9][0-9.,]*"


def _run(script: str, *args: str, timeout: int = 120) -> list[str]:
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc.stdout.strip().splitlines()


def test_corpus_is_deterministic_and_mixed(tmp_path):
    a = generate(tmp_path / "a", 40, vendor=False)
    b = generate(tmp_path / "b", 40, vendor=False)
    assert a == b
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.py"))
    assert files_a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.py"))
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert {"views", "services", "hooks", "models", "forms", "tests", "util"} <= set(a)
    for p in (tmp_path / "a").rglob("*.py"):
        compile(p.read_bytes(), str(p), "exec")
    # the migration has work to do, across modules, and nothing fails
    result = engine.run([tmp_path / "a"], 3)
    assert not result.failed
    assert any(f.rel.startswith("bigshop/views/") for f in result.changed)
    assert any(f.rel.startswith("bigshop/services/") for f in result.changed)
    assert any(f.rel.startswith("bigshop/util/") and not f.changed for f in result.files)


def test_no_libcst_module_outlives_the_run(tmp_path):
    import libcst as cst

    generate(tmp_path / "c", 15, vendor=False)
    result = engine.run([tmp_path / "c"], 3)
    assert result.changed
    gc.collect()
    live = [o for o in gc.get_objects() if type(o) is cst.Module and o.body]
    assert live == []


def test_migration_speed_quick():
    out = _run("migration_speed.py", "--quick")
    table = {ln.split()[0]: ln for ln in out if ln.split() and ln.split()[0] in
             ("noop", "api", "cli", "api-j2")}
    assert set(table) == {"noop", "api", "cli", "api-j2"}
    assert re.search(rf"lines {NUMBER}", "\n".join(out))
    assert re.fullmatch(rf"ratio migrate CPU / LibCST no-op CPU \(1 core\): API {NUMBER}, "
                        rf"CLI {NUMBER} \(goal <= 1.0\)", out[-1]), out[-1]


def test_cache_speed_quick():
    out = _run("cache_speed.py", "--quick")
    assert any(ln.startswith("2 unchanged (warm)") for ln in out)
    assert re.fullmatch(rf"ratio unchanged re-run / first run \(migrate --check\): wall {NUMBER}, "
                        rf"CPU {NUMBER} \(goal <= 0.1\)", out[-1]), out[-1]


@pytest.mark.skipif(importlib.util.find_spec("gunicorn") is None,
                    reason="needs the bench extra (gunicorn)")
def test_app_throughput_quick(tmp_path):
    png = tmp_path / "t.png"
    out = _run("app_throughput.py", "--quick", "--duration", "0.5", "--plot", str(png),
               "--json", str(tmp_path / "t.json"))
    rows = [ln for ln in out if ln.startswith(("flask+gunicorn", "quart+hypercorn"))]
    assert len(rows) == 2 * 2 * 2  # servers × endpoints × concurrency levels
    assert any("load generator ceiling" in ln for ln in out)
    if importlib.util.find_spec("matplotlib") is not None:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert re.match(r"ratio quart\+hypercorn / flask\+gunicorn throughput, /io at concurrency 50: ",
                    out[-1]), out[-1]


def test_harness_speed_quick():
    out = _run("harness_speed.py", "--quick")
    assert re.fullmatch(rf"ratio verify/raw: {NUMBER}", out[-1]), out[-1]
