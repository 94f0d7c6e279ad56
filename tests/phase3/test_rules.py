"""Unit checks of phase-3 decisions that the case trees do not isolate."""

from __future__ import annotations

import ast

import pytest

from codemods.phase3._http import _url_may_have_query
from codemods.phase3.dependencies import HttpxDependency


@pytest.mark.parametrize("src,method,may", [
    ("request('GET', u + '/x', params=p)", "request", False),
    ("request('GET', u + '/x?a=1', params=p)", "request", True),
    ("request('GET', u, params=p)", "request", True),      # the URL's end is not a literal
    ("get(f'{u}/x', params=p)", "get", False),
    ("get(f'{u}/x?{q}', params=p)", "get", True),
    ("get(url=u + '/x', params=p)", "get", False),
    ("get(build(u), params=p)", "get", True),
])
def test_params_only_where_the_url_cannot_carry_a_query(src, method, may):
    assert _url_may_have_query(ast.parse(src).body[0].value, method) is may


def test_dependency_rule_adds_httpx_and_respx_once():
    rule = HttpxDependency()
    text = "flask==3.1.3\nrequests==2.32.3  # upstream\nresponses==0.26.3\n"
    new, n = rule.rewrite("requirements-dev.txt", text)
    assert n == 2
    assert new == ("flask==3.1.3\nrequests==2.32.3  # upstream\nhttpx==0.28.1\n"
                   "responses==0.26.3\nrespx==0.23.1\n")
    assert rule.rewrite("requirements-dev.txt", new) == (new, 0)
    toml = '[project]\ndependencies = [\n    "flask==3.1.3",\n    "requests==2.32.3"\n]\n'
    new_toml, n = rule.rewrite("pyproject.toml", toml)
    assert n == 1 and '"requests==2.32.3",\n    "httpx==0.28.1"\n]' in new_toml
    import tomllib
    assert tomllib.loads(new_toml)["project"]["dependencies"][-1] == "httpx==0.28.1"
    assert not rule.applies_to("setup.py") and rule.applies_to("requirements.txt")
