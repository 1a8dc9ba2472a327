"""The gateway app without downstream services: schema file, IDE/introspection switches, outages."""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from nephos_common.settings import Environment
from nephos_gateway.main import create_app
from nephos_gateway.schema import build_schema, sdl
from nephos_gateway.settings import Settings
from tests.fixtures.infra import DatabaseFactory, running
from tests.gateway.conftest import enrol, gateway_settings, user_bearer
from tests.gateway.flows import REGISTER

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
INTROSPECT = {"query": "{ __schema { queryType { name } } }"}


def test_schema_file_matches_the_code() -> None:
    """Run ``uv run python -m nephos_gateway.export_schema`` after changing the schema."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl()
    assert str(build_schema(Settings())) + "\n" == sdl()


def test_production_turns_exploration_off_unless_asked() -> None:
    secrets: dict[str, Any] = {"jwt_secret": "s" * 40, "internal_secret": "i" * 40}
    production = Settings(environment=Environment.PRODUCTION, **secrets)
    chosen = Settings(environment=Environment.PRODUCTION, graphiql=True, **secrets)
    assert (production.graphiql, production.introspection) == (False, False)
    assert (chosen.graphiql, chosen.introspection) == (True, False)
    assert Settings().graphiql is Settings().introspection is True


async def _post(app: Any, settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    """POST as an admin of the directory, on a gateway whose lifespan runs."""
    async with running(app, "http://gateway") as client:
        await enrol(app.state.database, "acme", "admin")
        response = await client.post("/graphql", json=body, headers=user_bearer(settings))
        result: dict[str, Any] = response.json()
        return result


async def test_introspection_and_graphiql_follow_settings(databases: DatabaseFactory) -> None:
    database_url = await databases.create("nephos_gateway")
    closed = gateway_settings(database_url, introspection=False, graphiql=False)
    open_ = gateway_settings(database_url)
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
        await enrol(app.state.database, "acme", "viewer")
        client.headers.update(user_bearer(settings, "acme", "viewer"))
        yield client


async def test_an_unreachable_service_is_reported_not_leaked(
    gateway_without_asset: httpx.AsyncClient,
) -> None:
    response = await gateway_without_asset.post(
        "/graphql", json={"query": "{ cloudAccounts { nodes { id } } }"}
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "the asset service is unavailable"
    ready = await gateway_without_asset.get("/readyz")
    assert ready.status_code == 200


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {vars(record)} {record.exc_info}")


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({"secretAccessKey": "TOPSECRET-1", "bogus": 1}, id="unknown-field"),
        pytest.param({"secretAccessKey": ["TOPSECRET-1"]}, id="wrong-type"),
        pytest.param({"accessKeyId": 7, "secretAccessKey": "TOPSECRET-1"}, id="sibling-wrong"),
    ],
)
async def test_refused_variables_are_neither_echoed_nor_logged(
    credentials: dict[str, Any], databases: DatabaseFactory
) -> None:
    settings = gateway_settings(await databases.create("nephos_gateway"))
    app = create_app(settings)  # before the handler: building an app configures logging
    records = _Records()
    logging.getLogger().addHandler(records)
    variables = {"input": {"name": "x", "credentials": credentials}}
    try:
        body = await _post(app, settings, {"query": REGISTER, "variables": variables})
    finally:
        logging.getLogger().removeHandler(records)

    assert body["errors"][0]["message"].startswith("Variable '$input' has invalid value")
    assert "TOPSECRET" not in str(body)
    assert records.lines
    assert not any("TOPSECRET" in line for line in records.lines)


def _ws_client() -> Any:
    """Starlette's test client (it speaks WebSocket over ASGI); its httpx notice is not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(create_app(Settings()))


def test_graphql_transport_ws_is_spoken_and_needs_a_token() -> None:
    """The full handshake with a token is in ``test_subscriptions``."""
    client = _ws_client()
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"
        ws.send_json({"type": "connection_init"})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_the_legacy_graphql_ws_protocol_is_refused() -> None:
    client = _ws_client()
    with (
        client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 4406
