"""One worker subprocess per side, driven over the line protocol.

The harness process never imports the apps: it starts
``python -m flask2quart.harness.worker`` with the side's interpreter, in the side's
scratch tree, and exchanges JSON lines with it. A request that does not answer
within ``timeout`` seconds gets the worker killed (its whole process group) and a
fresh one started; a worker that dies is restarted the same way. Either way the
caller gets a :class:`SideFailure` for that request and the replay goes on.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask2quart
from flask2quart.harness import protocol
from flask2quart.harness.errors import AppImportError, HarnessError


class SideFailure(Exception):
    """A request produced no response on one side: ``kind`` is timeout, crash or worker."""

    def __init__(self, kind: str, message: str, detail: str = "") -> None:
        self.kind = kind
        self.message = message
        self.detail = detail
        super().__init__(message)

    def as_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "message": self.message}
        if self.detail:
            out["detail"] = self.detail
        return out


def shim_dir(workdir: Path) -> Path:
    """A directory holding only a ``flask2quart`` link to this package.

    Put on the worker's PYTHONPATH so any interpreter (even one without
    flask2quart installed) runs the same worker code as the harness.
    """
    shim = workdir / "shim"
    link = shim / "flask2quart"
    if not link.exists():
        shim.mkdir(parents=True, exist_ok=True)
        link.symlink_to(Path(flask2quart.__file__).resolve().parent, target_is_directory=True)
    return shim


@dataclass
class WorkerSpec:
    side: str  # "baseline", "baseline (A/A)", "candidate"
    python: str
    tree: Path
    app: str
    app_dir: str = "."
    outbound: str = "off"
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None
    startup_timeout: float = 120.0
    extra_args: tuple[str, ...] = ()

    def command(self) -> list[str]:
        return [
            self.python, "-m", "flask2quart.harness.worker",
            "--tree", str(self.tree), "--app", self.app, "--app-dir", self.app_dir,
            "--outbound", self.outbound, *self.extra_args,
        ]


class Worker:
    """A running worker process with a buffered, deadline-aware line reader."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._buf = bytearray()
        self._scan = 0
        self._out = bytearray()
        self._pending: list[bytes] = []
        self._log_fh: Any = None
        self.restarts = 0

    # -- process management ---------------------------------------------

    def spawn(self) -> None:
        self._buf.clear()
        self._scan = 0
        self._out.clear()
        self._pending.clear()
        log = self.spec.log
        if log is not None:
            self._log_fh = open(log, "ab")  # noqa: SIM115 - closed in kill()
        try:
            self.proc = subprocess.Popen(
                self.spec.command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log_fh if self._log_fh is not None else subprocess.DEVNULL,
                cwd=str(self.spec.tree),
                env=self.spec.env,
                start_new_session=True,  # its own process group, so kill() reaches children too
            )
        except OSError as exc:
            raise HarnessError(f"{self.spec.side}: cannot start {self.spec.python!r}: {exc}") from None
        os.set_blocking(self.proc.stdout.fileno(), False)  # type: ignore[union-attr]
        os.set_blocking(self.proc.stdin.fileno(), False)  # type: ignore[union-attr]

    def wait_ready(self) -> dict[str, Any]:
        try:
            msg = self.receive(time.monotonic() + self.spec.startup_timeout)
        except SideFailure as exc:
            raise AppImportError(self.spec.side, f"worker did not start ({exc.message})", exc.detail) from None
        if msg.get("op") == "fatal":
            self.kill()
            raise AppImportError(self.spec.side, msg.get("message", "app failed to load"), msg.get("traceback", ""))
        if msg.get("op") != "ready":
            raise HarnessError(f"{self.spec.side}: unexpected first message from worker: {msg!r}")
        self.info = msg
        return msg

    def start(self) -> dict[str, Any]:
        self.spawn()
        return self.wait_ready()

    def begin_serving(self) -> None:
        reply = self.call({"op": "start"}, self.spec.startup_timeout)
        if not reply.get("ok"):
            raise HarnessError(f"{self.spec.side}: app startup failed: {reply.get('message')}\n{reply.get('traceback', '')}")

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        self.start()
        self.begin_serving()

    def kill(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
            proc.wait()
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None

    def close(self, grace: float = 5.0) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                self.send({"op": "shutdown"}, time.monotonic() + grace)
                proc.wait(timeout=grace)
            except (SideFailure, subprocess.TimeoutExpired, OSError):
                pass
        self.kill()

    def log_tail(self, limit: int = 3000) -> str:
        if self.spec.log is None or not self.spec.log.exists():
            return ""
        with open(self.spec.log, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            return fh.read().decode("utf-8", "replace")

    # -- messaging ---------------------------------------------------------
    #
    # Both pipe ends are non-blocking. Outgoing bytes are queued and written as the
    # worker reads them, so a large request can never deadlock against a large
    # response (the engine selects on both directions).

    @property
    def read_fd(self) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.fileno()

    @property
    def write_fd(self) -> int:
        assert self.proc is not None and self.proc.stdin is not None
        return self.proc.stdin.fileno()

    @property
    def wants_write(self) -> bool:
        return bool(self._out)

    def queue(self, data: bytes) -> None:
        """Queue one encoded protocol line; written by :meth:`flush_some`."""
        self._out += data
        self.flush_some()

    def flush_some(self) -> None:
        if not self._out:
            return
        try:
            n = os.write(self.write_fd, self._out[: 1 << 20])
        except BlockingIOError:
            return
        except (BrokenPipeError, OSError, ValueError):
            raise self._crashed() from None
        del self._out[:n]

    def read_lines(self) -> list[bytes]:
        """Complete lines available now (possibly none). Raises SideFailure on EOF."""
        try:
            chunk = os.read(self.read_fd, 1 << 20)
        except BlockingIOError:
            chunk = None
        if chunk == b"":
            raise self._crashed()
        if chunk:
            self._buf += chunk
        lines = []
        start = 0
        while True:
            idx = self._buf.find(b"\n", max(start, self._scan))
            if idx < 0:
                break
            lines.append(bytes(self._buf[start:idx]))
            start = idx + 1
        if start:
            del self._buf[:start]
        self._scan = len(self._buf)
        return lines

    def send(self, message: dict[str, Any], deadline: float | None = None) -> None:
        """Queue a message and wait until it is written."""
        self.queue(protocol.dumps(message))
        while self._out:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise SideFailure("timeout", f"{self.spec.side}: not reading its input")
            select.select([], [self.write_fd], [], wait)
            self.flush_some()

    def receive(self, deadline: float | None) -> dict[str, Any]:
        """The next message (blocking until ``deadline``)."""
        while True:
            if self._pending:
                return protocol.loads(self._pending.pop(0))
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise SideFailure("timeout", f"{self.spec.side}: no answer within the timeout")
            ready, _, _ = select.select([self.read_fd], [], [], wait)
            if ready:
                self._pending.extend(self.read_lines())

    def call(self, message: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        self.send(message, deadline)
        return self.receive(deadline)

    def _crashed(self) -> SideFailure:
        proc = self.proc
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        tail = self.log_tail()
        how = f"exit code {code}" if code is not None and code >= 0 else (f"signal {-code}" if code else "no exit code")
        return SideFailure("crash", f"{self.spec.side} worker died ({how})", tail)


def worker_env(base: dict[str, str] | None, extra: dict[str, str], scratch: Path, shim: Path) -> dict[str, str]:
    """The environment of one worker: ours, minus recording, plus --env with {scratch} expanded."""
    env = dict(os.environ if base is None else base)
    env.pop("FLASK2QUART_RECORD", None)
    env.setdefault("PYTHONHASHSEED", "0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(shim), env.get("PYTHONPATH", "")) if p)
    for key, value in extra.items():
        env[key] = value.replace("{scratch}", str(scratch))
    return env


def resolve_python(python: str | None) -> str:
    """The interpreter to run: this one by default; a relative path is taken from our cwd.

    (Popen would resolve it from the worker's cwd, the scratch tree.) A bare name
    such as ``python3.13`` is looked up on PATH.
    """
    if not python:
        return sys.executable
    if os.sep in python or (os.altsep and os.altsep in python):
        return os.path.abspath(python)
    return python
