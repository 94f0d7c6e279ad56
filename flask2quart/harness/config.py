"""``[tool.flask2quart.verify]`` in the candidate's pyproject.toml.

Every key is optional; command-line options add to lists and override scalars::

    [tool.flask2quart.verify]
    app = "notebook:create_app()"
    corpus = "tests/corpus.jsonl"
    setup_cli = ["init-db"]
    env = { DATABASE = "{scratch}/app.sqlite" }
    timeout = 10
    ignore_headers = ["X-Request-Id"]
    ignore_cookies = ["tracking"]
    ignore_json_paths = ["$.generated_at", "$.items[*].etag"]
    ignore_fields = ["outbound[*].header:x-trace-id"]
    replace = [{ pattern = 'name="csrf_token" value="[^"]+"', replacement = 'name="csrf_token" value="…"' }]
    disable_normalizers = ["remote-addr-echo"]
    redact_headers = ["X-Internal-Key"]
    redact_keys = ["ssn"]
    redact_patterns = ['acct-[0-9]+']
    outbound_ignore_headers = ["X-Client-Version"]

Unknown keys are an error, so a typo does not silently do nothing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask2quart.harness.errors import HarnessError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LIST_KEYS = (
    "setup_cli",
    "ignore_headers",
    "ignore_cookies",
    "ignore_json_paths",
    "ignore_fields",
    "disable_normalizers",
    "redact_headers",
    "redact_keys",
    "redact_patterns",
    "outbound_ignore_headers",
)
SCALAR_KEYS = ("app", "corpus", "app_dir", "timeout")
KEYS = frozenset(LIST_KEYS + SCALAR_KEYS + ("env", "replace"))


@dataclass
class FileConfig:
    path: Path | None = None
    app: str | None = None
    corpus: str | None = None
    app_dir: str | None = None
    timeout: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    replace: list[tuple[str, str, list[str]]] = field(default_factory=list)
    setup_cli: list[str] = field(default_factory=list)
    ignore_headers: list[str] = field(default_factory=list)
    ignore_cookies: list[str] = field(default_factory=list)
    ignore_json_paths: list[str] = field(default_factory=list)
    ignore_fields: list[str] = field(default_factory=list)
    disable_normalizers: list[str] = field(default_factory=list)
    redact_headers: list[str] = field(default_factory=list)
    redact_keys: list[str] = field(default_factory=list)
    redact_patterns: list[str] = field(default_factory=list)
    outbound_ignore_headers: list[str] = field(default_factory=list)


def load(path: Path | None) -> FileConfig:
    """Read the table from ``path`` (a pyproject.toml); a missing file or table is empty."""
    if path is None or not path.is_file():
        return FileConfig()
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise HarnessError(f"{path}: {exc}") from None
    table = doc.get("tool", {}).get("flask2quart", {}).get("verify")
    if table is None:
        return FileConfig(path=path)
    return parse(table, path)


def parse(table: dict[str, Any], path: Path) -> FileConfig:
    where = f"{path} [tool.flask2quart.verify]"
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise HarnessError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KEYS))}")
    cfg = FileConfig(path=path)
    for key in LIST_KEYS:
        if key in table:
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise HarnessError(f"{where}: {key} must be a list of strings")
            setattr(cfg, key, list(value))
    for key in ("app", "corpus", "app_dir"):
        if key in table:
            if not isinstance(table[key], str):
                raise HarnessError(f"{where}: {key} must be a string")
            setattr(cfg, key, table[key])
    if "timeout" in table:
        if not isinstance(table["timeout"], (int, float)) or table["timeout"] <= 0:
            raise HarnessError(f"{where}: timeout must be a positive number")
        cfg.timeout = float(table["timeout"])
    if "env" in table:
        env = table["env"]
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise HarnessError(f"{where}: env must be a table of strings")
        cfg.env = dict(env)
    for item in table.get("replace", []):
        if not isinstance(item, dict) or not isinstance(item.get("pattern"), str):
            raise HarnessError(f"{where}: replace entries need a 'pattern' string")
        extra = set(item) - {"pattern", "replacement", "fields"}
        if extra:
            raise HarnessError(f"{where}: replace: unknown key(s) {', '.join(sorted(extra))}")
        cfg.replace.append((item["pattern"], str(item.get("replacement", "")), list(item.get("fields", []))))
    return cfg
