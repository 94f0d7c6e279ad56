"""Session-wide test settings."""

from __future__ import annotations

import os
import tempfile

# CLI runs in tests (in-process and subprocesses) use a private result cache, never the
# developer's ~/.cache/flask2quart; each test session starts cold.
os.environ.setdefault("FLASK2QUART_CACHE_DIR", tempfile.mkdtemp(prefix="f2q-test-cache-"))
