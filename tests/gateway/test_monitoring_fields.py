"""Monitoring fields of assets and service groups (open incidents, latest metrics, series,
group status) and metric series, against the real asset and monitoring services.

The number of monitoring calls of one query must not grow with the page: each
field is one batch read, whatever the number of assets or groups.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from nephos_common.contracts.asset import MembershipChanged
from nephos_common.db import utcnow
from nephos_devstack.aws_estate import seed_estate
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.gateway.conftest import Gateway
from tests.gateway.flows import discover, register
from tests.monitoring.alerting import items, rule
from tests.monitoring.helpers import add_servers, discovered, push, targets

ASSET_TYPES = "query { assets(first: 50) { edges { node { id nativeType } } } }"

CREATE_GROUP = """
mutation($input: CreateServiceGroupInput!) {
  createServiceGroup(input: $input) { serviceGroup { id } userErrors { code } }
}
"""

WATCHED = """
query Watched($first: Int!, $from: DateTime!, $to: DateTime!) {
  assets(first: $first) {
    nodes {
      id
      incidents { id status severity }
      latestMetrics(metrics: ["cpu_percent"]) { metric value at }
      metrics(metric: "cpu_percent", from: $from, to: $to) { resolution points { avg } }
    }
  }
  serviceGroups(first: $first) {
    nodes { id status { targetsTotal firingAlerts byStatus { status count } } }
  }
}
"""

SERIES = """
query Series($asset: ID!, $from: DateTime!, $to: DateTime!, $resolution: MetricResolution) {
  metricSeries(assetId: $asset, metric: "cpu_percent", from: $from, to: $to,
               resolution: $resolution) {
    assetId metric from to resolution points { ts avg min max }
  }
}
"""

GROUP_OVERVIEW = """
query($group: ID) { monitoringOverview(serviceGroupId: $group) { targetsTotal firingAlerts } }
"""


async def _instances(gw: Gateway, endpoint: str) -> list[str]:
    """Discover the seeded estate through the gateway; the ids of its EC2 instances."""
    await asyncio.to_thread(seed_estate, endpoint, ("us-east-1",))
    account = await register(gw, endpoint, ("us-east-1",))
    await discover(gw, account["id"])
    everything = await gw.query(ASSET_TYPES)
    return [
        e["node"]["id"]
        for e in everything["data"]["assets"]["edges"]
        if e["node"]["nativeType"] == "aws.ec2.instance"
    ]


async def _group(gw: Gateway, service: MonitoringService, name: str, members: list[str]) -> str:
    """A group in the inventory, its membership told to monitoring as the asset service would."""
    body = await gw.query(CREATE_GROUP, {"input": {"name": name, "members": members}})
    group_id: str = body["data"]["createServiceGroup"]["serviceGroup"]["id"]
    change = MembershipChanged(group_id=uuid.UUID(group_id), added=members, removed=[])
    await service.publish(change.envelope(tenant="acme", source="asset"))
    return group_id


async def test_asset_and_group_monitoring_fields_cost_one_call_each_whatever_the_page(
    observed_gateway: Gateway, monitoring_service: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, monitoring_service
    instances = await _instances(gw, fresh_moto)
    assert len(instances) >= 2
    await service.publish(*(discovered(asset_id=uuid.UUID(i)) for i in instances))
    await wait_for(lambda: targets(service), lambda t: len(t) == len(instances), 20)
    await rule(service, severity="critical", scope={"kind": "category", "category": "server"})
    now = utcnow()
    for asset_id in instances:
        await push(service, asset_id, [(now - timedelta(minutes=2), 50), (now, 95)])
    await wait_for(lambda: items(service, "/incidents"), lambda i: len(i) == len(instances), 20)
    hot_group = await _group(gw, service, "web", instances[:1])
    empty_group = await _group(gw, service, "empty", [])
    await wait_for(
        lambda: gw.query(GROUP_OVERVIEW, {"group": hot_group}),
        lambda body: body["data"]["monitoringOverview"]["targetsTotal"] == 1,
    )
    window = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}

    calls = []
    assert gw.monitoring is not None
    for first in (2, 50):
        gw.monitoring.requests.clear()
        body = await gw.query(WATCHED, {"first": first, **window})
        assert "errors" not in body, body
        calls.append(sorted(r.url.path for r in gw.monitoring.requests))
        for node in body["data"]["assets"]["nodes"]:
            if node["id"] in instances:
                (incident,) = node["incidents"]
                assert (incident["status"], incident["severity"]) == ("OPEN", "CRITICAL")
                assert [m["value"] for m in node["latestMetrics"]] == [95]
                assert node["metrics"]["resolution"] == "RAW"
                assert [p["avg"] for p in node["metrics"]["points"]] == [50]  # "to" excluded
            else:
                assert (node["incidents"], node["latestMetrics"]) == ([], [])
                assert node["metrics"]["points"] == []
        status = {g["id"]: g["status"] for g in body["data"]["serviceGroups"]["nodes"]}
        assert (status[hot_group]["targetsTotal"], status[hot_group]["firingAlerts"]) == (1, 1)
        assert status[empty_group]["targetsTotal"] == 0

    expected = ["/incidents", "/latest", "/overview/service-groups", "/series/batch"]
    assert calls == [expected, expected]


async def test_a_metric_series_at_the_ranges_resolution_or_a_coarser_one(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw, service = observed_gateway, monitoring_service
    (server,) = await add_servers(service, 1)
    asset = str(server["asset_id"])
    now = utcnow().replace(microsecond=0)
    points = [(now - timedelta(minutes=m), float(m)) for m in (30, 20, 10)]
    await push(service, asset, points)
    window = {"asset": asset, "from": (now - timedelta(hours=1)).isoformat()}
    window["to"] = (now + timedelta(minutes=1)).isoformat()

    raw = (await gw.query(SERIES, window))["data"]["metricSeries"]
    hourly = (await gw.query(SERIES, {**window, "resolution": "HOURLY"}))["data"]["metricSeries"]
    week = {**window, "from": (now - timedelta(days=7)).isoformat(), "resolution": "RAW"}
    too_fine = await gw.query(SERIES, week)
    foreign = await gw.query(SERIES, window, headers=gw.auth("globex", "viewer"))
    not_an_id = await gw.query(SERIES, {**window, "asset": "nope"})

    assert (raw["assetId"], raw["metric"], raw["resolution"]) == (asset, "cpu_percent", "RAW")
    assert [(p["avg"], p["min"], p["max"]) for p in raw["points"]] == [
        (30, 30, 30),
        (20, 20, 20),
        (10, 10, 10),
    ]
    assert hourly["resolution"] == "HOURLY" and hourly["points"]
    assert {p["min"] for p in hourly["points"]} <= {10, 20, 30}
    assert too_fine["data"] == {"metricSeries": None}
    (error,) = too_fine["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "resolution_too_fine"}
    assert foreign["data"]["metricSeries"]["points"] == []
    assert not_an_id["data"]["metricSeries"] is None
