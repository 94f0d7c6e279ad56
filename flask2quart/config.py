"""``[tool.flask2quart]`` in the project's pyproject.toml: the migration wing's settings.

One loader for every sub-table; each consumer validates its own keys::

    [tool.flask2quart]
    phase = 2
    exclude = ["migrations/*"]

    [tool.flask2quart.blocking]       # phase 2: extra blocking calls
    [tool.flask2quart.verify]         # the harness (flask2quart/harness/config.py)

A missing file or table is an empty config; a pyproject that does not parse is an error
with the file named (never silently ignored).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """The project's configuration cannot be used (message names the file and key)."""


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


def load_config(start: Path) -> dict[str, Any]:
    """The ``[tool.flask2quart]`` table that applies to ``start`` ({} when there is none)."""
    path = find_pyproject(start)
    if path is None:
        return {}
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.flask2quart]: {exc}") from exc
    table = doc.get("tool", {}).get("flask2quart", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.flask2quart] must be a table")
    return table
