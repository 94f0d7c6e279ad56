"""Property tests: mutated Flask fixture modules and random valid Python (hypothesmith)
through every phase. See ``props.py`` for the properties checked.

Sample sizes are chosen so the whole reliability suite stays within its CI budget;
``F2Q_RELIABILITY_EXAMPLES`` multiplies them for a longer local run.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import hypothesmith
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.reliability.mutations import MUTATIONS, flask_modules, flask_projects
from tests.reliability.props import ROUND_TRIP_REFUSAL, assert_safe, check_tree, compiles

SCALE = float(os.environ.get("F2Q_RELIABILITY_EXAMPLES", "1"))


def ci_settings(n: int):
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, derandomize=True,
                    database=None, print_blob=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))  # no shrinking: minutes on CI


MODULES = dict(flask_modules())
PROJECTS = flask_projects()


def mutate(src: str, seed: int, steps: list[int]) -> tuple[str, list[str]]:
    rnd = random.Random(seed)
    applied = []
    for k in steps:
        m = MUTATIONS[k % len(MUTATIONS)]
        new = m(src, rnd)
        if new != src and compiles(new.encode()):
            src = new
            applied.append(m.__name__)
    return src, applied


mutation_steps = st.lists(st.integers(0, len(MUTATIONS) - 1), min_size=1, max_size=4)


def test_mutated_flask_modules():
    """One mutated fixture module per example, alone in its project."""
    stats: Counter = Counter()

    @ci_settings(35)
    @given(st.sampled_from(sorted(MODULES)), st.integers(0, 2**32), mutation_steps)
    def prop(name, seed, steps):
        src, applied = mutate(MODULES[name], seed, steps)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "proj"
            root.mkdir()
            (root / Path(name).name).write_text(src, encoding="utf-8")
            out = check_tree(root)
            assert_safe(out)
        stats["examples"] += 1
        stats["changed"] += bool(out.changed)
        stats.update(applied)

    prop()
    # the test proves something only if the tool actually rewrote most inputs,
    # and if every mutation kind was exercised
    assert stats["changed"] >= 0.6 * stats["examples"], stats
    assert all(stats[m.__name__] for m in MUTATIONS), stats


def test_mutated_flask_projects():
    """Whole fixture trees (cross-module propagation) with 1-3 modules mutated."""
    stats: Counter = Counter()

    @ci_settings(5)
    @given(st.sampled_from(PROJECTS), st.integers(0, 2**32), st.lists(mutation_steps, min_size=1, max_size=3))
    def prop(project, seed, plan):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "proj"
            shutil.copytree(project, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "instance"))
            pys = sorted(p for p in root.rglob("*.py") if "flask" in p.read_text(encoding="utf-8"))
            rnd = random.Random(seed)
            for steps in plan if pys else ():
                target = rnd.choice(pys)
                new, applied = mutate(target.read_text(encoding="utf-8"), rnd.randrange(2**32), steps)
                target.write_text(new, encoding="utf-8")
                stats.update(applied)
            out = check_tree(root)
            assert_safe(out)
        stats["examples"] += 1
        stats["changed"] += bool(out.changed)

    prop()
    assert stats["changed"] >= 0.7 * stats["examples"], stats


FLASK_PREAMBLE = (
    "from flask import Flask, request, g, session, render_template, jsonify\n"
    "app = Flask(__name__)\n\n"
    "@app.route('/')\n"
    "def index():\n"
    "    return jsonify(request.args)\n\n"
)


def test_random_valid_python():
    """hypothesmith programs: alone (the tool must leave them byte-identical unless they
    use Flask) and after a Flask preamble (so the rules run over them)."""
    stats: Counter = Counter()

    @ci_settings(30)
    @given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()), st.booleans())
    def prop(code, with_flask):
        source = (FLASK_PREAMBLE + code) if with_flask else code
        data = source.encode("utf-8", "surrogatepass")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
        if not compiles(data):
            return  # from_grammar can produce code the compiler rejects (e.g. bad nonlocal)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "proj"
            root.mkdir()
            (root / "mod.py").write_bytes(data)
            out = check_tree(root)
            assert_safe(out, allow=(ROUND_TRIP_REFUSAL,))
            stats["refused"] += bool(out.failed)
            if not with_flask and "flask" not in source.lower():
                assert out.changed == 0, "a module without Flask was rewritten"
        stats["examples"] += 1
        stats["flask"] += with_flask
        stats["changed"] += bool(out.changed)

    prop()
    print(stats)
    assert stats["examples"] >= 10, stats
    # hypothesmith's odd whitespace/comments often defeat LibCST's round trip: those files
    # are refused (reported, untouched); the rest must be rewritten
    assert stats["changed"] >= 0.4 * stats["flask"] > 0, stats
    assert stats["changed"] + stats["refused"] >= 0.8 * stats["flask"], stats


def test_every_fixture_case_as_is():
    """Every ``fixtures/cases/*/*/before`` tree, unmutated (the apps run in
    benchmarks/reliability_scale.py --fixtures and, mutated, above)."""
    cases = sorted(p for p in PROJECTS if p.name == "before")
    assert len(cases) > 20
    changed = 0
    for case in cases:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "proj"
            shutil.copytree(case, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            out = check_tree(root)
            try:
                assert_safe(out)
            except AssertionError as exc:
                raise AssertionError(f"{case}: {exc}") from None
            changed += bool(out.changed)
    assert changed >= 0.8 * len(cases)
