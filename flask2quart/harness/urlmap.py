"""A starter corpus generated from an app's routes (in a worker subprocess).

For every rule of ``app.url_map``: a GET with sample arguments per converter
(``int`` -> 1, ``float`` -> 1.5, ``uuid`` -> a fixed UUID, ``path`` -> a real
file for ``static``, ``any(a, b)`` -> ``a`` ...), HEAD and OPTIONS, one method the
rule does not allow, the path without its trailing slash (redirect), and two
unknown paths. Other methods (POST, PUT ...) only with ``include_unsafe``: their
bodies are app-specific, so edit those lines before relying on them.

The app is imported in a worker process from a scratch copy of the tree, like
``verify`` does, so importing it cannot touch your files.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from flask2quart.harness import scratch
from flask2quart.harness.errors import HarnessError
from flask2quart.harness.results import remove_tree
from flask2quart.harness.runner import SideFailure, Worker, WorkerSpec, resolve_python, shim_dir, worker_env


def corpus_from_url_map(
    app: str,
    tree: str | os.PathLike[str] = ".",
    *,
    python: str | None = None,
    app_dir: str = ".",
    env: dict[str, str] | None = None,
    include_unsafe: bool = False,
    timeout: float = 120.0,
) -> list[dict[str, Any]]:
    source = Path(tree).resolve()
    work = Path(tempfile.mkdtemp(prefix="f2q-urlmap-"))
    try:
        copy = scratch.copy_tree(source, work / "tree")
        spec = WorkerSpec(
            side="app", python=resolve_python(python), tree=copy, app=app, app_dir=app_dir,
            env=worker_env(None, env or {}, copy, shim_dir(work)), log=work / "worker.log",
            startup_timeout=timeout, extra_args=("--urlmap",) + (("--include-unsafe",) if include_unsafe else ()),
        )
        worker = Worker(spec)
        worker.spawn()
        entries: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    msg = worker.receive(deadline)
                except SideFailure as exc:
                    raise HarnessError(f"--from-url-map: {exc.message}\n{exc.detail}") from None
                op = msg.get("op")
                if op == "fatal":
                    raise HarnessError(f"{msg.get('message')}\n{msg.get('traceback', '')}".rstrip())
                if op == "entry":
                    entries.append(msg["entry"])
                elif op == "done":
                    return entries
        finally:
            worker.kill()
    finally:
        remove_tree(work)
