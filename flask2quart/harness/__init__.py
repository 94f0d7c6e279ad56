"""The differential harness: prove the Quart app answers like the Flask app.

Data flows one way::

    corpus ──► runners (one worker process per side) ──► comparison ──► normalizers
           ──► noise (A/A run) ──► accepted differences ──► reports

==========================  ==============================================================
``corpus``                  native JSONL corpus: streamed reader, validation, line numbers
``har``                     HAR 1.2 import / export
``record``                  WSGI middleware appending live traffic to a corpus
``worker``                  the per-side subprocess (imports the app; stdlib-only module)
``outbound``                record / serve back outbound HTTP inside a worker
``protocol``                the JSON line protocol between harness and worker
``runner``                  starts, talks to, times out and restarts worker processes
``scratch``                 scratch copies of the trees, ``git:REF`` export
``cookies``                 per-session cookie jars kept by the harness
``compare``                 responses as flat field views; the field-level diff
``normalize``               built-in and user normalizers
``engine``                  the replay loop (pipelined over three workers)
``results``                 streamed records, noise/accept finalization, counts
``redact``                  secrets out of every report
``reproduce``               curl line and pytest snippet for a difference
``api``                     ``verify(...)`` and :class:`VerifyResult`
``cli``                     the ``verify``, ``record`` and ``corpus`` click commands
==========================  ==============================================================

The worker imports only ``protocol`` and ``outbound`` from this package, so this
``__init__`` imports nothing eagerly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["verify", "VerifyResult", "HarnessError"]


def __getattr__(name: str) -> Any:
    if name in ("verify", "VerifyResult"):
        from flask2quart.harness import api

        return getattr(api, name)
    if name == "HarnessError":
        from flask2quart.harness.errors import HarnessError

        return HarnessError
    raise AttributeError(name)
