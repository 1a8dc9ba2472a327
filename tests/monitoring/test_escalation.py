"""Escalation: an unacknowledged incident pages its policy's next step when a step's
wait is over (a delivery to a real local HTTP receiver, an ``escalated`` timeline
row), stops on acknowledge and after the last step; per rule or per tenant; CRUD and
tenant isolation. Wait minutes are one second long here (``escalation_minute_seconds``)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import Receiver, call, http_receiver, items, rule, webhook
from tests.monitoring.helpers import add_servers, push


@pytest.fixture
def monitoring_overrides() -> dict[str, Any]:
    return {"escalation_poll_seconds": 0.1, "escalation_minute_seconds": 1.0}


async def _policy(service: MonitoringService, receiver: Receiver, waits: list[int]) -> Any:
    steps = [
        {"channel_ids": [await webhook(service, receiver, f"step{n + 1}")], "wait_minutes": wait}
        for n, wait in enumerate(waits)
    ]
    body = {"name": "oncall", "steps": steps}
    return await call(service, "POST", "/escalation-policies", body, expect=201)


async def _incident(service: MonitoringService, **rule_fields: Any) -> dict[str, Any]:
    (server,) = await add_servers(service, 1)
    scope = {"kind": "asset", "asset_id": str(server["asset_id"])}
    await rule(service, scope=scope, **rule_fields)
    await push(service, server["asset_id"], [(utcnow() - timedelta(minutes=1), 99)])
    (incident,) = await wait_for(lambda: items(service, "/incidents"), lambda i: len(i) == 1)
    found: dict[str, Any] = incident
    return found


def _escalations(detail: dict[str, Any]) -> list[int]:
    return [e["detail"]["step"] for e in detail["timeline"] if e["kind"] == "escalated"]


async def test_escalates_until_acknowledged(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    async with http_receiver() as receiver:
        policy = await _policy(service, receiver, [1, 4, 1])
        incident = await _incident(service, escalation_policy_id=policy["id"])
        url = f"/incidents/{incident['id']}"
        detail = await wait_for(
            lambda: call(service, "GET", url), lambda d: _escalations(d) == [2], 15
        )
        await call(service, "POST", f"{url}/acknowledge")
        await wait_for(lambda: asyncio.sleep(0, receiver.paths()), lambda p: len(p) >= 2)
        await asyncio.sleep(5.0)
        detail = await call(service, "GET", url)
        assert [e["kind"] for e in detail["timeline"]] == ["opened", "escalated", "acknowledged"]
        assert receiver.paths() == ["/step1", "/step2"]
        first, second = (r["body"] for r in receiver.received)
    assert first["type"] == "monitoring.incident.opened"
    assert (second["type"], second["data"]["change"]) == (
        "monitoring.incident.updated",
        "escalated",
    )
    changes = [
        e["data"].get("change")
        for e in await service.monitoring_events(3, prefix="monitoring.incident.")
    ]
    assert "escalated" in changes


async def test_tenant_default_policy_stops_after_its_last_step(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    async with http_receiver() as receiver:
        policy = await _policy(service, receiver, [1, 1])
        body = {"auto_resolve": True, "escalation_policy_id": policy["id"]}
        assert await call(service, "PUT", "/incident-preferences", body) == body
        assert (await call(service, "GET", "/incident-preferences"))[
            "escalation_policy_id"
        ] == policy["id"]
        incident = await _incident(service)
        url = f"/incidents/{incident['id']}"
        await wait_for(lambda: call(service, "GET", url), lambda d: _escalations(d) == [2], 15)
        await asyncio.sleep(3.0)
        assert _escalations(await call(service, "GET", url)) == [2]
        assert receiver.paths() == ["/step1", "/step2"]


async def test_policy_crud_and_isolation(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    async with http_receiver() as receiver:
        policy = await _policy(service, receiver, [5])
    url = f"/escalation-policies/{policy['id']}"
    assert (await call(service, "GET", url))["steps"][0]["wait_minutes"] == 5
    changed = await call(service, "PUT", url, {"name": "night", "steps": policy["steps"]})
    assert changed["name"] == "night"
    assert [p["id"] for p in await items(service, "/escalation-policies")] == [policy["id"]]

    assert await items(service, "/escalation-policies", "globex") == []
    await call(service, "GET", url, tenant="globex", expect=404)
    await call(
        service, "PUT", url, {"name": "x", "steps": policy["steps"]}, tenant="globex", expect=404
    )
    await call(service, "DELETE", url, tenant="globex", expect=404)
    stolen = {"name": "x", "steps": policy["steps"]}
    refused = await call(
        service, "POST", "/escalation-policies", stolen, tenant="globex", expect=422
    )
    assert refused["error"]["code"] == "unknown_channels"
    scope = {"kind": "category", "category": "server"}
    body = {"name": "r", "metric": "cpu_percent", "threshold": 1, "scope": scope}
    refused = await call(
        service,
        "POST",
        "/rules",
        {**body, "escalation_policy_id": policy["id"]},
        tenant="globex",
        expect=422,
    )
    assert refused["error"]["code"] == "unknown_escalation_policy"
    prefs = {"auto_resolve": False, "escalation_policy_id": policy["id"]}
    await call(service, "PUT", "/incident-preferences", prefs, tenant="globex", expect=422)
    assert (await call(service, "GET", "/incident-preferences", tenant="globex"))[
        "auto_resolve"
    ] is True
    await call(service, "POST", "/escalation-policies", stolen, role="viewer", expect=403)
    await call(service, "PUT", "/incident-preferences", prefs, role="viewer", expect=403)
    await call(service, "POST", "/escalation-policies", {"name": "x", "steps": []}, expect=422)
    await call(service, "DELETE", url, expect=204)
    assert await items(service, "/escalation-policies") == []
