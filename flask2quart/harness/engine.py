"""The replay loop: three workers, one request at a time, compared and streamed to disk.

Workers (each from its own scratch copy of its tree):

* ``baseline``      - records live outbound calls;
* ``baseline (A/A)`` - a second baseline, served the first one's outbound recordings;
  whatever differs between the two baselines is noise (random tokens, timestamps);
* ``candidate``     - served the same recordings.

Pipelining: the first baseline starts request *k+1* while the other two work on
request *k* (they need its outbound recordings), so on two cores the three
processes overlap. Cookie jars live here, one per corpus session and worker.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask2quart.harness import normalize as norm
from flask2quart.harness.compare import (
    OUTBOUND_IGNORED_HEADERS,
    diff_views,
    general_field,
    outbound_view,
    response_view,
)
from flask2quart.harness.cookies import Jar
from flask2quart.harness.corpus import CorpusRequest
from flask2quart.harness.errors import HarnessError
from flask2quart.harness.protocol import put_body
from flask2quart.harness.results import Writer, field_entry, fingerprint
from flask2quart.harness.runner import SideFailure, Worker

HISTORY = 10  # earlier requests of a session kept (as corpus offsets) for reproducers

# Message keys that never take part in a fast equality check.
_VOLATILE = frozenset({"id", "ms", "t", "endpoint"})


@dataclass
class Side:
    name: str
    worker: Worker
    jars: dict[str, Jar] = field(default_factory=dict)
    sent_at: float = 0.0

    def jar(self, session: str) -> Jar:
        jar = self.jars.get(session)
        if jar is None:
            jar = self.jars[session] = Jar()
        return jar

    @property
    def session_cookie(self) -> str | None:
        return self.worker.info.get("session_cookie")


def request_message(req: CorpusRequest, side: Side, *, endpoint: bool = False, outbound: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    headers = [[k, v] for k, v in req.headers if k.lower() != "cookie"]
    cookie = side.jar(req.session).header(req.path, req.header("cookie"))
    if cookie:
        headers.append(["Cookie", cookie])
    msg: dict[str, Any] = {
        "op": "request", "id": req.seq, "method": req.method, "path": req.path,
        "scheme": req.scheme, "headers": headers,
    }
    if endpoint:
        msg["endpoint"] = True
    if outbound is not None:
        msg["outbound"] = outbound
    put_body(msg, req.body)
    return msg


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
    ) -> None:
        self.b1 = baseline
        self.b2 = aa
        self.c = candidate
        self.normalizers = normalizers
        self.outbound_ignored = OUTBOUND_IGNORED_HEADERS | outbound_ignored
        self.timeout = timeout
        self.writer = writer
        self.progress = progress
        self.endpoint_noise: dict[str, set[str]] = {}
        self.fired: dict[str, int] = {}
        self.history: dict[str, list[int]] = {}
        self.done = 0
        self.flagged = 0
        self.restarts: dict[str, int] = {}

    # -- talking to a side ---------------------------------------------------

    def _send(self, side: Side, msg: dict[str, Any]) -> SideFailure | None:
        side.sent_at = time.monotonic()
        try:
            side.worker.send(msg)
        except SideFailure as exc:
            return exc
        return None

    def _receive(self, side: Side, req: CorpusRequest, pending: SideFailure | None) -> dict[str, Any]:
        failure = pending
        if failure is None:
            try:
                msg = side.worker.receive(side.sent_at + self.timeout)
            except SideFailure as exc:
                failure = exc
            else:
                if "error" in msg:
                    return {"error": {"kind": "worker", "message": msg.get("message", ""), "detail": msg.get("traceback", "")}}
                side.jar(req.session).update(
                    [v for k, v in msg.get("headers", ()) if k.lower() == "set-cookie"], req.path
                )
                return msg
        if failure.kind == "timeout":
            failure.message = f"no answer within {self.timeout:g} s (the worker was killed and restarted)"
        elif failure.kind == "crash" and not failure.detail:
            failure.detail = side.worker.log_tail()
        side.worker.restart()
        self.restarts[side.name] = self.restarts.get(side.name, 0) + 1
        return {"error": failure.as_dict()}

    # -- the loop ------------------------------------------------------------

    def run(self, requests: Iterator[CorpusRequest]) -> None:
        cur = next(requests, None)
        pending1 = self._send(self.b1, request_message(cur, self.b1, endpoint=True)) if cur else None
        while cur is not None:
            m1 = self._receive(self.b1, cur, pending1)
            nxt = next(requests, None)
            pending1 = self._send(self.b1, request_message(nxt, self.b1, endpoint=True)) if nxt is not None else None
            recorded = [c for c in m1.get("outbound", ()) if "response" in c or "error" in c]
            pending2 = self._send(self.b2, request_message(cur, self.b2, outbound=recorded)) if self.b2 else None
            msg_c = request_message(cur, self.c, outbound=recorded)
            pendingc = self._send(self.c, msg_c)
            m2 = self._receive(self.b2, cur, pending2) if self.b2 else None
            mc = self._receive(self.c, cur, pendingc)
            record = self.compare(cur, m1, m2, mc, msg_c)
            self.writer.write(record)
            self.done += 1
            if record["outcome"] != "equal":
                self.flagged += 1
            if self.progress is not None:
                self.progress(self.done, self.flagged)
            cur = nxt

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

    def compare(self, req: CorpusRequest, m1: dict[str, Any], m2: dict[str, Any] | None, mc: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
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
            record["request"] = {k: sent[k] for k in ("method", "path", "scheme", "headers", "body", "body_b64") if k in sent}
            record["baseline"] = _strip(m1)
            record["candidate"] = _strip(mc)
            record["history"] = list(hist)
        hist.append(req.offset)
        if len(hist) > HISTORY:
            del hist[0]
        return record


def _strip(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k not in ("id",)}


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
