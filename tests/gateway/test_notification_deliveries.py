"""The notification delivery log through GraphQL, against the real monitoring service: a
firing alert is sent to a real local HTTP receiver and to a closed port, and GraphQL shows
each delivery with its tries as the service recorded them, filtered, in pages, per company."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.gateway.conftest import Gateway
from tests.gateway.flows import USER_ERRORS, moment, payload
from tests.monitoring.alerting import Receiver, http_receiver
from tests.monitoring.helpers import add_servers, push

NODE = """
id channelId eventType alertId status suppressedReason nextAttemptAt createdAt deliveredAt
attempts { number at ok statusCode error }
"""
DELIVERIES = f"""
query($status: NotificationDeliveryStatus, $alertId: ID, $first: Int! = 50, $after: String) {{
  notificationDeliveries(status: $status, alertId: $alertId, first: $first, after: $after) {{
    edges {{ cursor node {{ {NODE} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
CREATE_CHANNEL = f"""
mutation($input: CreateNotificationChannelInput!) {{
  createNotificationChannel(input: $input) {{ notificationChannel {{ id }} {USER_ERRORS} }}
}}
"""
CREATE_RULE = f"""
mutation($input: CreateAlertRuleInput!) {{
  createAlertRule(input: $input) {{ alertRule {{ id }} {USER_ERRORS} }}
}}
"""
FIRING = "{ alerts(state: FIRING) { nodes { id } } }"
TIMES = ("createdAt", "deliveredAt", "nextAttemptAt")


@pytest.fixture
def monitoring_overrides() -> dict[str, Any]:
    """Two tries make a delivery to a closed port final within the test."""
    return {"notify_max_attempts": 2}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with http_receiver() as found:
        yield found


def _closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on: every try there is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _channel(gw: Gateway, name: str, url: str) -> str:
    variables = {"input": {"name": name, "config": {"webhook": {"url": url}}}}
    created = payload(await gw.query(CREATE_CHANNEL, variables))
    assert created["userErrors"] == [], created
    return str(created["notificationChannel"]["id"])


async def _stored(service: MonitoringService, tenant: str = "acme") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await service.stored("/deliveries", tenant))["items"]
    return items


async def _fire(
    gw: Gateway, service: MonitoringService, receiver: Receiver
) -> tuple[dict[str, str], str, list[dict[str, Any]]]:
    """An alert fired to a working and a dead webhook, once both deliveries are final:
    the channel ids by name, the alert id and the deliveries as the service stores them."""
    channels = {
        "ok": await _channel(gw, "ok", f"{receiver.base}/ok"),
        "down": await _channel(gw, "down", f"http://127.0.0.1:{_closed_port()}/down"),
    }
    (server,) = await add_servers(service, 1)
    rule = {
        "name": "cpu high",
        "metric": "cpu_percent",
        "threshold": 80,
        "scope": {"assetId": str(server["asset_id"])},
        "channelIds": list(channels.values()),
    }
    created = payload(await gw.query(CREATE_RULE, {"input": rule}))
    assert created["userErrors"] == [], created
    await push(service, server["asset_id"], [(utcnow() - timedelta(seconds=30), 99)])
    stored = await wait_for(
        lambda: _stored(service),
        lambda found: sorted(d["status"] for d in found) == ["delivered", "failed"],
        30,
    )
    (alert,) = (await gw.query(FIRING))["data"]["alerts"]["nodes"]
    return channels, str(alert["id"]), stored


def _node(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL delivery with its times as datetimes (REST and GraphQL write them apart)."""
    attempts = [{**a, "at": moment(a["at"])} for a in node["attempts"]]
    return {**node, **{k: moment(node[k]) for k in TIMES}, "attempts": attempts}


def _as_graphql(stored: dict[str, Any]) -> dict[str, Any]:
    """A delivery as the service answers it over REST, in GraphQL's names."""
    attempts = [
        {
            "number": a["number"],
            "at": moment(a["at"]),
            "ok": a["ok"],
            "statusCode": a["status_code"],
            "error": a["error"],
        }
        for a in stored["attempts"]
    ]
    return {
        "id": stored["id"],
        "channelId": stored["channel_id"],
        "eventType": stored["event_type"],
        "alertId": stored["alert_id"],
        "status": stored["status"].upper(),
        "suppressedReason": stored["suppressed_reason"],
        "nextAttemptAt": moment(stored["next_attempt_at"]),
        "createdAt": moment(stored["created_at"]),
        "deliveredAt": moment(stored["delivered_at"]),
        "attempts": attempts,
    }


async def _nodes(
    gw: Gateway, headers: dict[str, str] | None = None, **variables: Any
) -> list[dict[str, Any]]:
    body = await gw.query(DELIVERIES, variables, headers=headers)
    assert "errors" not in body, body
    return [_node(e["node"]) for e in body["data"]["notificationDeliveries"]["edges"]]


async def test_each_delivery_shows_its_tries_as_the_service_recorded_them(
    observed_gateway: Gateway, monitoring_service: MonitoringService, receiver: Receiver
) -> None:
    gw = observed_gateway
    channels, alert_id, stored = await _fire(gw, monitoring_service, receiver)

    listed = await _nodes(gw, headers=gw.auth("acme", "viewer"))

    assert listed == [_as_graphql(d) for d in stored]
    by_channel = {d["channelId"]: d for d in listed}
    sent, dead = by_channel[channels["ok"]], by_channel[channels["down"]]
    assert (sent["status"], sent["eventType"], sent["alertId"]) == (
        "DELIVERED",
        "monitoring.alert.fired",
        alert_id,
    )
    assert [(a["number"], a["ok"], a["statusCode"], a["error"]) for a in sent["attempts"]] == [
        (1, True, 200, None)
    ]
    assert sent["deliveredAt"] is not None and sent["nextAttemptAt"] is None
    assert receiver.paths() == ["/ok"]
    assert receiver.received[0]["body"]["type"] == "monitoring.alert.fired"
    assert dead["status"] == "FAILED" and dead["deliveredAt"] is None
    assert [(a["number"], a["ok"], a["statusCode"]) for a in dead["attempts"]] == [
        (1, False, None),
        (2, False, None),
    ]
    assert all(a["error"] for a in dead["attempts"])


async def test_deliveries_are_filtered_and_paged(
    observed_gateway: Gateway, monitoring_service: MonitoringService, receiver: Receiver
) -> None:
    gw = observed_gateway
    channels, alert_id, stored = await _fire(gw, monitoring_service, receiver)

    failed = await _nodes(gw, status="FAILED")
    delivered = await _nodes(gw, status="DELIVERED")
    pending = await _nodes(gw, status="PENDING")
    of_alert = await _nodes(gw, alertId=alert_id)
    of_another = await _nodes(gw, alertId=str(stored[0]["id"]))  # an id, but of no alert

    assert [d["channelId"] for d in failed] == [channels["down"]]
    assert [d["channelId"] for d in delivered] == [channels["ok"]]
    assert pending == []
    assert [d["id"] for d in of_alert] == [d["id"] for d in stored]
    assert of_another == []

    first = await gw.query(DELIVERIES, {"first": 1})
    page = first["data"]["notificationDeliveries"]
    after = page["pageInfo"]["endCursor"]
    rest = (await gw.query(DELIVERIES, {"first": 1, "after": after}))["data"]
    second = rest["notificationDeliveries"]
    assert [e["node"]["id"] for e in page["edges"] + second["edges"]] == [d["id"] for d in stored]
    assert page["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False


async def test_bad_arguments_are_refused_or_match_nothing_without_a_call(
    observed_gateway: Gateway, monitoring_service: MonitoringService, receiver: Receiver
) -> None:
    gw = observed_gateway
    await _fire(gw, monitoring_service, receiver)
    assert gw.monitoring is not None
    gw.monitoring.requests.clear()

    not_an_id = await _nodes(gw, alertId="not-an-id")
    no_page = await gw.query(DELIVERIES, {"first": 0})
    unknown_status = await gw.query(DELIVERIES, {"status": "LOST"})

    assert not_an_id == []
    assert no_page["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert no_page["data"] is None
    assert unknown_status.get("data") is None and unknown_status["errors"]
    assert gw.monitoring.requests == []


async def test_another_company_sees_none_of_the_deliveries(
    observed_gateway: Gateway, monitoring_service: MonitoringService, receiver: Receiver
) -> None:
    gw = observed_gateway
    _, alert_id, stored = await _fire(gw, monitoring_service, receiver)
    globex = gw.auth("globex", "admin")

    everything = await _nodes(gw, headers=globex)
    of_our_alert = await _nodes(gw, headers=globex, alertId=alert_id)

    assert everything == of_our_alert == []
    assert await _stored(monitoring_service, "globex") == []
    assert [d["id"] for d in await _nodes(gw)] == [d["id"] for d in stored]
