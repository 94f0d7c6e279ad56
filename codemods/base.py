"""What every detector gets: the file, the project index and facts, and helpers."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable

from flask2quart.analysis.facts import ProjectFacts
from flask2quart.analysis.index import FuncNode, ModuleInfo, ProjectIndex, Scope
from flask2quart.analysis.index import is_generator  # noqa: F401  (detectors import it from here)
from flask2quart.analysis.project import SourceFile
from flask2quart.edits import Edit, Span
from flask2quart.rules import RuleInfo


@dataclass
class RuleContext:
    source: SourceFile
    module: ModuleInfo
    index: ProjectIndex
    facts: ProjectFacts
    phase: int = 1  # the phase being applied (rules of phases <= this run)

    def span(self, node: ast.AST) -> Span:
        return self.source.lines.span(node)

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.module.parents.get(node)

    def scopes(self) -> Iterable[Scope]:
        """Every scope of this module (module first)."""
        stack = [self.module.scope]
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.children))

    def functions(self) -> Iterable[Scope]:
        return (s for s in self.scopes() if isinstance(s.node, FuncNode))

    def eval_scope(self, scope: Scope, node: ast.AST) -> Scope:
        return self.index.innermost_scope(scope, node)

    def is_awaited(self, node: ast.AST) -> bool:
        return isinstance(self.parent(node), ast.Await)


class Rule:
    """A detector: reads facts, returns edits for one file. Registered with ``@rule``."""

    info: ClassVar[RuleInfo]

    def detect(self, ctx: RuleContext) -> Iterable[Edit]:  # pragma: no cover - abstract
        raise NotImplementedError


#: (phase, provider) pairs; a provider yields the direct await sites of one function
#: (``AwaitSite`` values) and so seeds the async propagation of its phase.
_AWAIT_SITE_PROVIDERS: list[tuple[int, Callable]] = []


def await_site_provider(phase: int):
    """Register ``fn(facts, scope) -> Iterable[AwaitSite]`` for ``phase`` and later."""

    def deco(fn):
        _AWAIT_SITE_PROVIDERS.append((phase, fn))
        return fn

    return deco


def await_site_providers(phase: int) -> list[Callable]:
    from flask2quart.rules import load_all

    load_all()
    return [fn for ph, fn in _AWAIT_SITE_PROVIDERS if ph <= phase]
