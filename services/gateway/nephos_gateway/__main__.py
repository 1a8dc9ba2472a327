"""Command line of the gateway: ``python -m nephos_gateway directory {bootstrap,add-user}``."""

from __future__ import annotations

import argparse
import sys

from nephos_gateway.directory import cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nephos_gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    cli.add_parser(commands)
    args = parser.parse_args(argv)
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
