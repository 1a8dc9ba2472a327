"""The gateway in-process in front of the real asset service (itself in-process, with workers).

The gateway reaches the asset app through ``httpx.ASGITransport`` wrapped in a
counting transport, so tests can check what it sends downstream. The
``observed_gateway`` fixture also puts the real metering and monitoring apps
behind it, the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from nephos_common.settings import Environment
from nephos_gateway.main import EVENTS_STREAM, create_app
from nephos_gateway.settings import Settings
from tests.fixtures.asset import AssetService
from tests.fixtures.infra import NATS_URL, DatabaseFactory, bearer, running, wipe_streams
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

    def auth(self, tenant: str = "acme", role: str = "admin") -> dict[str, str]:
        return bearer(self.settings, tenant, role)

    async def query(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST one operation; returns the whole GraphQL response body."""
        body = {"query": document, "variables": variables or {}}
        response = await self.client.post(
            "/graphql", json=body, headers=self.auth() if headers is None else headers
        )
        assert response.status_code == 200, response.text
        self.responses.append(response.text)
        result: dict[str, Any] = response.json()
        return result


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


def _counting(app: Any) -> CountingTransport:
    return CountingTransport(httpx.ASGITransport(app=app))


@pytest.fixture
async def gateway(
    asset_service: AssetService, databases: DatabaseFactory
) -> AsyncIterator[Gateway]:
    await wipe_streams(NATS_URL, EVENTS_STREAM.name)
    settings = gateway_settings(await databases.create("nephos_gateway"))
    counter = _counting(asset_service.app)
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
    asset = _counting(asset_service.app)
    metering = _counting(metering_service.app)
    monitoring = _counting(monitoring_service.app)
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
