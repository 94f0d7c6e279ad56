"""``[tool.flask2quart]`` in the project's pyproject.toml: the migration wing's settings.

One loader for every sub-table; each consumer validates its own sub-table::

    [tool.flask2quart]
    phase = 2                          # migrate/scan default phase (1-3)
    exclude = ["migrations/*"]         # globs, added to --exclude
    select = ["F2Q101", "F2Q102"]      # only these rules (default: all)
    ignore = ["F2Q111"]                # never these rules
    target-quart = "0.23.1"            # the Quart version the project moves to (a fact for reports)

    [tool.flask2quart.blocking]       # phase 2: extra blocking calls
    [tool.flask2quart.verify]         # the harness (flask2quart/harness/config.py)

A missing file or table is an empty config; a pyproject that does not parse, an unknown
key or a value of the wrong type is a :class:`ConfigError` naming the file and the key
(never silently ignored). Command-line options override these values (lists add up).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """The project's configuration cannot be used (message names the file and key)."""


# Sub-tables owned (and validated) by other parts of the tool. Extend when a wing adds one.
SUBTABLES = frozenset({"verify", "blocking", "http", "extensions"})
_CODE = re.compile(r"^F2Q\d{3}$")
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` (a file or directory)."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.flask2quart]: {exc}") from exc
    table = doc.get("tool", {}).get("flask2quart", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.flask2quart] must be a table")
    return table


def load_config(start: Path) -> dict[str, Any]:
    """The raw ``[tool.flask2quart]`` table that applies to ``start`` ({} when there is none)."""
    path = find_pyproject(start)
    return {} if path is None else _read(path)


@dataclass(frozen=True)
class Settings:
    """Validated top-level settings. ``path`` is the pyproject they came from (or None)."""

    path: Path | None = None
    phase: int | None = None
    exclude: tuple[str, ...] = ()
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    target_quart: str | None = None
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # sub-tables, unvalidated

    def rules(self, cli_select: tuple[str, ...] | list[str] = (),
              cli_ignore: tuple[str, ...] | list[str] = (),
              known: set[str] | None = None) -> set[str] | None:
        """The rule codes to apply (None = all). ``--select`` replaces the configured
        selection; ignores from both places are removed. ``known`` (all registered codes)
        is needed to express ignore-only selections."""
        chosen = {c.upper() for c in cli_select} or set(self.select)
        ignored = {c.upper() for c in cli_ignore} | set(self.ignore)
        if not ignored:
            return chosen or None
        base = chosen or set(known or ())
        return base - ignored


def _strings(path: Path, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.flask2quart] {key}: expected a list of strings, got {value!r}")
    return value


def _codes(path: Path, key: str, value: Any) -> frozenset[str]:
    codes = [c.strip().upper() for c in _strings(path, key, value)]
    bad = [c for c in codes if not _CODE.match(c)]
    if bad:
        raise ConfigError(f"{path}: [tool.flask2quart] {key}: not a rule code: {', '.join(bad)} "
                          "(expected F2Q followed by three digits; see `flask2quart rules`)")
    return frozenset(codes)


def parse_settings(table: dict[str, Any], path: Path) -> Settings:
    """Validate a ``[tool.flask2quart]`` table read from ``path``."""
    values: dict[str, Any] = {"path": path}
    tables: dict[str, dict[str, Any]] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if raw_key in SUBTABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [tool.flask2quart.{raw_key}] must be a table")
            tables[raw_key] = value
        elif key == "phase":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3:
                raise ConfigError(f"{path}: [tool.flask2quart] phase: expected 1, 2 or 3, got {value!r}")
            values["phase"] = value
        elif key == "exclude":
            values["exclude"] = tuple(_strings(path, raw_key, value))
        elif key in ("select", "ignore"):
            values[key] = _codes(path, raw_key, value)
        elif key == "target_quart":
            if not isinstance(value, str) or not _VERSION.match(value):
                raise ConfigError(f"{path}: [tool.flask2quart] {raw_key}: expected a version "
                                  f"such as \"0.23.1\", got {value!r}")
            values["target_quart"] = value
        else:
            known = ", ".join(sorted({"phase", "exclude", "select", "ignore", "target-quart", *SUBTABLES}))
            raise ConfigError(f"{path}: [tool.flask2quart] unknown key {raw_key!r} (known: {known})")
    return Settings(tables=tables, **values)


def load_settings(start: Path) -> Settings:
    """Validated settings for the project containing ``start`` (empty when there are none)."""
    path = find_pyproject(start)
    if path is None:
        return Settings()
    return parse_settings(_read(path), path)
