"""The gateway app without downstream services: schema file, IDE/introspection switches, outages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nephos_common.settings import Environment
from nephos_gateway.main import create_app
from nephos_gateway.schema import build_schema, sdl
from nephos_gateway.settings import Settings
from tests.fixtures.infra import DatabaseFactory, bearer, running
from tests.gateway.conftest import gateway_settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
INTROSPECT = {"query": "{ __schema { queryType { name } } }"}


def test_schema_file_matches_the_code() -> None:
    """Run ``uv run python -m nephos_gateway.export_schema`` after changing the schema."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl()
    assert str(build_schema(Settings())) + "\n" == sdl()


def test_production_turns_exploration_off_unless_asked() -> None:
    secret = {"jwt_secret": "s" * 40}
    production = Settings(environment=Environment.PRODUCTION, **secret)
    chosen = Settings(environment=Environment.PRODUCTION, graphiql=True, **secret)
    assert (production.graphiql, production.introspection) == (False, False)
    assert (chosen.graphiql, chosen.introspection) == (True, False)
    assert Settings().graphiql is Settings().introspection is True


async def _post(app: Any, settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    # No lifespan needed: validation rules refuse the document before any resolver runs.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        response = await client.post("/graphql", json=body, headers=bearer(settings))
        result: dict[str, Any] = response.json()
        return result


async def test_introspection_and_graphiql_follow_settings() -> None:
    closed = Settings(introspection=False, graphiql=False)
    open_ = Settings()
    refused = await _post(create_app(closed), closed, INTROSPECT)
    allowed = await _post(create_app(open_), open_, INTROSPECT)

    assert "introspection" in refused["errors"][0]["message"].lower()
    assert allowed["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    html = {"Accept": "text/html"}
    for settings, status in ((open_, 200), (closed, 404)):
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            assert (await client.get("/graphql", headers=html)).status_code == status


class _Down(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


@pytest.fixture
async def gateway_without_asset(databases: DatabaseFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings(await databases.create("nephos_gateway"))
    app = create_app(settings, transports={"asset": _Down()})
    async with running(app, "http://gateway") as client:
        client.headers.update(bearer(settings))
        yield client


async def test_an_unreachable_service_is_reported_not_leaked(
    gateway_without_asset: httpx.AsyncClient,
) -> None:
    response = await gateway_without_asset.post(
        "/graphql", json={"query": "{ cloudAccounts { id } }"}
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "the asset service is unavailable"
    ready = await gateway_without_asset.get("/readyz")
    assert ready.status_code == 200
