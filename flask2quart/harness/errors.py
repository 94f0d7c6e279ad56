"""Errors that stop a run (the CLI maps them to exit code 2)."""

from __future__ import annotations


class HarnessError(Exception):
    """The run cannot go on: bad arguments, a bad corpus line, an app that does not import."""


class AppImportError(HarnessError):
    """A side's app failed to import; carries the worker's traceback."""

    def __init__(self, side: str, message: str, traceback: str = "") -> None:
        self.side = side
        self.traceback = traceback
        super().__init__(f"{side}: {message}" + (f"\n{traceback.rstrip()}" if traceback else ""))
