"""Files as they come: encodings, BOM, line endings, tabs, long files, hostile bytes,
symlinks, read-only files, files that vanish or change mid-run, and ``--diff`` through
``git apply`` for CRLF/BOM files."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from flask2quart import engine
from flask2quart.commands import migrate as migrate_cmd
from tests.helpers import run_cli
from tests.reliability.props import ROUND_TRIP_REFUSAL, assert_safe, check_tree

FL = ("from flask import Flask, request\n"
      "app = Flask(__name__)\n\n"
      "@app.route('/')\n"
      "def index():\n"
      "    return request.args.get('q', 'é')\n")
BOM = b"\xef\xbb\xbf"

GOOD = {  # name -> (bytes, encoding to read the output back)
    "latin1-cookie": (("# -*- coding: latin-1 -*-\n" + FL + "s = 'café ñ'\n").encode("latin-1"), "latin-1"),
    "cp1252-cookie": (("# vim: set fileencoding=cp1252 :\n" + FL + "s = '€'\n").encode("cp1252"), "cp1252"),
    "bom": (BOM + FL.encode(), "utf-8-sig"),
    "bom-crlf": (BOM + FL.replace("\n", "\r\n").encode(), "utf-8-sig"),
    "crlf": (FL.replace("\n", "\r\n").encode(), "utf-8"),
    "mixed-eol": (FL.replace("\n", "\r\n", 3).encode(), "utf-8"),
    "tabs": (FL.replace("    ", "\t").encode(), "utf-8"),
    "no-final-newline": (FL.rstrip("\n").encode(), "utf-8"),
    "long": ((FL + "".join(f"\n@app.route('/r{i}')\ndef v{i}():\n    return request.args['x{i}']\n"
                           for i in range(150))).encode(), "utf-8"),
    "deep-nesting": ((FL + "".join("    " * i + "if request:\n" for i in range(60))
                      + "    " * 60 + "pass\n").encode(), "utf-8"),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_encodings_and_layouts_are_migrated_and_kept(tmp_path, name):
    data, encoding = GOOD[name]
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_bytes(data)
    result = engine.run([root], 3)
    (f,) = result.files
    assert f.status == "changed", f.error
    text = f.new.decode(encoding)  # same encoding, cookie kept
    assert "from quart import" in text and "async def index" in text
    assert f.new.startswith(BOM) == data.startswith(BOM)
    assert f.new.count(b"\r\n") == data.count(b"\r\n")  # every CRLF kept, none added
    assert f.new.count(b"\t") >= data.count(b"\t")
    assert f.new.endswith(b"\n") == data.endswith(b"\n")
    if "cookie" in name:
        assert f.new.splitlines()[0] == data.splitlines()[0]
    assert_safe(check_tree(root))  # untouched lines byte-identical, idempotent


REFUSED = {  # LibCST would not give the bytes back: reported, left untouched
    "cr-only-eol": FL.replace("\n", "\r").encode(),
    # the whole module is transformed (its first indent, 2 spaces, is not the edited
    # function's: a segment would indent new code differently) and LibCST drops the tail
    "trailing-comment-after-blank": ("def helper():\n  return 1\n\n" + FL
                                     + "\n\t  \n# the end\n").encode(),
}
UNPARSABLE = {
    "nul-byte": FL.encode() + b"x = 1\0\n",
    "invalid-utf8": FL.encode() + b"s = '\xff'\n",
    "utf16-no-cookie": FL.encode("utf-16"),
    "wrong-cookie": b"# coding: no-such-codec\n" + FL.encode(),
    "recursion": (FL + "x = " + "+".join(["1"] * 20000) + "\n").encode(),  # RecursionError in ast
    # parses, but the recursive analysis overflowed the stack and crashed the whole run
    "deep-chain": (FL + "x = " + " + ".join(['"s"'] * 900) + "\n").encode(),
    "syntax-error": FL.encode() + b"def f(:\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED) + sorted(UNPARSABLE))
def test_hostile_files_are_reported_untouched_and_the_run_goes_on(tmp_path, name):
    data = REFUSED.get(name) or UNPARSABLE[name]
    (tmp_path / "bad.py").write_bytes(data)
    (tmp_path / "good.py").write_bytes(FL.encode())
    result = engine.run([tmp_path], 3)
    status = {f.rel: f for f in result.files}
    assert status["good.py"].status == "changed"
    bad = status["bad.py"]
    assert bad.status == "failed" and bad.error
    if name in REFUSED:
        assert bad.error.startswith(ROUND_TRIP_REFUSAL)
    proc = run_cli("migrate", str(tmp_path), "--allow-dirty")
    assert proc.returncode == 2 and "bad.py" in proc.stderr
    assert (tmp_path / "bad.py").read_bytes() == data
    assert b"from quart import" in (tmp_path / "good.py").read_bytes()


def test_tail_libcst_cannot_print_is_kept_when_only_statements_above_change(tmp_path):
    """LibCST drops a whitespace-only line followed by comments at a module's end; only the
    edited top-level statements go through LibCST, so the tail is copied as it is."""
    data = (FL + "\n\t  \n# the end\n").encode()
    (tmp_path / "app.py").write_bytes(data)
    (f,) = engine.run([tmp_path], 3).files
    assert f.status == "changed", f.error
    assert f.new.endswith(b"\n\t  \n# the end\n") and b"async def index" in f.new
    assert_safe(check_tree(tmp_path))


def test_huge_file_without_flask_is_left_alone(tmp_path):
    data = "".join(f"x{i} = {i}  # comment {i}\n" for i in range(20_000)).encode()
    (tmp_path / "big.py").write_bytes(data)
    (tmp_path / "app.py").write_bytes(FL.encode())
    result = engine.run([tmp_path], 3)
    status = {f.rel: f.status for f in result.files}
    assert status == {"app.py": "changed", "big.py": "unchanged"}


# ---------------------------------------------------------------------- symlinks

def test_symlinks_are_never_followed_nor_written(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_bytes(FL.encode())
    (outside / "pkg").mkdir()
    (outside / "pkg" / "views.py").write_bytes(FL.encode())
    proj = tmp_path / "proj"
    (proj / "sub").mkdir(parents=True)
    (proj / "app.py").write_bytes(FL.encode())
    (proj / "link.py").symlink_to(outside / "secret.py")           # file outside PATH
    (proj / "linked_pkg").symlink_to(outside / "pkg")              # folder outside PATH
    (proj / "sub" / "alias.py").symlink_to(proj / "app.py")         # file inside PATH
    (proj / "dangling.py").symlink_to(tmp_path / "nowhere.py")

    result = engine.run([proj], 3)
    status = {f.rel: f.status for f in result.files}
    assert status == {"app.py": "changed", "link.py": "skipped", "linked_pkg": "skipped",
                      "sub/alias.py": "skipped", "dangling.py": "skipped"}
    assert all("not followed" in f.error for f in result.files if f.status == "skipped")

    proc = run_cli("migrate", str(proj), "--allow-dirty")
    assert proc.returncode == 0, proc.stderr
    assert (outside / "secret.py").read_bytes() == FL.encode()
    assert (outside / "pkg" / "views.py").read_bytes() == FL.encode()
    for link in ("link.py", "linked_pkg", "sub/alias.py", "dangling.py"):
        assert (proj / link).is_symlink()
    assert b"from quart" in (proj / "app.py").read_bytes()


def test_write_atomic_refuses_links_outside_paths_and_read_only(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_bytes(b"x = 1\n")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "link.py").symlink_to(outside)
    with pytest.raises(OSError, match="symlink"):
        engine.write_atomic(proj / "link.py", b"evil\n")
    (proj / "dirlink").symlink_to(tmp_path)
    with pytest.raises(OSError, match="outside"):
        engine.write_atomic(proj / "dirlink" / "outside.py", b"evil\n", root=proj)
    assert outside.read_bytes() == b"x = 1\n"

    ro = proj / "ro.py"
    ro.write_bytes(b"x = 1\n")
    ro.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        engine.write_atomic(ro, b"y = 2\n")
    assert ro.read_bytes() == b"x = 1\n"
    assert not list(proj.glob(".*.f2q"))


def test_write_atomic_keeps_mode_and_refuses_stale_or_vanished_files(tmp_path):
    f = tmp_path / "app.py"
    f.write_bytes(b"old\n")
    f.chmod(0o751)
    engine.write_atomic(f, b"new\n", expected=b"old\n", root=tmp_path)
    assert f.read_bytes() == b"new\n" and stat.S_IMODE(f.stat().st_mode) == 0o751
    with pytest.raises(OSError, match="changed on disk"):
        engine.write_atomic(f, b"newer\n", expected=b"old\n")
    assert f.read_bytes() == b"new\n"
    f.unlink()
    with pytest.raises(FileNotFoundError, match="vanished"):
        engine.write_atomic(f, b"newer\n", expected=b"new\n")
    assert not f.exists()
    engine.write_atomic(tmp_path / "created.txt", b"c\n", expected=b"")  # a file a rule creates
    assert (tmp_path / "created.txt").read_bytes() == b"c\n"
    # a temp file left by a killed run is cleaned the next time that file is written
    (tmp_path / ".created.txt.abc123.f2q").write_bytes(b"partial")
    engine.write_atomic(tmp_path / "created.txt", b"d\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["created.txt"]


def test_read_only_file_reported_exit_2_others_written(tmp_path):
    # (as root too: the mode bits are honoured, not only os.access)
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_bytes(FL.encode())
    (tmp_path / "b.py").chmod(0o444)
    proc = run_cli("migrate", str(tmp_path), "--allow-dirty")
    assert proc.returncode == 2
    assert "b.py" in proc.stderr and "read-only" in proc.stderr
    assert (tmp_path / "b.py").read_bytes() == FL.encode()
    assert b"from quart" in (tmp_path / "a.py").read_bytes()
    assert b"from quart" in (tmp_path / "c.py").read_bytes()
    assert stat.S_IMODE((tmp_path / "b.py").stat().st_mode) == 0o444


# ---------------------------------------------------------------------- mid-run changes

def _migrate_with(monkeypatch, tmp_path, after_run):
    """Run ``migrate`` in-process; ``after_run(result)`` runs between the analysis and
    the writes (a file vanishing or being edited while the tool works)."""
    real_run = engine.run

    def run(*args, **kwargs):
        result = real_run(*args, **kwargs)
        after_run(result)
        return result

    monkeypatch.setattr(migrate_cmd.engine, "run", run)
    return CliRunner().invoke(migrate_cmd.migrate, [str(tmp_path), "--allow-dirty", "-q"])


def test_file_vanishing_before_the_write_is_reported_not_recreated(tmp_path, monkeypatch):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_bytes(FL.encode())
    res = _migrate_with(monkeypatch, tmp_path, lambda result: (tmp_path / "b.py").unlink())
    assert res.exit_code == 2, res.output
    assert "b.py" in res.output and "vanished" in res.output
    assert not (tmp_path / "b.py").exists()
    assert b"from quart" in (tmp_path / "a.py").read_bytes()
    assert b"from quart" in (tmp_path / "c.py").read_bytes()


def test_file_edited_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_bytes(FL.encode())
    edited = FL.encode() + b"# the user's edit, made while flask2quart ran\n"
    res = _migrate_with(monkeypatch, tmp_path, lambda result: (tmp_path / "b.py").write_bytes(edited))
    assert res.exit_code == 2 and "changed on disk" in res.output
    assert (tmp_path / "b.py").read_bytes() == edited
    assert b"from quart" in (tmp_path / "a.py").read_bytes()


def test_file_vanishing_during_discovery(tmp_path, monkeypatch):
    from flask2quart.analysis import project as project_mod

    for name in ("a.py", "b.py"):
        (tmp_path / name).write_bytes(FL.encode())
    real = project_mod.iter_files

    def iter_files(*args, **kwargs):
        root, files = real(*args, **kwargs)
        (tmp_path / "a.py").unlink()
        return root, files

    monkeypatch.setattr(project_mod, "iter_files", iter_files)
    result = engine.run([tmp_path], 3)
    status = {f.rel: f.status for f in result.files}
    assert status == {"a.py": "failed", "b.py": "changed"}


# ---------------------------------------------------------------------- --diff | git apply

@pytest.mark.parametrize("name", ["crlf", "bom", "bom-crlf", "latin1-cookie", "mixed-eol"])
def test_diff_applies_with_git_apply(tmp_path, name):
    data, _ = GOOD[name]
    (tmp_path / "app.py").write_bytes(data)
    (tmp_path / "keep.py").write_bytes(b"x = 1\r\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "core.autocrlf", "false"], check=True)
    diff = subprocess.run([sys.executable, "-m", "flask2quart", "migrate", ".", "--diff", "--phase", "3"],
                          cwd=tmp_path, capture_output=True, timeout=300)
    assert diff.returncode == 0, diff.stderr
    (tmp_path / "x.patch").write_bytes(diff.stdout)
    expected = engine.run([tmp_path / "app.py"], 3).files[0].new
    subprocess.run(["git", "apply", "x.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "app.py").read_bytes() == expected
    assert (tmp_path / "keep.py").read_bytes() == b"x = 1\r\n"


# ---------------------------------------------------------------------- internal errors

def test_internal_errors_fail_one_file_and_the_run_goes_on(tmp_path, monkeypatch):
    """A rule that raises on one file, and an applier that raises on another: both are
    reported as failed with the error, left untouched, and the other files migrate."""
    from flask2quart import apply as apply_mod

    for name in ("a.py", "bomb_detect.py", "bomb_apply.py", "z.py"):
        (tmp_path / name).write_bytes(FL.encode())
    real_detectors = engine._detectors

    class Bomb:
        info = type("Info", (), {"code": "F2Q000", "phase": 1})()

        def detect(self, ctx):
            if ctx.source.rel == "bomb_detect.py":
                raise KeyError("planted")
            return []

    monkeypatch.setattr(engine, "_detectors", lambda phase, select: [*real_detectors(phase, select), Bomb()])
    real_apply = apply_mod.apply_edits

    def apply_edits(module, script):
        if "bomb_apply" in module.code:
            raise RuntimeError("planted applier failure")
        return real_apply(module, script)

    monkeypatch.setattr(apply_mod, "apply_edits", apply_edits)
    (tmp_path / "bomb_apply.py").write_bytes(FL.encode() + b"# bomb_apply\n")
    result = engine.run([tmp_path], 3)
    status = {f.rel: f for f in result.files}
    assert status["a.py"].status == status["z.py"].status == "changed"
    assert status["bomb_detect.py"].status == "failed" and "KeyError" in status["bomb_detect.py"].error
    assert status["bomb_apply.py"].status == "failed" and "planted applier" in status["bomb_apply.py"].error
    for name in ("bomb_detect.py", "bomb_apply.py"):
        assert status[name].new in (b"", status[name].old)
