"""Outbound calls recorded with one client library and served back to another."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.harness.conftest import PY313


def scenarios(stub, python=sys.executable):
    script = Path(__file__).with_name("outbound_scenarios.py")
    proc = subprocess.run([python, str(script), stub.url], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_record_and_serve_back_across_libraries(stub):
    before = len(stub.hits)
    out = scenarios(stub)
    assert out["record_json"] == {"city": "oslo", "temp": 21}
    assert out["record_gz"] == {"zipped": True}
    assert out["record_error"] == "ConnectionError"
    assert out["recorded"] == [
        ["requests", "GET", f"{stub.url}/weather?city=oslo", 200, None],
        ["requests", "GET", f"{stub.url}/gz", 200, None],
        ["requests", "POST", f"{stub.url}/notify", 202, None],
        ["requests", "GET", "http://127.0.0.1:9/down", None, "connect"],
    ]
    # stored as the app saw it: decompressed, no Content-Encoding
    assert "content-encoding" not in out["gz_headers"] and out["gz_headers"]["content-length"] == "16"
    assert out["httpx_json"] == {"city": "oslo", "temp": 21} and out["httpx_gz"] == {"zipped": True}
    assert out["httpx_matched"] == [0, 1]
    assert out["async_post"] == [202, {"received": {"a": 1}}]
    assert out["async_error"] == "ConnectError"  # the recorded connection error, in httpx's terms
    assert out["closest"] == {"city": "oslo", "temp": 21} and out["async_matched"] == [2, 3, 0]
    assert "no recorded outbound response for GET" in out["unmatched"] and out["unmatched_calls"] == [None]
    assert out["urllib3_json"] == {"city": "oslo", "temp": 21}
    assert out["exhausted"] is True
    assert out["outside_request_live"] == {"city": "live", "temp": 21}
    # only the recording run and the call outside a request reached the server
    assert [h[1] for h in stub.hits[before:]] == ["/weather?city=oslo", "/gz", "/notify", "/weather?city=live"]


def test_scenarios_on_python_313(stub):
    if not PY313.exists():
        import pytest

        pytest.skip("needs .venv313")
    out = scenarios(stub, str(PY313))
    assert out["httpx_json"] == {"city": "oslo", "temp": 21}
