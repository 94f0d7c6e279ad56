"""Atomic writes: ``flask2quart migrate`` killed with SIGKILL at random moments of its
write phase leaves every file either original or fully migrated — never truncated,
never a mix — and the next run finishes the job and removes the temp files a kill
left behind (``.NAME.*.f2q``, next to their file).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flask2quart import engine
from tests.reliability.mutations import flask_modules

N_FILES = 36
ITERATIONS = int(os.environ.get("F2Q_KILL_ITERATIONS", "3"))
# Atomicity does not depend on the phase; phase 1 keeps the test fast and its resumed
# run converges to the one-shot result (phase 3 does not yet: test_known_issues.py).
PHASE = "1"


def _tree(root: Path) -> None:
    mods = [src for name, src in flask_modules() if name.startswith("cases/phase1/")]  # small: fast to analyse
    for i in range(N_FILES):
        pkg = root / f"pkg{i % 12}"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / f"mod{i}.py").write_text(mods[i % len(mods)], encoding="utf-8")


def _start(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask2quart", "migrate", str(root), "--phase", PHASE,
                             "--allow-dirty", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_never_leaves_a_partial_file(tmp_path):
    template = tmp_path / "template"
    _tree(template)
    original = _snapshot(template)
    result = engine.run([template], int(PHASE))
    assert not result.failed, [f.error for f in result.failed]
    expected = dict(original)
    expected.update({f.rel: f.new for f in result.changed})
    changed = sorted(f.rel for f in result.changed)
    assert len(changed) > N_FILES // 2  # the kill has something to interrupt

    # calibrate: when does the first write land, and how long does the write phase last?
    calib = tmp_path / "calib"
    shutil.copytree(template, calib)
    first = calib / changed[0]
    t0 = time.monotonic()
    proc = _start(calib)
    while first.read_bytes() == original[changed[0]] and proc.poll() is None:
        time.sleep(0.002)
    t_first = time.monotonic() - t0
    proc.wait(timeout=300)
    write_phase = max(time.monotonic() - t0 - t_first, 0.05)
    assert _snapshot(calib) == expected

    rnd = random.Random(9)
    mixed = 0
    it = -1
    while True:  # ITERATIONS kills; a few more if none has landed mid-write yet (busy machine)
        it += 1
        if it >= ITERATIONS and (mixed or it >= ITERATIONS + 3):
            break
        root = tmp_path / f"run{it}"
        shutil.copytree(template, root)
        proc = _start(root)
        if it == 0:  # once anywhere (analysis included)
            time.sleep(rnd.uniform(0, t_first))
        else:  # during the writes
            watch = root / changed[0]
            while watch.read_bytes() == original[changed[0]] and proc.poll() is None:
                time.sleep(0.001)
            time.sleep(rnd.uniform(0, 0.8 * write_phase))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

        state = _snapshot(root)
        temps = [rel for rel in state if rel.endswith(engine.TEMP_SUFFIX)]
        for rel in temps:
            assert Path(rel).name.startswith(".")
        files = {rel: data for rel, data in state.items() if rel not in temps}
        assert files.keys() == original.keys()
        bad = [rel for rel, data in files.items() if data not in (original[rel], expected[rel])]
        assert not bad, f"iteration {it}: partial/corrupt files {bad[:5]}"
        done = sum(files[rel] == expected[rel] for rel in changed)
        mixed += 0 < done < len(changed)

        rerun = _start(root)
        assert rerun.wait(timeout=300) == 0
        assert _snapshot(root) == expected, f"iteration {it}: rerun did not finish the job or left temps"
    # the kills did land in the middle of the write phase (else this proves nothing)
    assert mixed >= 1, "no kill landed mid-write; the test did not exercise the write phase"
