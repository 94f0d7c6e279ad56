"""HAR 1.2 import and export (browser devtools, mitmproxy, Charles, Proxyman ...).

Import keeps each entry's method, path and query, headers and body. Dropped:
HTTP/2 pseudo-headers (``:authority``), hop-by-hop headers, ``Host``,
``Content-Length`` and, unless ``keep_cookies``, ``Cookie`` (replay rebuilds
cookies from the responses). A browser export usually contains third-party
requests too; unless ``host`` is given, only entries for the host of the first
entry are kept and the others are counted in the returned summary. All entries go
to one corpus session (a browser has one cookie jar) unless an entry carries
``_session`` (written by our export), so export -> import round-trips.

Export writes one entry per corpus request with an empty response (status 0),
streaming entries as it reads the corpus. Custom fields: ``_session``, ``_id``,
and ``_encoding: "base64"`` on ``postData`` for binary bodies.

HAR is a single JSON document, so import reads the whole file; convert once and
replay the JSONL for very large captures.
"""

from __future__ import annotations

import base64
import json
import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask2quart import __version__
from flask2quart.harness.corpus import CorpusError, dump_line, from_mapping, read_corpus, to_mapping
from flask2quart.harness.errors import HarnessError

DROPPED = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection", "trailer"})


def har_to_corpus(
    har_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    session: str = "har",
    host: str | None = None,
    keep_cookies: bool = False,
) -> dict[str, Any]:
    """Convert a HAR file to a JSONL corpus. Returns ``{"written": n, "skipped_hosts": {...}}``."""
    name = os.fspath(har_path)
    try:
        doc = json.loads(Path(name).read_text(encoding="utf-8"))
        entries = doc["log"]["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HarnessError(f"{name}: not a HAR 1.2 file ({exc})") from None
    if host is None and entries:
        host = urlsplit(entries[0].get("request", {}).get("url", "")).hostname
    skipped: Counter[str] = Counter()
    written = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for index, item in enumerate(entries):
            req = item.get("request") or {}
            url = req.get("url", "")
            parts = urlsplit(url)
            if host is not None and parts.hostname != host:
                skipped[parts.hostname or "?"] += 1
                continue
            entry = _entry(req, item, session, keep_cookies)
            try:
                from_mapping(entry, path=name, line=index + 1)
            except CorpusError as exc:
                raise HarnessError(f"{name}: entry {index}: {exc.message}") from None
            out.write(dump_line(entry))
            written += 1
    return {"written": written, "host": host, "skipped_hosts": dict(skipped)}


def _entry(req: dict[str, Any], item: dict[str, Any], session: str, keep_cookies: bool) -> dict[str, Any]:
    parts = urlsplit(req.get("url", ""))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    entry: dict[str, Any] = {}
    if item.get("_id") is not None:
        entry["id"] = str(item["_id"])
    entry["session"] = str(item.get("_session") or session)
    entry["method"] = str(req.get("method", "GET")).upper()
    entry["path"] = target
    if parts.scheme == "https":
        entry["scheme"] = "https"
    headers = []
    for h in req.get("headers", ()):
        hname, value = str(h.get("name", "")), str(h.get("value", ""))
        lname = hname.lower()
        if not hname or hname.startswith(":") or lname in DROPPED or (lname == "cookie" and not keep_cookies):
            continue
        headers.append([hname, value])
    post = req.get("postData") or {}
    if post:
        mime = post.get("mimeType")
        if mime and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(["Content-Type", mime])
        if "text" in post and post["text"] is not None:
            if post.get("_encoding") == "base64" or post.get("encoding") == "base64":
                entry["body_b64"] = post["text"]
            elif post["text"] != "":
                entry["body"] = post["text"]
        elif post.get("params"):
            entry["body"] = urlencode([(p.get("name", ""), p.get("value", "")) for p in post["params"]])
    if headers:
        entry["headers"] = headers
    if item.get("comment"):
        entry["comment"] = str(item["comment"])
    return entry


def corpus_to_har(corpus_path: str | os.PathLike[str], out_path: str | os.PathLike[str], *, base_url: str = "http://localhost") -> int:
    """Write a HAR 1.2 file with one entry per corpus request; returns the count."""
    base = base_url.rstrip("/")
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    count = 0
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "flask2quart", "version": ')
        out.write(json.dumps(__version__) + '}, "entries": [')
        for req in read_corpus(corpus_path):
            src = to_mapping(req)
            scheme_base = base if req.scheme == "http" or "://" not in base else "https://" + base.split("://", 1)[1]
            url = scheme_base + req.path
            query = urlsplit(url).query
            request: dict[str, Any] = {
                "method": req.method,
                "url": url,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": [{"name": k, "value": v} for k, v in req.headers],
                "queryString": [{"name": k, "value": v} for k, v in parse_qsl(query, keep_blank_values=True)],
                "headersSize": -1,
                "bodySize": len(req.body),
            }
            if req.body:
                mime = req.header("content-type") or "application/octet-stream"
                post: dict[str, Any] = {"mimeType": mime}
                if "body_b64" in src:
                    post["text"] = base64.b64encode(req.body).decode("ascii")
                    post["_encoding"] = "base64"
                else:
                    post["text"] = src["body"]
                request["postData"] = post
            entry: dict[str, Any] = {
                "startedDateTime": now,
                "time": 0,
                "request": request,
                "response": {
                    "status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [],
                    "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
                "_session": req.session,
            }
            if req.id is not None:
                entry["_id"] = req.id
            comment = req.source.get("comment")
            if comment:
                entry["comment"] = comment
            out.write(("\n" if count == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
            count += 1
        out.write("\n]}}\n")
    return count
