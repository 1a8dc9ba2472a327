"""The four services, each a uvicorn process of its own on a fresh migrated database.

Separate processes as in a deployment (and so that the load generator does
not share the gateway's interpreter). Background workers are off: the bench
measures reads, and the relays' polling would only add noise.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from bench.database import Databases
from bench.servers import HOST, Server, _process, free_port
from nephos_common.auth import Role
from nephos_common.db import Database

SERVICES = ("asset", "metering", "monitoring")
TENANT = "bench"
SUBJECT = "admin@bench"


@dataclass(frozen=True)
class Stack:
    gateway: Server
    services: dict[str, Server]
    namespace: str
    companies: tuple[str, ...]
    """The bench's companies, each with one admin (``admin_of``)."""


def companies(count: int) -> tuple[str, ...]:
    """``bench``, then ``bench2``, ``bench3``...: the first is the one-company bench's."""
    return (TENANT, *(f"{TENANT}{n}" for n in range(2, count + 1)))


def admin_of(company: str) -> str:
    return SUBJECT if company == TENANT else f"admin@{company}"


def _env(service: str, database_url: str, port: int, namespace: str) -> dict[str, str]:
    prefix = f"NEPHOS_{service.upper()}_"
    return {
        **os.environ,
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}PORT": str(port),
        f"{prefix}NATS_NAMESPACE": namespace,
        f"{prefix}RUN_WORKERS": "false",
        f"{prefix}LOG_LEVEL": "WARNING",
    }


def _serve(service: str, env: dict[str, str], port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", f"nephos_{service}.main:create_app",
        "--host", HOST, "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def _start(
    stack: ExitStack, service: str, database_url: str, namespace: str, **extra: str
) -> Server:
    port = free_port()
    env = {**_env(service, database_url, port, namespace), **extra}
    url = f"http://{HOST}:{port}"
    return stack.enter_context(_process(_serve(service, env, port), f"gateway-{service}", url, env))


async def _enrol(database_url: str, names: tuple[str, ...]) -> None:
    """The bench's companies and their admins in the gateway's directory, as an admin would."""
    from nephos_gateway.directory import service as directory

    database = Database(database_url)
    try:
        async with database.transaction() as session:
            for company in names:
                admin = admin_of(company)
                await directory.create_company(session, company_id=company, name=company.title())
                await directory.add_user(
                    session, company, subject=admin, email=admin, name=admin, role=Role.ADMIN
                )
    finally:
        await database.dispose()


@contextmanager
def running_stack(company_count: int = 1, **gateway_env: str) -> Iterator[Stack]:
    """Start asset, metering and monitoring, then the gateway in front of them;
    ``gateway_env`` adds to the gateway's environment."""
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    dbs = {name: Databases(f"nephos_{name}") for name in (*SERVICES, "gateway")}
    try:
        with ExitStack() as stack:
            services = {
                name: _start(stack, name, dbs[name].fresh(), namespace) for name in SERVICES
            }
            gateway_db = dbs["gateway"].fresh()
            names = companies(company_count)
            asyncio.run(_enrol(gateway_db, names))
            urls = {f"NEPHOS_GATEWAY_{n.upper()}_URL": s.url for n, s in services.items()}
            gateway = _start(stack, "gateway", gateway_db, namespace, **urls, **gateway_env)
            yield Stack(gateway=gateway, services=services, namespace=namespace, companies=names)
    finally:
        for databases in dbs.values():
            databases.drop_all()
