"""Rule metadata: one source of truth for ``rules``, ``explain``, reports and the README.

A rule is registered by the ``@rule(...)`` decorator on its detector class in
``codemods/phaseN/<name>.py``. Marker-only codes (the tool could not be sure) are
registered with ``marker(...)`` next to the rule that emits them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Example:
    before: str
    after: str


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    phase: int
    summary: str
    safe: bool  # True: rewrite is behaviour-preserving; False: a marker for a person
    doc: str = ""
    examples: tuple[Example, ...] = field(default_factory=tuple)


REGISTRY: dict[str, RuleInfo] = {}


def register(info: RuleInfo) -> RuleInfo:
    existing = REGISTRY.get(info.code)
    if existing is not None and existing != info:
        raise ValueError(f"rule code {info.code} registered twice ({existing.name}, {info.name})")
    REGISTRY[info.code] = info
    return info


def rule(code: str, name: str, phase: int, summary: str, *, safe: bool = True,
         examples: tuple[Example, ...] = ()):
    """Class decorator for a detector: records its metadata and sets ``cls.info``."""

    def deco(cls):
        doc = (cls.__doc__ or "").strip()
        cls.info = register(RuleInfo(code, name, phase, summary, safe, doc, tuple(examples)))
        return cls

    return deco


def marker(code: str, name: str, phase: int, summary: str, doc: str = "",
           examples: tuple[Example, ...] = ()) -> RuleInfo:
    """A code the tool leaves as ``# flask2quart: CODE reason`` for a person."""
    return register(RuleInfo(code, name, phase, summary, False, doc, tuple(examples)))


def load_all() -> dict[str, RuleInfo]:
    """Import every codemod module so all rules are registered; return the registry."""
    import codemods

    for mod in pkgutil.walk_packages(codemods.__path__, prefix="codemods."):
        importlib.import_module(mod.name)
    return dict(sorted(REGISTRY.items()))
