"""Silences and maintenance windows: alerts still change state, but nothing is sent
(checked against a real local HTTP receiver) and no incident opens; CRUD, validation
and tenant isolation of both."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nephos_common.contracts.asset import MembershipChanged
from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import Receiver, call, http_receiver, items, rule, webhook
from tests.monitoring.helpers import add_servers, push


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with http_receiver() as found:
        yield found


def _alert_of(alerts: list[dict[str, Any]], asset: Any) -> dict[str, Any]:
    return next(a for a in alerts if a["asset_id"] == str(asset))


async def _delivered_to(receiver: Receiver, count: int) -> list[str]:
    """The asset ids of the alert events the receiver got, once it got ``count``."""
    await wait_for(lambda: asyncio.sleep(0, receiver.received), lambda r: len(r) >= count, 15)
    await asyncio.sleep(0.5)
    return [r["body"]["data"]["asset_id"] for r in receiver.received]


async def test_a_silence_suppresses_notification_and_incident(
    monitoring_service: MonitoringService, receiver: Receiver
) -> None:
    service = monitoring_service
    (prod,) = await add_servers(service, 1, tags={"env": "prod"})
    (dev,) = await add_servers(service, 1, tags={"env": "dev"})
    hook = await webhook(service, receiver, "hook")
    body = {
        "matchers": {"tags": {"env": "prod"}},
        "ends_at": (utcnow() + timedelta(hours=1)).isoformat(),
        "comment": "database migration",
    }
    silence = await call(service, "POST", "/silences", body, expect=201)
    assert silence["active"] is True and silence["created_by"]
    await rule(service, scope={"kind": "category", "category": "server"}, channel_ids=[hook])

    at = utcnow() - timedelta(minutes=1)
    await push(service, prod["asset_id"], [(at, 99)])
    await push(service, dev["asset_id"], [(at, 99)])
    alerts = await items(service, "/alerts")
    assert {a["state"] for a in alerts} == {"firing"}
    assert _alert_of(alerts, prod["asset_id"])["silenced_by"] == [
        {"kind": "silence", "id": silence["id"]}
    ]
    assert _alert_of(alerts, dev["asset_id"])["silenced_by"] == []

    assert await _delivered_to(receiver, 1) == [str(dev["asset_id"])]
    deliveries = await items(service, "/deliveries")
    by_alert = {d["alert_id"]: d for d in deliveries}
    muted = by_alert[_alert_of(alerts, prod["asset_id"])["id"]]
    assert (muted["status"], muted["suppressed_reason"], muted["attempts"]) == (
        "suppressed",
        "silenced",
        [],
    )
    (incident,) = await wait_for(lambda: items(service, "/incidents"), lambda i: len(i) >= 1)
    assert incident["asset_id"] == str(dev["asset_id"])

    # The silence also covers the resolution of what it silenced, after it is gone.
    await call(service, "DELETE", f"/silences/{silence['id']}", expect=204)
    await push(service, prod["asset_id"], [(at + timedelta(seconds=30), 10)])
    resolved = await wait_for(lambda: items(service, "/deliveries"), lambda d: len(d) == 3)
    assert resolved[0]["event_type"] == "monitoring.alert.resolved"
    assert resolved[0]["status"] == "suppressed"
    assert len(await items(service, "/incidents")) == 1


async def test_silence_crud_validation_and_isolation(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    start = utcnow() + timedelta(hours=1)
    body = {
        "matchers": {"severity": "critical", "rule_id": str(uuid.uuid4())},
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "comment": "planned",
    }
    silence = await call(service, "POST", "/silences", body, expect=201)
    assert silence["active"] is False
    url = f"/silences/{silence['id']}"
    changed = await call(service, "PUT", url, {**body, "comment": "moved"})
    assert changed["comment"] == "moved" and changed["id"] == silence["id"]
    assert [s["id"] for s in await items(service, "/silences", "acme")] == [silence["id"]]

    for bad, code in [
        ({**body, "matchers": {}}, 422),
        ({**body, "ends_at": body["starts_at"]}, 422),
        ({**body, "matchers": {"severity": "fatal"}}, 422),
    ]:
        answer = await service.client.post("/silences", json=bad, headers=service.auth())
        assert answer.status_code == code, answer.text
        assert answer.json()["error"]["code"]

    assert await items(service, "/silences", "globex") == []
    await call(service, "GET", url, tenant="globex", expect=404)
    await call(service, "PUT", url, body, tenant="globex", expect=404)
    await call(service, "DELETE", url, tenant="globex", expect=404)
    await call(service, "POST", "/silences", body, role="viewer", expect=403)
    await call(service, "GET", url, role="viewer")


def _weekly_now(zone: str) -> dict[str, Any]:
    """A weekly window, every day, that started an hour ago local time and lasts two."""
    local = utcnow().astimezone(ZoneInfo(zone)) - timedelta(hours=1)
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    start = local.time().replace(microsecond=0).isoformat()
    return {"kind": "weekly", "days": days, "start": start, "duration_minutes": 120}


async def test_a_recurring_maintenance_window_on_a_service_group(
    monitoring_service: MonitoringService, receiver: Receiver
) -> None:
    service = monitoring_service
    (member, other) = await add_servers(service, 2)
    group = uuid.uuid4()
    joined = MembershipChanged(group_id=group, added=[member["asset_id"]], removed=[])
    await service.publish(joined.envelope(tenant="acme", source="asset"))
    await wait_for(
        lambda: call(service, "GET", f"/overview?service_group={group}"),
        lambda o: o["targets_total"] == 1,
    )
    window = await call(
        service,
        "POST",
        "/maintenance-windows",
        {
            "name": "patch night",
            "scope": {"kind": "service_group", "group_id": str(group)},
            "schedule": _weekly_now("Asia/Seoul"),
            "timezone": "Asia/Seoul",
        },
        expect=201,
    )
    past = utcnow() - timedelta(days=2)
    once = {
        "kind": "once",
        "starts_at": past.isoformat(),
        "ends_at": (past + timedelta(hours=1)).isoformat(),
    }
    over = await call(
        service,
        "POST",
        "/maintenance-windows",
        {
            "name": "done",
            "scope": {"kind": "assets", "asset_ids": [str(other["asset_id"])]},
            "schedule": once,
        },
        expect=201,
    )
    assert (window["active"], over["active"]) == (True, False)
    hook = await webhook(service, receiver, "hook")
    await rule(service, scope={"kind": "category", "category": "server"}, channel_ids=[hook])

    at = utcnow() - timedelta(minutes=1)
    await push(service, member["asset_id"], [(at, 99)])
    await push(service, other["asset_id"], [(at, 99)])
    alerts = await items(service, "/alerts")
    assert _alert_of(alerts, member["asset_id"])["silenced_by"] == [
        {"kind": "maintenance", "id": window["id"]}
    ]
    assert _alert_of(alerts, member["asset_id"])["state"] == "firing"
    assert await _delivered_to(receiver, 1) == [str(other["asset_id"])]
    (incident,) = await wait_for(lambda: items(service, "/incidents"), lambda i: len(i) >= 1)
    assert incident["asset_id"] == str(other["asset_id"])


async def test_maintenance_crud_validation_and_isolation(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    body: dict[str, Any] = {
        "name": "weekly",
        "scope": {"kind": "tags", "tags": {"env": "prod"}},
        "schedule": {"kind": "weekly", "days": ["sun"], "start": "02:00", "duration_minutes": 90},
        "timezone": "Europe/Berlin",
        "comment": "kernel updates",
    }
    window = await call(service, "POST", "/maintenance-windows", body, expect=201)
    url = f"/maintenance-windows/{window['id']}"
    assert (await call(service, "GET", url))["schedule"]["start"] == "02:00:00"
    renamed = await call(service, "PUT", url, {**body, "name": "sunday"})
    assert renamed["name"] == "sunday"
    for bad in [
        {**body, "timezone": "Mars/Olympus"},
        {**body, "schedule": {**body["schedule"], "days": ["someday"]}},
        {**body, "scope": {"kind": "assets", "asset_ids": []}},
    ]:
        answer = await service.client.post("/maintenance-windows", json=bad, headers=service.auth())
        assert answer.status_code == 422, answer.text
    assert await items(service, "/maintenance-windows", "globex") == []
    await call(service, "GET", url, tenant="globex", expect=404)
    await call(service, "PUT", url, body, tenant="globex", expect=404)
    await call(service, "DELETE", url, tenant="globex", expect=404)
    await call(service, "POST", "/maintenance-windows", body, role="viewer", expect=403)
    await call(service, "DELETE", url, expect=204)
    assert await items(service, "/maintenance-windows") == []
