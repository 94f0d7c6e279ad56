"""A content-hash cache for :func:`flask2quart.engine.run` (``migrate`` uses it by default).

Where: ``$FLASK2QUART_CACHE_DIR``, else ``$XDG_CACHE_HOME/flask2quart``, else
``~/.cache/flask2quart``. Safe to delete at any time; ``migrate --no-cache`` bypasses it.

Two levels, both keyed by content, never by timestamps of the project:

- **run**: the whole result of a run, keyed by the *project key*: the tool fingerprint
  (version, the source of flask2quart and its codemods, LibCST and Python versions), the
  phase, the rule selection, the excludes, the caller's settings, and the relative path,
  module name and content hash of *every* discovered file (Python and project files). The
  analysis is whole-project (async propagates across modules: editing ``b.py`` can change
  ``a.py``'s output), so any change to any input file is a miss for the whole run.
- **transform**: one file's LibCST transform, keyed by the tool fingerprint, the file's bytes
  and its complete edit script. The transform is a pure function of those two, so after a
  change somewhere in the project only files whose bytes *or* edits changed are transformed
  again; a cross-module effect changes the dependent file's script, hence its key.

Entries are ``marshal`` data (no code runs on load), written atomically; an unreadable or
stale entry is a miss.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path

FORMAT = 1
MAX_RUNS = 64  # run entries kept (newest first); transform entries are small


def default_dir() -> Path:
    env = os.environ.get("FLASK2QUART_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "flask2quart"


_FINGERPRINT: str | None = None


def tool_fingerprint() -> str:
    """Changes whenever the tool's behaviour may: version, own source files, LibCST, Python."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import codemods
        import libcst

        import flask2quart

        h = hashlib.blake2b(digest_size=16)
        h.update(f"{FORMAT}|{flask2quart.__version__}|{libcst.__version__ if hasattr(libcst, '__version__') else ''}"
                 f"|{sys.version}".encode())
        for pkg in (flask2quart, codemods):
            for base in pkg.__path__:
                for p in sorted(Path(base).rglob("*.py")):
                    h.update(p.as_posix().encode())
                    h.update(p.read_bytes())
        _FINGERPRINT = h.hexdigest()
    return _FINGERPRINT


def _digest(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


class Cache:
    def __init__(self, root: Path | None = None, extra: str = ""):
        self.root = (root or default_dir()) / f"v{FORMAT}"
        self.extra = extra
        self.hits = self.misses = 0

    # -- keys --------------------------------------------------------------------
    def project_key(self, root: Path, phase: int, select, excludes, files) -> str:
        """``files``: (rel, module name or '', bytes) for every discovered input file."""
        head = "|".join([tool_fingerprint(), str(root), str(phase),
                         ",".join(sorted(select)) if select else "*",
                         "\0".join(excludes), self.extra])
        h = hashlib.blake2b(head.encode(), digest_size=20)
        for rel, module, raw in sorted(files, key=lambda f: f[0]):
            h.update(f"\0{rel}\0{module}\0{len(raw)}\0".encode())
            h.update(hashlib.blake2b(raw, digest_size=16).digest())
        return h.hexdigest()

    def transform_key(self, raw: bytes, script) -> str:
        return _digest(tool_fingerprint().encode(), raw, repr(list(script)).encode())

    # -- storage -----------------------------------------------------------------
    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.bin"

    def _read(self, kind: str, key: str):
        try:
            data = self._path(kind, key).read_bytes()
            value = marshal.loads(data)
        except (OSError, EOFError, ValueError, TypeError):
            self.misses += 1
            return None
        if not (isinstance(value, tuple) and len(value) == 2 and value[0] == key):
            self.misses += 1
            return None
        self.hits += 1
        return value[1]

    def _write(self, kind: str, key: str, value) -> None:
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps((key, value)))
            os.replace(tmp, path)
        except (OSError, ValueError):  # a read-only or full cache dir never fails a run
            try:
                os.unlink(tmp)  # type: ignore[possibly-undefined]
            except (OSError, UnboundLocalError, NameError):
                pass

    def get_run(self, key: str):
        return self._read("runs", key)

    def put_run(self, key: str, value) -> None:
        self._write("runs", key, value)
        self._prune_runs()

    def get_transform(self, key: str):
        return self._read("transforms", key)

    def put_transform(self, key: str, value) -> None:
        self._write("transforms", key, value)

    def _prune_runs(self) -> None:
        try:
            entries = sorted((p for p in (self.root / "runs").rglob("*.bin")),
                             key=lambda p: p.stat().st_mtime, reverse=True)
            for p in entries[MAX_RUNS:]:
                p.unlink()
        except OSError:
            pass
