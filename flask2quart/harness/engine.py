"""The replay loop: three pipelined workers, results compared and streamed to disk.

Workers (each from its own scratch copy of its tree):

* ``baseline``       - makes the live outbound calls and records them;
* ``baseline (A/A)`` - a second baseline, served the first one's recordings;
  whatever differs between the two baselines is noise (random tokens, timestamps);
* ``candidate``      - served the same recordings.

Pipelining: the baseline may run up to ``window`` requests ahead; the other two
get request *k* as soon as the baseline has answered it (they need its outbound
recordings). Each worker answers in order, so the harness only matches responses
to the oldest request in flight. Cookie jars live in the workers (the same code on
both sides, see :mod:`flask2quart.harness.cookies`); the harness mirrors them from
the responses and hands the mirror to a worker restarted after a timeout or crash,
then re-sends whatever that worker still had in flight.

Records are written in corpus order as soon as all sides answered a request, so
memory holds at most ``window`` requests.
"""

from __future__ import annotations

import json
import select
import shlex
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask2quart.harness import normalize as norm
from flask2quart.harness.compare import OUTBOUND_IGNORED_HEADERS, diff_views, general_field, outbound_view, response_view
from flask2quart.harness.cookies import Jar
from flask2quart.harness.corpus import CorpusRequest
from flask2quart.harness.errors import HarnessError
from flask2quart.harness.protocol import dumps, put_body
from flask2quart.harness.results import Writer, field_entry, fingerprint
from flask2quart.harness.runner import SideFailure, Worker

HISTORY = 10  # earlier requests of a session kept (as corpus offsets) for reproducers
WINDOW = 16


@dataclass
class Flight:
    seq: int
    data: bytes
    sent: float


@dataclass
class Side:
    name: str
    worker: Worker
    mirror: dict[str, Jar] = field(default_factory=dict)
    inflight: deque[Flight] = field(default_factory=deque)
    head_since: float = 0.0

    @property
    def session_cookie(self) -> str | None:
        return self.worker.info.get("session_cookie")

    def deadline(self, timeout: float) -> float:
        head = self.inflight[0]
        return max(head.sent, self.head_since) + timeout


@dataclass
class Slot:
    req: CorpusRequest
    m1: dict[str, Any] | None = None
    m2: dict[str, Any] | None = None
    mc: dict[str, Any] | None = None


def setup(sides: list[Side], setup_cli: list[str], timeout: float) -> None:
    """Start every worker in parallel, run --setup-cli in each, then the app lifespan."""
    for side in sides:
        side.worker.spawn()
    for side in sides:
        side.worker.wait_ready()
    for command in setup_cli:
        args = shlex.split(command)
        for side in sides:
            reply = side.worker.call({"op": "cli", "args": args}, timeout)
            if not reply.get("ok"):
                detail = reply.get("exception") or reply.get("output") or reply.get("message", "")
                raise HarnessError(
                    f"--setup-cli {command!r} failed in the {side.name} "
                    f"(exit code {reply.get('exit_code')}):\n{str(detail).rstrip()}"
                )
    for side in sides:
        side.worker.begin_serving()


class Replay:
    def __init__(
        self,
        *,
        baseline: Side,
        aa: Side | None,
        candidate: Side,
        normalizers: list[norm.Normalizer],
        outbound_ignored: frozenset[str],
        timeout: float,
        writer: Writer,
        progress: Callable[[int, int], None] | None = None,
        window: int = WINDOW,
    ) -> None:
        self.b1 = baseline
        self.b2 = aa
        self.c = candidate
        self.sides = [s for s in (baseline, aa, candidate) if s is not None]
        self.normalizers = normalizers
        self.outbound_ignored = OUTBOUND_IGNORED_HEADERS | outbound_ignored
        self.timeout = timeout
        self.writer = writer
        self.progress = progress
        self.window = window
        self.slots: dict[int, Slot] = {}
        self.bases: dict[int, dict[str, Any]] = {}
        self.endpoint_noise: dict[str, set[str]] = {}
        self.fired: dict[str, int] = {}
        self.history: dict[str, list[int]] = {}
        self.done = 0
        self.flagged = 0
        self.restarts: dict[str, int] = {}

    # -- sending -------------------------------------------------------------

    def _dispatch(self, side: Side, seq: int, data: bytes) -> None:
        now = time.monotonic()
        if not side.inflight:
            side.head_since = now
        side.inflight.append(Flight(seq, data, now))
        try:
            side.worker.queue(data)
        except SideFailure as exc:
            self._fail(side, exc)

    def _start(self, req: CorpusRequest) -> None:
        base: dict[str, Any] = {
            "op": "request", "id": req.seq, "method": req.method, "path": req.path,
            "scheme": req.scheme, "session": req.session, "headers": [[k, v] for k, v in req.headers],
        }
        put_body(base, req.body)
        self.slots[req.seq] = Slot(req)
        self.bases[req.seq] = base
        self._dispatch(self.b1, req.seq, dumps(dict(base, endpoint=True)))

    def _follow(self, seq: int, m1: dict[str, Any]) -> None:
        """The baseline answered ``seq``: send it, with its recordings, to the others."""
        base = self.bases.pop(seq)
        recorded = [c for c in m1.get("outbound", ()) if "response" in c or "error" in c]
        data = dumps(dict(base, outbound=recorded))
        if self.b2 is not None:
            self._dispatch(self.b2, seq, data)
        self._dispatch(self.c, seq, data)

    # -- receiving -------------------------------------------------------------

    def _deliver(self, side: Side, msg: dict[str, Any]) -> None:
        flight = side.inflight.popleft()
        side.head_since = time.monotonic()
        slot = self.slots[flight.seq]
        if "error" in msg:
            msg = {"error": {"kind": "worker", "message": msg.get("message", ""), "detail": msg.get("traceback", "")}}
        else:
            set_cookies = [v for k, v in msg.get("headers", ()) if k.lower() == "set-cookie"]
            if set_cookies:
                jar = side.mirror.get(slot.req.session)
                if jar is None:
                    jar = side.mirror[slot.req.session] = Jar()
                jar.update(set_cookies, slot.req.path)
        if side is self.b1:
            slot.m1 = msg
            self._follow(flight.seq, msg)
        elif side is self.b2:
            slot.m2 = msg
        else:
            slot.mc = msg

    def _restart(self, side: Side) -> None:
        side.worker.restart()  # a worker that cannot come back stops the run (HarnessError)
        self.restarts[side.name] = self.restarts.get(side.name, 0) + 1
        if side.mirror:
            side.worker.call({"op": "jars", "jars": {s: j.dump() for s, j in side.mirror.items()}}, 60)

    def _drain(self, side: Side) -> None:
        """Deliver the complete answers left in a dead worker's output pipe."""
        while side.inflight:
            try:
                lines = side.worker.read_lines()
            except SideFailure:  # end of the pipe
                return
            if not lines:
                return
            for line in lines:
                if not side.inflight:
                    return
                self._deliver(side, json.loads(line))

    def _fail(self, side: Side, failure: SideFailure) -> None:
        """The oldest request in flight on ``side`` failed: record it, restart, re-send the rest."""
        if failure.kind == "timeout":
            failure.message = f"no answer within {self.timeout:g} s (the worker was killed and restarted)"
        elif failure.kind == "crash":
            # A dead worker may have answered the oldest requests before dying (we may
            # notice the death writing the next request): deliver those answers first,
            # so the crash is blamed on the request that caused it.
            self._drain(side)
            if not side.inflight:
                self._restart(side)
                return
        flight = side.inflight.popleft()
        rest = list(side.inflight)
        side.inflight.clear()
        self._restart(side)
        err = {"error": failure.as_dict()}
        slot = self.slots[flight.seq]
        if side is self.b1:
            slot.m1 = err
            self._follow(flight.seq, err)  # the others still replay it, to keep their state in step
        elif side is self.b2:
            slot.m2 = err
        else:
            slot.mc = err
        for f in rest:
            self._dispatch(side, f.seq, f.data)

    def _pump(self) -> None:
        """One round of waiting: write queued input, read answers, enforce deadlines."""
        busy = [s for s in self.sides if s.inflight]
        if not busy:
            return
        now = time.monotonic()
        wait = max(0.0, min(s.deadline(self.timeout) for s in busy) - now)
        readers = {s.worker.read_fd: s for s in busy}
        writers = {s.worker.write_fd: s for s in self.sides if s.worker.wants_write}
        ready_r, ready_w, _ = select.select(list(readers), list(writers), [], wait)
        for fd in ready_w:
            side = writers[fd]
            try:
                side.worker.flush_some()
            except SideFailure as exc:
                if side.inflight:
                    self._fail(side, exc)
        for fd in ready_r:
            side = readers[fd]
            if not side.inflight:
                continue
            try:
                lines = side.worker.read_lines()
            except SideFailure as exc:
                self._fail(side, exc)
                continue
            for line in lines:
                self._deliver(side, json.loads(line))
        now = time.monotonic()
        for side in self.sides:
            if side.inflight and now >= side.deadline(self.timeout):
                self._fail(side, SideFailure("timeout", ""))

    def run(self, requests: Iterator[CorpusRequest]) -> None:
        exhausted = False
        next_emit = 0
        while True:
            while not exhausted and len(self.b1.inflight) < self.window and len(self.slots) < 4 * self.window:
                req = next(requests, None)
                if req is None:
                    exhausted = True
                    break
                self._start(req)
            slot = self.slots.get(next_emit)
            while slot is not None and slot.m1 is not None and slot.mc is not None and (self.b2 is None or slot.m2 is not None):
                self._emit(slot)
                del self.slots[next_emit]
                next_emit += 1
                slot = self.slots.get(next_emit)
            if exhausted and not self.slots:
                return
            self._pump()

    def _emit(self, slot: Slot) -> None:
        assert slot.m1 is not None and slot.mc is not None
        record = self.compare(slot.req, slot.m1, slot.m2, slot.mc)
        self.writer.write(record)
        self.done += 1
        if record["outcome"] != "equal":
            self.flagged += 1
        if self.progress is not None:
            self.progress(self.done, self.flagged)

    # -- comparison ------------------------------------------------------------

    def _view(self, msg: dict[str, Any], side: Side, recorded: bool) -> dict[str, Any]:
        view = response_view(msg, side.session_cookie)
        calls = msg.get("outbound")
        if calls:
            outbound_view(view, calls, recorded=recorded, ignored_headers=self.outbound_ignored)
        return view

    def _pair(self, req: CorpusRequest, ma: dict[str, Any], sa: Side, mb: dict[str, Any], sb: Side) -> tuple[list[tuple[str, Any, Any]], list[str]]:
        if _fast_equal(ma, mb):
            return [], []
        a = self._view(ma, sa, recorded=True)
        b = self._view(mb, sb, recorded=False)
        pair = norm.Pair(req.method, a, b, ma, mb)
        fired = norm.apply(self.normalizers, pair)
        return diff_views(a, b), fired

    def compare(self, req: CorpusRequest, m1: dict[str, Any], m2: dict[str, Any] | None, mc: dict[str, Any]) -> dict[str, Any]:
        endpoint = m1.get("endpoint") or f"{req.method} {req.path.split('?', 1)[0]}"
        record: dict[str, Any] = {
            "seq": req.seq, "line": req.line, "offset": req.offset, "id": req.id, "session": req.session,
            "method": req.method, "path": req.path, "endpoint": endpoint,
        }
        hist = self.history.setdefault(req.session, [])
        errors = []
        for side_name, msg in (("baseline", m1), ("candidate", mc)):
            if "error" in msg:
                err = dict(msg["error"], side=side_name)
                err["fingerprint"] = fingerprint(endpoint, f"error:{side_name}:{err['kind']}", None, None)
                errors.append(err)
        if m2 is not None and "error" in m2:
            record["aa_error"] = m2["error"]
        fields: list[dict[str, Any]] = []
        fired: list[str] = []
        if not errors:
            noise: set[str] = set()
            if m2 is not None and "error" not in m2:
                aa_diffs, _ = self._pair(req, m1, self.b1, m2, self.b2)  # type: ignore[arg-type]
                if aa_diffs:
                    noise = {d[0] for d in aa_diffs}
                    self.endpoint_noise.setdefault(endpoint, set()).update(general_field(f) for f in noise)
            diffs, fired = self._pair(req, m1, self.b1, mc, self.c)
            for name, va, vb in diffs:
                fields.append(field_entry(endpoint, name, va, vb, "noise" if name in noise else "difference"))
        if errors:
            outcome = "error"
        elif any(f["class"] == "difference" for f in fields):
            outcome = "different"
        elif fields:
            outcome = "noise"
        else:
            outcome = "equal"
        record["outcome"] = outcome
        if fired:
            record["normalizers"] = fired
            for name in fired:
                self.fired[name] = self.fired.get(name, 0) + 1
        if outcome != "equal":
            record["fields"] = fields
            if errors:
                record["errors"] = errors
            sent_headers = [[k, v] for k, v in req.headers if k.lower() != "cookie"]
            if mc.get("cookie"):
                sent_headers.append(["Cookie", mc["cookie"]])
            request: dict[str, Any] = {"method": req.method, "path": req.path, "scheme": req.scheme, "headers": sent_headers}
            put_body(request, req.body)
            record["request"] = request
            record["baseline"] = _strip(m1)
            record["candidate"] = _strip(mc)
            record["history"] = list(hist)
        hist.append(req.offset)
        if len(hist) > HISTORY:
            del hist[0]
        return record


def _strip(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k not in ("id", "cookie")}


def _fast_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Byte-identical responses without outbound calls or sessions need no view at all."""
    if a.get("status") != b.get("status") or a.get("body") != b.get("body") or a.get("body_b64") != b.get("body_b64"):
        return False
    if "outbound" in a or "outbound" in b or "session" in a or "session" in b or "exception" in a or "exception" in b:
        return False
    ha, hb = a.get("headers", ()), b.get("headers", ())
    if len(ha) != len(hb):
        return False
    return sorted((k.lower(), v) for k, v in ha if k.lower() not in ("date", "server")) == sorted(
        (k.lower(), v) for k, v in hb if k.lower() not in ("date", "server")
    )
