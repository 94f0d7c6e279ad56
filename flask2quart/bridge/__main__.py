"""``python -m flask2quart.bridge --self-test`` (see :mod:`flask2quart.bridge._selftest`)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flask2quart.bridge", description=__doc__)
    parser.add_argument("--self-test", action="store_true", help="check versions and context binding")
    parser.add_argument("--supported", action="store_true", help="list the extension support table")
    args = parser.parse_args(argv)
    if args.supported:
        from .supported import EXTENSIONS

        for name, entry in EXTENSIONS.items():
            versions = ", ".join(entry["tested_versions"]) or "-"
            print(f"{name:20} {entry['status']:12} tested: {versions}")
        return 0
    if args.self_test:
        from ._selftest import run

        return run()
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
