"""Command line of the local stack: ``python -m nephos_devstack {run,demo,token,add-user}``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from nephos_common.auth import Role, issue_token
from nephos_devstack.config import DevstackSettings, select_services
from nephos_devstack.devsecrets import load_or_create, token_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nephos_devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("run", "start PostgreSQL, NATS and the services until Ctrl-C"),
        ("demo", "like run, plus a seeded fake AWS (moto) registered and discovered"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--only",
            metavar="SVC[,SVC]",
            help="start only these services (asset, metering, monitoring, gateway)",
        )
    token = commands.add_parser("token", help="print a dev token signed with the local secret")
    token.add_argument(
        "--tenant", default="demo", help="the company (the gateway's default for this user)"
    )
    token.add_argument(
        "--role",
        default="admin",
        choices=[r.name.lower() for r in Role],
        help="read only by services called directly; the gateway takes roles from its directory",
    )
    token.add_argument(
        "--subject",
        default="dev@nephos.local",
        help="the user, as the gateway's directory knows them",
    )
    token.add_argument("--ttl-hours", type=float, default=12.0)
    user = commands.add_parser(
        "add-user", help="add a user (and a new company) to the running stack's gateway"
    )
    user.add_argument("--tenant", default="demo")
    user.add_argument("--subject", required=True)
    user.add_argument("--role", default="viewer", choices=[r.name.lower() for r in Role])
    return parser


def _add_user(args: argparse.Namespace) -> int:
    from nephos_devstack.config import GATEWAY
    from nephos_devstack.embedded import database_url
    from nephos_devstack.seeding import add_user

    s = DevstackSettings()
    server = s.database_url or f"postgresql://postgres@127.0.0.1:{s.postgres_port}"
    url = database_url(server, GATEWAY.database)
    try:
        said = asyncio.run(add_user(url, company=args.tenant, subject=args.subject, role=args.role))
    except RuntimeError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    sys.stdout.write(said + "\n")
    return 0


def _token(args: argparse.Namespace) -> int:
    dev = load_or_create(DevstackSettings().data_dir)
    token = issue_token(
        token_settings(dev),
        subject=args.subject,
        tenant=args.tenant,
        role=args.role,
        ttl_seconds=int(args.ttl_hours * 3600),
    )
    sys.stdout.write(token + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "token":
        return _token(args)
    if args.command == "add-user":
        return _add_user(args)
    from nephos_devstack.run import run_stack

    try:
        services = select_services(args.only.split(",") if args.only else None)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.command == "demo":
        from nephos_devstack.demo import run_demo

        return asyncio.run(run_stack(services, after_ready=run_demo))
    return asyncio.run(run_stack(services))


if __name__ == "__main__":
    sys.exit(main())
