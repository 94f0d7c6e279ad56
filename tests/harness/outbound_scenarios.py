"""Run in a subprocess by test_outbound.py (the patches are process-wide)."""

import asyncio
import json
import sys

from flask2quart.harness.outbound import install

stub = sys.argv[1]
out = {}

recorder = install("record")
import httpx  # noqa: E402
import requests  # noqa: E402
import urllib3  # noqa: E402

recorder.begin(None)
r = requests.get(f"{stub}/weather", params={"city": "oslo"}, timeout=5)
out["record_json"] = r.json()
g = requests.get(f"{stub}/gz", timeout=5)
out["record_gz"] = g.json()
p = requests.post(f"{stub}/notify", json={"a": 1}, headers={"X-Key": "k"}, timeout=5)
out["record_post_status"] = p.status_code
try:
    requests.get("http://127.0.0.1:9/down", timeout=2)
except requests.ConnectionError:
    out["record_error"] = "ConnectionError"
calls = recorder.end()
out["recorded"] = [(c["library"], c["method"], c["url"], c.get("response", {}).get("status"), c.get("error", {}).get("kind")) for c in calls]
out["gz_headers"] = dict((k.lower(), v) for k, v in calls[1]["response"]["headers"])
recorded = calls

# replay the same recordings to every client library
recorder.mode = "replay"
recorder.begin(recorded)
with httpx.Client() as client:
    out["httpx_json"] = client.get(f"{stub}/weather", params={"city": "oslo"}).json()
    out["httpx_gz"] = client.get(f"{stub}/gz").json()
replayed = recorder.end()
out["httpx_matched"] = [c["matched"] for c in replayed]


async def async_calls():
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{stub}/notify", json={"a": 1})
        try:
            await client.get("http://127.0.0.1:9/down")
        except httpx.ConnectError as exc:
            out["async_error"] = type(exc).__name__
        # a URL the baseline never called still gets the closest unused recording (same method),
        # so the app carries on and the URL difference is reported
        other = await client.get(f"{stub}/weather2")
        out["closest"] = other.json()
        return resp.status_code, resp.json()

recorder.begin(recorded)
out["async_post"] = asyncio.run(async_calls())
out["async_matched"] = [c["matched"] for c in recorder.end()]


async def unmatched():
    async with httpx.AsyncClient() as client:
        try:
            await client.get(f"{stub}/never-recorded")
        except httpx.ConnectError as exc:
            out["unmatched"] = str(exc)

recorder.begin([])
asyncio.run(unmatched())
out["unmatched_calls"] = [c["matched"] for c in recorder.end()]

recorder.begin(recorded[:1])
pool = urllib3.PoolManager()
out["urllib3_json"] = json.loads(pool.request("GET", f"{stub}/weather?city=oslo").data)
try:
    requests.get(f"{stub}/weather", params={"city": "oslo"})
except requests.ConnectionError as exc:
    out["exhausted"] = "no recorded outbound response" in str(exc)
recorder.end()

recorder.active = False
out["outside_request_live"] = requests.get(f"{stub}/weather", params={"city": "live"}).json()
print(json.dumps(out))
