"""The scan HTML page rendered by headless Chromium: a screenshot that is not blank (and
shows the chart's bars) and the DOM the browser built. Skipped when no Chromium is
installed (``scripts/install-chromium`` installs it)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from flask2quart.scan import build
from flask2quart.scan.render import render
from tests.helpers import write_tree
from tests.reports.conftest import APP

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="chromium not installed (scripts/install-chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-dev-shm-usage"]
BAR_BLUE = (0x09, 0x69, 0xDA)


def decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, channels, raw pixels) of an 8-bit, non-interlaced RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    out, prev = bytearray(), bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        out += line
        prev = line
    return width, height, channels, bytes(out)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("proj")
    write_tree(root, APP)
    report = build([root])
    path = tmp_path_factory.mktemp("html") / "scan.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path, report


def test_screenshot_is_not_blank(page, tmp_path):
    path, _report = page
    shot = tmp_path / "shot.png"
    proc = subprocess.run([BROWSER, *FLAGS, f"--screenshot={shot}", "--window-size=1200,900", path.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    width, height, channels, pixels = decode_png(shot.read_bytes())
    assert (width, height) == (1200, 900)
    step = channels * 3  # every third pixel is plenty
    colours = {pixels[i:i + 3] for i in range(0, len(pixels), step)}
    non_white = sum(1 for i in range(0, len(pixels), step) if pixels[i:i + 3] != b"\xff\xff\xff")
    assert len(colours) > 20, "a one-colour page"
    assert non_white / (width * height / 3) > 0.02, "almost nothing drawn"
    assert bytes(BAR_BLUE) in colours, "the SVG chart's bars were not painted"


def test_dom_as_built_by_the_browser(page):
    path, report = page
    proc = subprocess.run([BROWSER, *FLAGS, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                          timeout=120)
    dom = proc.stdout
    assert "<h1>flask2quart scan</h1>" in dom, proc.stderr[-2000:]
    assert dom.count("<details>") == len(report["files"])
    assert len(re.findall(r'<rect class="bar"', dom)) == len(report["modules"])
    for p in (1, 2, 3):
        assert f'id="phase-{p}"' in dom
