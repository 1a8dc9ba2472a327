"""The gateway in-process in front of the real asset service (itself in-process, with workers).

The gateway reaches the asset app through ``httpx.ASGITransport`` wrapped in a
counting transport, so tests can check what it sends downstream. The
``observed_gateway`` fixture also puts the real metering and monitoring apps
behind it, the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from nephos_common.auth import Role, issue_token
from nephos_common.db import Database
from nephos_common.settings import Environment
from nephos_gateway.directory import repository as directory_repo
from nephos_gateway.directory import service as directory
from nephos_gateway.main import EVENTS_STREAM, create_app
from nephos_gateway.settings import Settings
from tests.fixtures.asset import AssetService
from tests.fixtures.infra import NATS_URL, DatabaseFactory, running, wipe_streams
from tests.fixtures.metering import MeteringService
from tests.fixtures.monitoring import MonitoringService


class CountingTransport(httpx.AsyncBaseTransport):
    """Records every request the gateway sends to a service, then forwards it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Gateway:
    client: httpx.AsyncClient
    settings: Settings
    app: Any
    asset: CountingTransport
    metering: CountingTransport | None = None
    monitoring: CountingTransport | None = None
    responses: list[str] = field(default_factory=list)
    pending: set[tuple[str, str]] = field(default_factory=set)
    """(company, role) of tokens handed out but not yet put in the directory."""

    def auth(self, tenant: str = "acme", role: str = "admin") -> dict[str, str]:
        """A token of the company's user with that role, who joins the directory before use."""
        self.pending.add((tenant, role))
        return user_bearer(self.settings, tenant, role)

    async def enrol_pending(self) -> None:
        pending, self.pending = sorted(self.pending), set()
        for tenant, role in pending:
            await enrol(self.app.state.database, tenant, role)

    async def query(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST one operation; returns the whole GraphQL response body."""
        body = {"query": document, "variables": variables or {}}
        headers = self.auth() if headers is None else headers
        await self.enrol_pending()
        response = await self.client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200, response.text
        self.responses.append(response.text)
        result: dict[str, Any] = response.json()
        return result


def user_subject(tenant: str, role: str) -> str:
    return f"{role}@{tenant}"


def user_bearer(settings: Settings, tenant: str = "acme", role: str = "admin") -> dict[str, str]:
    """The identity provider's token of the company's user with that role."""
    token = issue_token(settings, subject=user_subject(tenant, role), tenant=tenant, role=role)
    return {"Authorization": f"Bearer {token}"}


async def enrol(
    database: Database, tenant: str, role: str, subject: str | None = None
) -> uuid.UUID:
    """Put the user (and their company) in the directory, as an admin would; returns its id."""
    subject = subject or user_subject(tenant, role)
    async with database.transaction() as session:
        if await directory_repo.company(session, tenant) is None:
            await directory.create_company(session, company_id=tenant, name=tenant.title())
        user = await directory_repo.user_by_subject(session, subject)
        if user is None:
            user = await directory.add_user(
                session,
                tenant,
                subject=subject,
                email=subject,
                name=subject,
                role=Role[role.upper()],
            )
        else:
            await directory.set_role(session, tenant, user.id, Role[role.upper()])
        return user.id


def gateway_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "nats_url": NATS_URL,
        "outbox_poll_seconds": 0.2,
        "max_page_size": 50,
    }
    values.update(overrides)
    return Settings(**values)


def counting(app: Any) -> CountingTransport:
    """A service app in-process behind a transport that records what the gateway sends it."""
    return CountingTransport(httpx.ASGITransport(app=app))


@pytest.fixture
async def gateway(
    asset_service: AssetService, databases: DatabaseFactory
) -> AsyncIterator[Gateway]:
    await wipe_streams(NATS_URL, EVENTS_STREAM.name)
    settings = gateway_settings(await databases.create("nephos_gateway"))
    counter = counting(asset_service.app)
    app = create_app(settings, transports={"asset": counter})
    async with running(app, "http://gateway") as client:
        yield Gateway(client=client, settings=settings, app=app, asset=counter)


@pytest.fixture
async def observed_gateway(
    asset_service: AssetService,
    metering_service: MeteringService,
    monitoring_service: MonitoringService,
    databases: DatabaseFactory,
) -> AsyncIterator[Gateway]:
    """The gateway in front of the real asset, metering and monitoring services."""
    await wipe_streams(NATS_URL, EVENTS_STREAM.name)
    settings = gateway_settings(await databases.create("nephos_gateway"))
    asset = counting(asset_service.app)
    metering = counting(metering_service.app)
    monitoring = counting(monitoring_service.app)
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "asset": asset,
        "metering": metering,
        "monitoring": monitoring,
    }
    app = create_app(settings, transports=transports)
    async with running(app, "http://gateway") as client:
        yield Gateway(
            client=client,
            settings=settings,
            app=app,
            asset=asset,
            metering=metering,
            monitoring=monitoring,
        )
