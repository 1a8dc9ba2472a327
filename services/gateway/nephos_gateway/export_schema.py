"""``python -m nephos_gateway.export_schema [PATH]``: write the SDL to PATH.

PATH defaults to ``schema.graphql`` at the repository root.

The file is committed so that frontend teams review schema changes in diffs;
a test fails when it and the code disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nephos_gateway.schema import sdl

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "schema.graphql"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_PATH
    target.write_text(sdl(), encoding="utf-8")
    sys.stderr.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
