"""End-to-end: every fixture app's own test suite passes on Flask, unmigrated.

The fixture apps are "the user's code": their suites are the yardstick of the port
(tests/e2e/test_ported_suites.py compares the migrated suites with these counts), so they
must pass on Flask first. Runs with this interpreter (Python 3.11, where Flask is installed).
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.e2e.test_ported_suites import SUITES, _run_suite
from tests.helpers import copy_fixture_app

pytestmark = pytest.mark.e2e

#: fixture → tests its suite collects on Flask
FLASK_SUITES = {**{name: total for name, (total, _) in SUITES.items()}, "shelf": 79}


@pytest.mark.parametrize("fixture", sorted(FLASK_SUITES))
def test_fixture_suite_passes_on_flask(tmp_path, fixture):
    assert importlib.util.find_spec("flask") is not None, "Flask must be installed for this check"
    app_dir = copy_fixture_app(fixture, tmp_path)
    passed, collected = _run_suite(sys.executable, app_dir)
    assert collected == FLASK_SUITES[fixture], f"{fixture}: {collected} tests collected on Flask"
    assert passed == collected, f"{fixture}: {passed}/{collected} pass on Flask"
