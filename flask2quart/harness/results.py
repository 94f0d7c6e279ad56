"""Result values: one record per replayed request, streamed to JSON Lines on disk.

Nothing holds all results in memory: the replay loop appends records to
``raw.jsonl``; :func:`finalize` reads them back once, applies the per-endpoint
noise learned over the whole run and the accepted differences, writes
``results.jsonl`` and returns the counts. Reports iterate ``results.jsonl``.

A record (only non-equal requests carry the responses)::

    {"seq": 3, "line": 4, "offset": 312, "id": null, "session": "s1",
     "method": "POST", "path": "/notes", "endpoint": "POST /notes",
     "outcome": "equal" | "different" | "noise" | "accepted" | "error",
     "fields": [{"field": "body:$.title", "baseline": "a", "candidate": "b",
                 "class": "difference" | "noise" | "accepted", "fingerprint": "..."}],
     "normalizers": ["vary-cookie"],
     "errors": [{"side": "candidate", "kind": "timeout", "message": "..."}],
     "request": {...as sent...}, "baseline": {...}, "candidate": {...},
     "history": [offsets of the earlier requests of the same session]}
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask2quart.harness.compare import MISSING, general_field

OUTCOMES = ("equal", "different", "noise", "accepted", "error")
MAX_VALUE_CHARS = 4000


def fingerprint(endpoint: str, fieldname: str, a: Any, b: Any) -> str:
    """Identity of a difference for ``--accept``: endpoint, field shape and both values."""
    doc = [endpoint, general_field(fieldname), None if a is MISSING else a, None if b is MISSING else b]
    raw = json.dumps(doc, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + f"… ({len(value)} characters)"
    return value


def field_entry(endpoint: str, fieldname: str, a: Any, b: Any, cls: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": fieldname, "class": cls, "fingerprint": fingerprint(endpoint, fieldname, a, b)}
    if a is not MISSING:
        entry["baseline"] = _clip(a)
    if b is not MISSING:
        entry["candidate"] = _clip(b)
    return entry


class Writer:
    """Append-only JSONL writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=repr))
        self._fh.write("\n")

    def close(self) -> None:
        self._fh.close()


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


@dataclass
class EndpointStats:
    endpoint: str
    requests: int = 0
    equal: int = 0
    different: int = 0
    noise: int = 0
    accepted: int = 0
    error: int = 0

    def add(self, outcome: str) -> None:
        self.requests += 1
        setattr(self, outcome, getattr(self, outcome) + 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint, "requests": self.requests, "equal": self.equal,
            "different": self.different, "noise": self.noise, "accepted": self.accepted, "errors": self.error,
        }


def load_accepted(path: Path) -> set[str]:
    """Fingerprints from a JSON report (``--format json``) or ``{"accepted": [...]}``."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        from flask2quart.harness.errors import HarnessError

        raise HarnessError(f"--accept {path}: {exc}") from None
    prints: set[str] = set()
    for item in doc.get("accepted", []):
        prints.add(item["fingerprint"] if isinstance(item, dict) else str(item))
    for rec in doc.get("differences", []):
        for f in rec.get("fields", []):
            if f.get("class") in ("difference", "accepted") and f.get("fingerprint"):
                prints.add(f["fingerprint"])
        for e in rec.get("errors", []):
            if e.get("fingerprint"):
                prints.add(e["fingerprint"])
    return prints


@dataclass
class Totals:
    total: int = 0
    equal: int = 0
    different: int = 0
    noise: int = 0
    accepted: int = 0
    error: int = 0
    endpoints: dict[str, EndpointStats] = field(default_factory=dict)
    noise_fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, endpoint: str, outcome: str) -> None:
        self.total += 1
        setattr(self, outcome, getattr(self, outcome) + 1)
        stats = self.endpoints.get(endpoint)
        if stats is None:
            stats = self.endpoints[endpoint] = EndpointStats(endpoint)
        stats.add(outcome)


def finalize(raw: Path, final: Path, endpoint_noise: dict[str, set[str]], accepted: set[str]) -> Totals:
    """Second pass: per-endpoint noise, accepted differences, outcomes and counts."""
    totals = Totals(noise_fields={k: sorted(v) for k, v in sorted(endpoint_noise.items())})
    writer = Writer(final)
    try:
        for rec in iter_records(raw):
            endpoint = rec.get("endpoint", "?")
            noisy = endpoint_noise.get(endpoint, ())
            for f in rec.get("fields", ()):
                if f["class"] == "difference":
                    if general_field(f["field"]) in noisy:
                        f["class"] = "noise"
                    elif f["fingerprint"] in accepted:
                        f["class"] = "accepted"
            errors = rec.get("errors", ())
            for e in errors:
                e["accepted"] = e.get("fingerprint") in accepted
            classes = {f["class"] for f in rec.get("fields", ())}
            if errors and not all(e["accepted"] for e in errors):
                outcome = "error"
            elif "difference" in classes:
                outcome = "different"
            elif "accepted" in classes or errors:
                outcome = "accepted"
            elif "noise" in classes:
                outcome = "noise"
            else:
                outcome = "equal"
            rec["outcome"] = outcome
            if outcome == "equal":
                for key in ("baseline", "candidate", "request", "history", "fields"):
                    rec.pop(key, None)
            totals.add(endpoint, outcome)
            writer.write(rec)
    finally:
        writer.close()
    return totals


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):  # pragma: no cover - best effort
        shutil.rmtree(path, ignore_errors=True)
