"""The content-hash result cache (flask2quart/cache.py) and ``migrate --no-cache``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from flask2quart import engine
from flask2quart.cache import Cache, default_dir
from flask2quart.commands import migrate as migrate_cmd

VIEW = """\
from flask import Flask

from helpers import payload

app = Flask(__name__)


@app.route("/")
def index():
    return {"data": payload()}
"""

HELPER_SYNC = """\
def payload():
    return {"ok": True}
"""

HELPER_ASYNC = """\
from flask import request


def payload():
    return request.get_json()
"""


def _project(root: Path, helper: str) -> Path:
    root.mkdir(exist_ok=True)
    (root / "app.py").write_text(VIEW)
    (root / "helpers.py").write_text(helper)
    (root / "other.py").write_text("X = 1\n")
    return root


def _summary(result):
    return [(f.rel, f.status, f.new, sorted(f.rules.items()),
             [(m.code, m.line, m.message) for m in f.markers], f.error) for f in result.files]


def test_unchanged_project_is_a_whole_run_hit(tmp_path):
    root = _project(tmp_path / "p", HELPER_ASYNC)
    cache = Cache(tmp_path / "cache")
    first = engine.run([root], 1, cache=cache)
    assert first.facts is not None and first.changed
    again = Cache(tmp_path / "cache")
    second = engine.run([root], 1, cache=again)
    assert second.facts is None  # nothing was analysed
    assert again.hits == 1 and again.misses == 0
    assert _summary(second) == _summary(first) == _summary(engine.run([root], 1))
    assert all(f.path.is_absolute() and f.old == f.path.read_bytes() for f in second.files)


def test_cross_module_change_invalidates_the_dependent_file(tmp_path):
    """Editing helpers.py makes ``payload`` a coroutine: app.py (unchanged bytes) must now
    await it. A per-file cache keyed on app.py's bytes alone would return the stale output."""
    root = _project(tmp_path / "p", HELPER_SYNC)
    cache_dir = tmp_path / "cache"
    before = engine.run([root], 1, cache=Cache(cache_dir))
    app_before = next(f for f in before.files if f.rel == "app.py").new
    assert b"await payload()" not in app_before

    (root / "helpers.py").write_text(HELPER_ASYNC)
    cached = engine.run([root], 1, cache=Cache(cache_dir))
    fresh = engine.run([root], 1)
    assert _summary(cached) == _summary(fresh)
    app_after = next(f for f in cached.files if f.rel == "app.py").new
    assert b"await payload()" in app_after and b"async def index" in app_after


def test_transforms_are_reused_when_their_file_and_edits_are_unchanged(tmp_path):
    root = _project(tmp_path / "p", HELPER_ASYNC)
    cache_dir = tmp_path / "cache"
    engine.run([root], 1, cache=Cache(cache_dir))
    (root / "other.py").write_text("X = 2\n")  # no edits anywhere else change
    cache = Cache(cache_dir)
    calls = []
    real = engine._run_jobs

    def spy(jobs_in, jobs, progress):
        calls.extend(job[0] for job in jobs_in)
        return real(jobs_in, jobs, progress)

    engine._run_jobs, saved = spy, engine._run_jobs
    try:
        result = engine.run([root], 1, cache=cache)
    finally:
        engine._run_jobs = saved
    assert calls == []  # app.py and helpers.py: same bytes, same scripts → from the cache
    assert cache.hits >= 2
    assert _summary(result) == _summary(engine.run([root], 1))


def test_phase_and_selection_are_part_of_the_key(tmp_path):
    root = _project(tmp_path / "p", HELPER_ASYNC)
    cache_dir = tmp_path / "cache"
    engine.run([root], 1, cache=Cache(cache_dir))
    c = Cache(cache_dir)
    only = engine.run([root], 1, select={"F2Q001"}, cache=c)
    assert only.facts is not None  # a miss: computed
    assert _summary(only) == _summary(engine.run([root], 1, select={"F2Q001"}))
    c2 = Cache(cache_dir)
    assert engine.run([root], 2, cache=c2).facts is not None


def test_a_corrupt_entry_is_a_miss(tmp_path):
    root = _project(tmp_path / "p", HELPER_ASYNC)
    cache_dir = tmp_path / "cache"
    first = engine.run([root], 1, cache=Cache(cache_dir))
    for p in cache_dir.rglob("*.bin"):
        p.write_bytes(b"\x00garbage")
    second = engine.run([root], 1, cache=Cache(cache_dir))
    assert second.facts is not None
    assert _summary(second) == _summary(first)


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK2QUART_CACHE_DIR", str(tmp_path / "a"))
    assert default_dir() == tmp_path / "a"
    monkeypatch.delenv("FLASK2QUART_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "flask2quart"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir() == Path.home() / ".cache" / "flask2quart"


def test_cli_uses_the_cache_unless_no_cache(monkeypatch, tmp_path):
    root = _project(tmp_path / "p", HELPER_ASYNC)
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASK2QUART_CACHE_DIR", str(cache_dir))
    res = CliRunner().invoke(migrate_cmd.migrate, [str(root), "--check", "--no-cache"])
    assert res.exit_code == 1, res.output
    assert not cache_dir.exists()
    first = CliRunner().invoke(migrate_cmd.migrate, [str(root), "--check"])
    assert first.exit_code == 1 and list(cache_dir.rglob("*.bin"))
    second = CliRunner().invoke(migrate_cmd.migrate, [str(root), "--check"])
    assert second.exit_code == 1 and second.output == first.output
