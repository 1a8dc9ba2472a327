"""``python -m nephos_gateway directory ...``: the directory from the deployment's shell.

The first admin of a fresh deployment is made here (``bootstrap``), never
through an open endpoint: whoever can run this already holds the database
credentials. ``add-user`` puts a user (and, if new, their company) in the
directory with a role, and is safe to repeat: the embedded stack seeds its
demo admin with it at every start.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Role
from nephos_common.db import Database
from nephos_common.errors import NephosError
from nephos_gateway.directory import repository as repo
from nephos_gateway.directory import service
from nephos_gateway.directory.models import CompanyKind
from nephos_gateway.settings import Settings

ROLES = [r.name.lower() for r in Role]


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("directory", help="companies and users of this deployment")
    actions = parser.add_subparsers(dest="action", required=True)
    first = actions.add_parser(
        "bootstrap", help="create the first company and its admin (refused once users exist)"
    )
    _company_args(first)
    _person_args(first)
    add = actions.add_parser("add-user", help="add a user to a company, creating either if new")
    _company_args(add)
    _person_args(add)
    add.add_argument("--role", choices=ROLES, default="viewer")


def _company_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--company", required=True, help="the company's slug (its tenant id)")
    parser.add_argument("--company-name", help="display name of a new company")
    parser.add_argument("--msp", action="store_true", help="a new company is an MSP")


def _person_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subject", required=True, help="the identity provider's `sub`")
    parser.add_argument("--email", help="defaults to the subject")
    parser.add_argument("--name", help="defaults to the email")


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    try:
        message = asyncio.run(_run(args, settings or Settings()))
    except NephosError as exc:
        sys.stderr.write(f"{exc.message}\n")
        return 1
    sys.stdout.write(message + "\n")
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> str:
    database = Database(settings.database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            if args.action == "bootstrap":
                return await _bootstrap(session, args)
            return await _add_user(session, args)
    finally:
        await database.dispose()


def _kind(args: argparse.Namespace) -> CompanyKind:
    return CompanyKind.MSP if args.msp else CompanyKind.CUSTOMER


async def _bootstrap(session: AsyncSession, args: argparse.Namespace) -> str:
    email = args.email or args.subject
    await service.bootstrap(
        session,
        company_id=args.company,
        company_name=args.company_name or args.company,
        kind=_kind(args),
        subject=args.subject,
        email=email,
        name=args.name or email,
    )
    return f"{args.subject} is the first admin of {args.company}"


async def _add_user(session: AsyncSession, args: argparse.Namespace) -> str:
    role = Role[args.role.upper()]
    if await repo.company(session, args.company) is None:
        name = args.company_name or args.company
        await service.create_company(session, company_id=args.company, name=name, kind=_kind(args))
    user = await repo.user_by_subject(session, args.subject)
    if user is None or await repo.membership(session, user.id, args.company) is None:
        email = args.email or args.subject
        await service.add_user(
            session,
            args.company,
            subject=args.subject,
            email=email,
            name=args.name or email,
            role=role,
        )
    else:
        await service.set_role(session, args.company, user.id, role)
    return f"{args.subject} is {args.role} of {args.company}"
