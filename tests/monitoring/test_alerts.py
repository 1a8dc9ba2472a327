"""Rules evaluated as points arrive: for-duration, resolve, no duplicate firing,
scopes, and the alert events on the MONITORING stream."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import add_servers, push


async def _rule(service: MonitoringService, tenant: str = "acme", **fields: Any) -> dict[str, Any]:
    body = {"name": "cpu high", "metric": "cpu_percent", "threshold": 80, **fields}
    answer = await service.client.post("/rules", json=body, headers=service.auth(tenant))
    assert answer.status_code == 201, answer.text
    rule: dict[str, Any] = answer.json()
    return rule


async def _alerts(service: MonitoringService, tenant: str = "acme") -> list[dict[str, Any]]:
    answer = await service.client.get("/alerts", headers=service.auth(tenant))
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_pending_then_firing_then_resolved_once(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    asset = server["asset_id"]
    rule = await _rule(
        service,
        for_seconds=120,
        severity="critical",
        scope={"kind": "asset", "asset_id": str(asset)},
    )
    t0 = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    minute = timedelta(minutes=1)

    await push(service, asset, [(t0, 91), (t0 + minute, 95)])
    (alert,) = await _alerts(service)
    assert (alert["state"], alert["rule_id"]) == ("pending", rule["id"])

    await push(service, asset, [(t0 + 2 * minute, 92), (t0 + 3 * minute, 97)])
    replay = await push(service, asset, [(t0 + 2 * minute, 92), (t0 + 3 * minute, 97)])
    assert replay == {"received": 2, "stored": 0}
    (alert,) = await _alerts(service)
    assert alert["state"] == "firing"
    assert alert["fired_at"].startswith((t0 + 2 * minute).isoformat()[:19])
    overview = (await service.client.get("/overview", headers=service.auth())).json()
    assert overview["by_status"]["critical"] == 1

    await push(service, asset, [(t0 + 4 * minute, 40)])
    (alert,) = await _alerts(service)
    assert alert["state"] == "resolved"

    events = await service.monitoring_events(2)
    assert [e["type"] for e in events] == ["monitoring.alert.fired", "monitoring.alert.resolved"]
    assert events[0]["data"]["alert_id"] == alert["id"] == events[1]["data"]["alert_id"]
    assert events[0]["data"]["value"] == 92 and events[0]["tenant"] == "acme"


async def test_pending_that_clears_never_fires(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    await _rule(service, for_seconds=300, scope={"kind": "category", "category": "server"})
    t0 = utcnow() - timedelta(minutes=10)
    await push(service, server["asset_id"], [(t0, 99), (t0 + timedelta(minutes=1), 10)])
    assert await _alerts(service) == []


async def test_tag_scope_and_zero_duration(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    prod = await add_servers(service, 2, tags={"env": "prod"})
    (dev,) = await add_servers(service, 1, tags={"env": "dev"})
    await _rule(
        service, operator="lt", threshold=5, scope={"kind": "tags", "tags": {"env": "prod"}}
    )
    now = utcnow() - timedelta(minutes=1)
    for server in [*prod, dev]:
        await push(service, server["asset_id"], [(now, 1.0)])
    alerts = await _alerts(service)
    assert sorted(a["asset_id"] for a in alerts) == sorted(str(s["asset_id"]) for s in prod)
    assert {a["state"] for a in alerts} == {"firing"}


async def test_deleting_a_rule_resolves_its_firing_alerts(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    rule = await _rule(service, scope={"kind": "category", "category": "server"})
    await push(service, server["asset_id"], [(utcnow() - timedelta(minutes=1), 99)])
    deleted = await service.client.delete(f"/rules/{rule['id']}", headers=service.auth())
    assert deleted.status_code == 204
    events = await service.monitoring_events(2)
    assert events[1]["data"]["reason"] == "rule_deleted"


async def test_rules_and_alerts_are_per_company(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    rule = await _rule(service, scope={"kind": "asset", "asset_id": str(server["asset_id"])})
    await push(service, server["asset_id"], [(utcnow() - timedelta(minutes=1), 99)])
    other = service.auth("globex")
    assert (await service.client.get(f"/rules/{rule['id']}", headers=other)).status_code == 404
    assert (await service.client.get("/rules", headers=other)).json()["items"] == []
    assert await _alerts(service, "globex") == []
    body = {
        "points": [
            {
                "asset_id": str(server["asset_id"]),
                "metric": "cpu_percent",
                "ts": utcnow().isoformat(),
                "value": 1,
            }
        ]
    }
    pushed = await service.client.post("/points", json=body, headers=other)
    assert pushed.status_code == 422
    assert pushed.json()["error"]["code"] == "unknown_targets"
    viewer = service.auth("acme", "viewer")
    refused = await service.client.post("/rules", json={}, headers=viewer)
    assert refused.status_code == 403
