"""Subscriptions over graphql-transport-ws, fed from the real NATS, per company."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
import websockets
from gql import gql
from gql.transport.exceptions import TransportQueryError

from nephos_common.auth import issue_token
from nephos_common.contracts.monitoring import AlertFired, AlertResolved, IncidentOpened
from nephos_common.db import Database
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.nats import NatsConnection, namespaced_subject
from nephos_gateway.main import create_app
from nephos_gateway.schema.subscription_hub import EventHub
from nephos_gateway.settings import Settings
from tests.fixtures.infra import NATS_URL, DatabaseFactory, bearer, running
from tests.gateway.conftest import enrol, gateway_settings, user_bearer, user_subject
from tests.gateway.live import serving, until, ws_client

ALERTS = gql("subscription { alertEvents { kind alertId ruleName assetId value threshold at } }")
INCIDENTS = gql("subscription { incidentEvents { kind incidentId status severity } }")


@dataclass
class LiveGateway:
    url: str
    settings: Settings
    hub: EventHub

    database: Database

    async def auth(self, tenant: str = "acme", role: str = "viewer") -> dict[str, str]:
        """A token of the company's user with that role, enrolled in the directory."""
        await enrol(self.database, tenant, role)
        return user_bearer(self.settings, tenant, role)

    async def publish(self, *envelopes: Envelope) -> None:
        """Put events on NATS in the gateway's namespace, as the services' relays do."""
        nc = await nats.connect(NATS_URL)
        try:
            for envelope in envelopes:
                subject = namespaced_subject(self.settings.nats_namespace, envelope.type)
                await nc.publish(subject, envelope.model_dump_json().encode())
            await nc.flush()
        finally:
            await nc.close()


@pytest.fixture
async def live_gateway(databases: DatabaseFactory) -> AsyncIterator[LiveGateway]:
    namespace = f"t{uuid.uuid4().hex[:10]}"
    database = await databases.create("nephos_gateway")
    settings = gateway_settings(database, nats_namespace=namespace, subscriber_queue_size=5)
    app = create_app(settings)
    async with running(app, "http://gateway"), serving(app) as url:
        hub: EventHub = app.state.event_hub
        await asyncio.wait_for(hub.ready.wait(), 10)
        yield LiveGateway(url=url, settings=settings, hub=hub, database=app.state.database)


def fired(tenant: str, value: float = 95.0) -> Envelope:
    now = datetime.now(UTC)
    event = AlertFired(
        alert_id=uuid.uuid4(),
        rule_id=uuid.uuid4(),
        rule_name=f"cpu high at {tenant}",
        asset_id=uuid.uuid4(),
        metric="cpu_percent",
        severity="critical",
        value=value,
        threshold=80,
        operator="gt",
        started_at=now,
        fired_at=now,
    )
    return event.envelope(tenant=tenant, source="monitoring")


def resolved(tenant: str, alert: Envelope) -> Envelope:
    data = alert.data
    event = AlertResolved(
        alert_id=data["alert_id"],
        rule_id=data["rule_id"],
        rule_name=data["rule_name"],
        asset_id=data["asset_id"],
        metric=data["metric"],
        severity=data["severity"],
        value=20.0,
        resolved_at=datetime.now(UTC),
        reason="recovered",
    )
    return event.envelope(tenant=tenant, source="monitoring")


async def _collect(url: str, headers: dict[str, str], document: Any, n: int) -> list[Any]:
    async with ws_client(url, headers) as session:
        found = []
        async for result in session.subscribe(document):
            found.append(result)
            if len(found) == n:
                return found
    return found


async def test_alert_events_reach_the_subscribers_of_their_company_only(
    live_gateway: LiveGateway,
) -> None:
    gw = live_gateway
    acme = asyncio.create_task(_collect(gw.url, await gw.auth("acme"), ALERTS, 2))
    globex = asyncio.create_task(_collect(gw.url, await gw.auth("globex"), ALERTS, 1))
    await until(lambda: gw.hub.subscriber_count() == 2)
    acme_alert, globex_alert = fired("acme", 91.5), fired("globex", 99.0)

    await gw.publish(acme_alert, globex_alert, resolved("acme", acme_alert))

    acme_seen, globex_seen = await asyncio.wait_for(asyncio.gather(acme, globex), 10)
    assert [e["alertEvents"]["kind"] for e in acme_seen] == ["FIRED", "RESOLVED"]
    assert {e["alertEvents"]["alertId"] for e in acme_seen} == {acme_alert.data["alert_id"]}
    assert acme_seen[0]["alertEvents"]["value"] == 91.5
    assert acme_seen[0]["alertEvents"]["threshold"] == 80
    assert [e["alertEvents"]["alertId"] for e in globex_seen] == [globex_alert.data["alert_id"]]
    await until(lambda: gw.hub.subscriber_count() == 0)  # completed streams are forgotten


async def test_incident_events_do_not_carry_alerts(live_gateway: LiveGateway) -> None:
    gw = live_gateway
    incidents = asyncio.create_task(_collect(gw.url, await gw.auth(), INCIDENTS, 1))
    await until(lambda: gw.hub.subscriber_count() == 1)
    opened = IncidentOpened(
        incident_id=uuid.uuid4(),
        asset_id=uuid.uuid4(),
        status="open",
        severity="critical",
        assignee=None,
        opened_at=datetime.now(UTC),
        alert_id=uuid.uuid4(),
    ).envelope(tenant="acme", source="monitoring")

    await gw.publish(fired("acme"), opened)

    (seen,) = await asyncio.wait_for(incidents, 10)
    assert seen["incidentEvents"] == {
        "kind": "OPENED",
        "incidentId": opened.data["incident_id"],
        "status": "open",
        "severity": "critical",
    }


async def _init(url: str, payload: dict[str, Any]) -> tuple[str | None, int | None]:
    """Open a raw graphql-transport-ws connection; what came back, and the close code."""
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 5))["type"]
        except websockets.ConnectionClosed:
            reply = None
        await ws.close()
        return reply, ws.close_code if reply is None else None


async def test_a_connection_without_a_valid_token_is_closed(live_gateway: LiveGateway) -> None:
    gw = live_gateway
    foreign = Settings(jwt_secret="another-deployment-secret-of-32-bytes!")

    assert await _init(gw.url, {}) == (None, 4403)
    assert await _init(gw.url, {"Authorization": "Bearer not-a-token"}) == (None, 4403)
    assert await _init(gw.url, bearer(foreign, "acme", "admin")) == (None, 4403)
    assert await _init(gw.url, await gw.auth("acme", "viewer")) == ("connection_ack", None)


async def test_an_expired_token_ends_the_stream(live_gateway: LiveGateway) -> None:
    gw = live_gateway
    await gw.auth("acme", "viewer")
    subject = user_subject("acme", "viewer")
    # Long enough to open the stream on a loaded machine; the stream then outlives it.
    expires = time.monotonic() + 4
    token = issue_token(gw.settings, subject=subject, tenant="acme", role="viewer", ttl_seconds=4)
    stream = asyncio.create_task(_collect(gw.url, {"Authorization": f"Bearer {token}"}, ALERTS, 1))
    await until(lambda: gw.hub.subscriber_count() == 1)
    await asyncio.sleep(expires - time.monotonic() + 1.1)  # the token's exp passes

    await gw.publish(fired("acme"))

    with pytest.raises(TransportQueryError) as refused:
        await asyncio.wait_for(stream, 10)
    assert "expired" in str(refused.value)


async def test_subscriptions_are_refused_over_http(live_gateway: LiveGateway) -> None:
    async with httpx.AsyncClient(base_url=live_gateway.url) as client:
        body = {"query": "subscription { alertEvents { kind } }"}
        answer = await client.post("/graphql", json=body, headers=await live_gateway.auth())

    assert answer.status_code >= 400 or "errors" in answer.json()
    assert live_gateway.hub.subscriber_count() == 0


async def test_a_slow_subscriber_loses_its_oldest_events_and_blocks_nobody() -> None:
    hub = EventHub(NatsConnection(NATS_URL), queue_size=3)
    events = [fired("acme", float(v)) for v in range(10)]
    with (
        hub.subscribe("acme", "monitoring.alert.") as slow,
        hub.subscribe("acme", "monitoring.") as fast,
    ):
        taken: list[Envelope] = []
        for envelope in events:
            hub.publish(envelope)  # returns at once even though `slow` never reads
            taken.append(fast.queue.get_nowait())

        kept = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]

    assert [e.id for e in kept] == [e.id for e in events[-3:]]
    assert slow.dropped == 7
    assert [e.id for e in taken] == [e.id for e in events]
    assert hub.subscriber_count() == 0
