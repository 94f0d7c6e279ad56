from __future__ import annotations

import pytest

from .apps import create_app


@pytest.fixture
def ns():
    """A fresh bridged app with every extension (in-memory SQLite)."""
    return create_app()


@pytest.fixture
def app(ns):
    return ns.app
