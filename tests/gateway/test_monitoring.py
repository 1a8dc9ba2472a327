"""Monitoring through GraphQL, against the real monitoring service (and the asset service)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from nephos_common.db import utcnow
from nephos_devstack.aws_estate import seed_estate
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.gateway.conftest import Gateway
from tests.gateway.flows import discover, register
from tests.monitoring.helpers import add_servers, discovered, push, targets

MONITORING = """
query Monitoring {
  monitoringOverview {
    targetsTotal firingAlerts
    byStatus { status count }
    cpuHistogram { band count }
  }
  targets { nodes { assetId name status lastSeen asset { id } } }
  alertRules {
    nodes { id name operator threshold severity scope { kind category assetId tags { key } } }
  }
  alerts(state: FIRING) {
    nodes { id state severity lastValue assetId rule { id name } asset { id } }
  }
}
"""

ASSETS_WITH_ALERTS = """
query Assets($first: Int!) {
  assets(first: $first) {
    edges { node { id nativeType status alerts { state severity rule { name } } } }
  }
}
"""


ASSET_TYPES = "query { assets(first: 50) { edges { node { id nativeType } } } }"


async def _rule(service: MonitoringService, tenant: str = "acme", **fields: Any) -> dict[str, Any]:
    body = {"name": "cpu high", "metric": "cpu_percent", "threshold": 80, **fields}
    answer = await service.client.post("/rules", json=body, headers=service.auth(tenant))
    assert answer.status_code == 201, answer.text
    rule: dict[str, Any] = answer.json()
    return rule


async def test_overview_and_a_firing_rule_show_through_graphql(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw, service = observed_gateway, monitoring_service
    hot, cool = await add_servers(service, 2)
    rule = await _rule(
        service, severity="critical", scope={"kind": "category", "category": "server"}
    )
    now = utcnow()
    await push(service, hot["asset_id"], [(now - timedelta(seconds=30), 95)])
    await push(service, cool["asset_id"], [(now - timedelta(seconds=30), 30)])

    body = await gw.query(MONITORING)

    assert "errors" not in body, body
    data = body["data"]
    overview = data["monitoringOverview"]
    assert (overview["targetsTotal"], overview["firingAlerts"]) == (2, 1)
    by_status = {s["status"]: s["count"] for s in overview["byStatus"]}
    assert (by_status["CRITICAL"], by_status["NORMAL"]) == (1, 1)
    cpu = {b["band"]: b["count"] for b in overview["cpuHistogram"]}
    assert (cpu["80-100"], cpu["20-40"]) == (1, 1)
    statuses = {t["assetId"]: t["status"] for t in data["targets"]["nodes"]}
    assert statuses == {str(hot["asset_id"]): "CRITICAL", str(cool["asset_id"]): "NORMAL"}
    assert all(t["asset"] is None for t in data["targets"]["nodes"])  # not in this inventory
    (found_rule,) = data["alertRules"]["nodes"]
    assert found_rule["scope"] == {
        "kind": "category",
        "category": "server",
        "assetId": None,
        "tags": None,
    }
    assert (found_rule["operator"], found_rule["severity"]) == ("GT", "CRITICAL")
    (alert,) = data["alerts"]["nodes"]
    assert (alert["state"], alert["assetId"], alert["lastValue"]) == (
        "FIRING",
        str(hot["asset_id"]),
        95,
    )
    assert alert["rule"] == {"id": rule["id"], "name": "cpu high"}


async def test_one_company_never_sees_another_companys_monitoring(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw, service = observed_gateway, monitoring_service
    (server,) = await add_servers(service, 1)
    await _rule(service, scope={"kind": "asset", "asset_id": str(server["asset_id"])})
    await push(service, server["asset_id"], [(utcnow() - timedelta(seconds=10), 99)])

    globex = await gw.query(MONITORING, headers=gw.auth("globex", "viewer"))
    acme = await gw.query(MONITORING, headers=gw.auth("acme", "viewer"))

    assert "errors" not in globex, globex
    assert globex["data"]["monitoringOverview"]["targetsTotal"] == 0
    assert globex["data"]["monitoringOverview"]["firingAlerts"] == 0
    assert (globex["data"]["targets"], globex["data"]["alertRules"]) == (
        {"nodes": []},
        {"nodes": []},
    )
    assert globex["data"]["alerts"]["nodes"] == []
    assert len(acme["data"]["alerts"]["nodes"]) == 1
    assert len(acme["data"]["targets"]["nodes"]) == 1


async def test_asset_alerts_cost_two_monitoring_calls_whatever_the_page_size(
    observed_gateway: Gateway, monitoring_service: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, monitoring_service
    await asyncio.to_thread(seed_estate, fresh_moto, ("us-east-1",))
    account = await register(gw, fresh_moto, ("us-east-1",))
    await discover(gw, account["id"])
    everything = await gw.query(ASSET_TYPES)
    assert "errors" not in everything, everything
    instances = [
        e["node"]["id"]
        for e in everything["data"]["assets"]["edges"]
        if e["node"]["nativeType"] == "aws.ec2.instance"
    ]
    assert len(instances) >= 2
    # The asset service's events reach monitoring through NATS in production; here they
    # are published to monitoring's own namespace with the inventory's asset ids.
    await service.publish(*(discovered(asset_id=uuid.UUID(i)) for i in instances))
    await wait_for(lambda: targets(service), lambda t: len(t) == len(instances), 20)
    await _rule(service, severity="warning", scope={"kind": "category", "category": "server"})
    for asset_id in instances:
        await push(service, asset_id, [(utcnow() - timedelta(seconds=5), 90)])

    calls = []
    for first in (2, 50):
        assert gw.monitoring is not None
        gw.monitoring.requests.clear()
        body = await gw.query(ASSETS_WITH_ALERTS, {"first": first})
        assert "errors" not in body, body
        calls.append(sorted(r.url.path for r in gw.monitoring.requests))
        for edge in body["data"]["assets"]["edges"]:
            node = edge["node"]
            if node["id"] in instances:
                assert node["status"] == "WARNING"
                assert node["alerts"] == [
                    {"state": "FIRING", "severity": "WARNING", "rule": {"name": "cpu high"}}
                ]
            else:
                assert (node["status"], node["alerts"]) == (None, [])

    # Each list read once per request, whatever the page size (/rules: if an alert is shown).
    assert calls[1] == ["/alerts", "/rules", "/targets"]
    assert calls[0] in (["/alerts", "/targets"], calls[1])
