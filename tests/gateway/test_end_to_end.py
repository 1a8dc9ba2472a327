"""End to end through a real GraphQL client: register, discover, the dashboard, a live alert.

Every service runs for real (its database, its workers, its consumers) and
they all share one NATS namespace, as in a deployment: the asset service's
discoveries reach monitoring as targets, and monitoring's alerts reach the
gateway's subscribers, over NATS. The client is ``gql``: its httpx transport
for queries and mutations, its websockets transport (graphql-transport-ws)
for the subscription. AWS is moto in server mode.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import nats
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXAsyncTransport

from nephos_asset.main import create_app as create_asset
from nephos_common.db import utcnow
from nephos_common.messaging.nats import namespaced_stream
from nephos_common.settings import Environment
from nephos_devstack.aws_estate import seed_estate
from nephos_gateway.main import create_app as create_gateway
from nephos_gateway.schema.subscription_hub import EventHub
from nephos_metering.main import create_app as create_metering
from nephos_metering.settings import Settings as MeteringSettings
from nephos_monitoring.main import create_app as create_monitoring
from tests.fixtures.asset import asset_settings
from tests.fixtures.infra import NATS_URL, DatabaseFactory, bearer, running, wipe_streams
from tests.fixtures.monitoring import monitoring_settings, wait_for
from tests.gateway.conftest import enrol, gateway_settings, user_bearer
from tests.gateway.flows import REGISTER, RUN, START, register_input
from tests.gateway.live import serving, until, ws_client

REGION = "us-east-1"

DASHBOARD = gql("""
query Home {
  assetSummary { productsTotal servers { total running } }
  costOverview { currency monthToDate hotBill }
  monitoringOverview { targetsTotal firingAlerts byStatus { status count } }
}
""")

SERVERS = gql('{ assets(first: 50, filter: {category: "server"}) { edges { node { id } } } }')

ALERTS = gql("subscription { alertEvents { kind ruleName assetId value threshold } }")


@dataclass
class Deployment:
    gateway_url: str
    headers: dict[str, str]
    monitoring: httpx.AsyncClient
    monitoring_auth: dict[str, str]
    hub: EventHub


@pytest.fixture
async def deployment(databases: DatabaseFactory) -> AsyncIterator[Deployment]:
    """Asset, metering, monitoring and the gateway on one namespace; the gateway on a socket."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    asset_app = create_asset(
        asset_settings(await databases.create("nephos_asset"), nats_namespace=namespace)
    )
    metering_settings = MeteringSettings(
        environment=Environment.TEST,
        database_url=await databases.create("nephos_metering"),
        nats_url=NATS_URL,
        nats_namespace=namespace,
        run_workers=False,
    )
    metering_app = create_metering(metering_settings)
    monitoring_config = monitoring_settings(await databases.create("nephos_monitoring"), namespace)
    monitoring_app = create_monitoring(monitoring_config)
    settings = gateway_settings(await databases.create("nephos_gateway"), nats_namespace=namespace)
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "asset": httpx.ASGITransport(app=asset_app),
        "metering": httpx.ASGITransport(app=metering_app),
        "monitoring": httpx.ASGITransport(app=monitoring_app),
    }
    gateway_app = create_gateway(settings, transports=transports)
    try:
        async with (
            running(asset_app),
            running(metering_app),
            running(monitoring_app, "http://monitoring") as monitoring,
            running(gateway_app),
            serving(gateway_app) as url,
        ):
            await enrol(gateway_app.state.database, "acme", "admin")
            await asyncio.wait_for(gateway_app.state.event_hub.ready.wait(), 10)
            yield Deployment(
                gateway_url=url,
                headers=user_bearer(settings, "acme", "admin"),
                monitoring=monitoring,
                monitoring_auth=bearer(monitoring_config, "acme", "admin"),
                hub=gateway_app.state.event_hub,
            )
    finally:
        await _wipe_namespace(namespace)


async def _wipe_namespace(namespace: str) -> None:
    """Every stream the deployment made, whichever service made it."""
    nc = await nats.connect(NATS_URL)
    try:
        names = [info.config.name for info in await nc.jetstream().streams_info()]
    finally:
        await nc.close()
    prefix = namespaced_stream(namespace, "")
    await wipe_streams(NATS_URL, *(n for n in names if n and n.startswith(prefix)))


def http_client(deployment: Deployment) -> Client:
    transport = HTTPXAsyncTransport(
        url=f"{deployment.gateway_url}/graphql", headers=deployment.headers, timeout=30
    )
    return Client(transport=transport)


async def _discover(session: Any, account_id: str) -> dict[str, Any]:
    started = await session.execute(
        GraphQLRequest(START, variable_values={"accountId": account_id})
    )
    run_id = started["startDiscovery"]["run"]["id"]
    async with asyncio.timeout(60):
        while True:
            found = await session.execute(GraphQLRequest(RUN, variable_values={"id": run_id}))
            run: dict[str, Any] = found["discoveryRun"]
            if run["finished"]:
                return run
            await asyncio.sleep(0.2)


async def _fire_alert(deployment: Deployment, asset_ids: list[str]) -> None:
    """A CPU rule on servers, and a hot point for each server (monitoring's REST API)."""
    client, auth = deployment.monitoring, deployment.monitoring_auth
    rule = {
        "name": "cpu high",
        "metric": "cpu_percent",
        "threshold": 80,
        "severity": "critical",
        "scope": {"kind": "category", "category": "server"},
    }
    created = await client.post("/rules", json=rule, headers=auth)
    assert created.status_code == 201, created.text
    at = (utcnow() - timedelta(seconds=5)).isoformat()
    points = [{"asset_id": a, "metric": "cpu_percent", "ts": at, "value": 97.5} for a in asset_ids]
    pushed = await client.post("/points", json={"points": points}, headers=auth)
    assert pushed.status_code == 200, pushed.text


async def _targets(deployment: Deployment) -> list[dict[str, Any]]:
    answer = await deployment.monitoring.get("/targets", headers=deployment.monitoring_auth)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _first_alert(deployment: Deployment) -> dict[str, Any]:
    async with ws_client(deployment.gateway_url, deployment.headers) as live:
        async for event in live.subscribe(ALERTS):
            found: dict[str, Any] = event["alertEvents"]
            return found
    raise AssertionError("the subscription ended without an event")


async def test_register_discover_dashboard_and_a_live_alert(
    deployment: Deployment, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    async with http_client(deployment) as session:
        registered = await session.execute(
            GraphQLRequest(
                REGISTER,
                variable_values={"input": register_input(fresh_moto, (REGION,), "Prod AWS")},
            )
        )
        payload = registered["registerCloudAccount"]
        assert payload["userErrors"] == [], payload
        run = await _discover(session, payload["account"]["id"])
        assert run["status"] == "succeeded", run
        assert run["assetsFound"] == manifest.total

        servers = [e["node"]["id"] for e in (await session.execute(SERVERS))["assets"]["edges"]]
        assert servers
        # Discovery's events reach monitoring over NATS: each server becomes a target.
        await wait_for(lambda: _targets(deployment), lambda t: len(t) >= len(servers), 30)

        alert = asyncio.create_task(_first_alert(deployment))
        await until(lambda: deployment.hub.subscriber_count() == 1)  # listening before it fires
        await _fire_alert(deployment, servers)
        event = await asyncio.wait_for(alert, 30)

        home = await session.execute(DASHBOARD)

    assert event["kind"] == "FIRED"
    assert event["ruleName"] == "cpu high"
    assert event["assetId"] in servers
    assert (event["value"], event["threshold"]) == (97.5, 80)
    assert home["assetSummary"]["productsTotal"] >= 1
    assert home["assetSummary"]["servers"]["total"] == len(servers)
    assert home["monitoringOverview"]["targetsTotal"] >= len(servers)
    assert home["monitoringOverview"]["firingAlerts"] >= 1
    assert home["costOverview"]["monthToDate"] == "0"  # no bill ingested in this deployment
