"""Batch reads for the gateway's DataLoaders: incidents by assets, status and assignee,
incident details by ids, latest points and series of many assets, overviews of many
service groups; each in one call, scoped by tenant."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from nephos_common.contracts.asset import MembershipChanged
from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import call, items, rule
from tests.monitoring.helpers import add_servers, push


def _ids(*servers: dict[str, Any]) -> str:
    return ",".join(str(s["asset_id"]) for s in servers)


async def test_incidents_filter_by_assets_status_and_assignee_and_read_in_batch(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    hot, warm, cool = await add_servers(service, 3)
    await rule(service, scope={"kind": "category", "category": "server"})
    at = utcnow() - timedelta(minutes=1)
    for server, value in ((hot, 99), (warm, 95), (cool, 10)):
        await push(service, server["asset_id"], [(at, value)])
    found = await wait_for(lambda: items(service, "/incidents"), lambda i: len(i) == 2)
    by_asset = {i["asset_id"]: i for i in found}
    hot_incident = by_asset[str(hot["asset_id"])]
    path = f"/incidents/{hot_incident['id']}"
    await call(service, "POST", f"{path}/assign", {"assignee": "oncall@acme.test"})
    await call(service, "POST", f"{path}/comments", {"text": "on it"})

    of_two = await items(service, f"/incidents?asset_ids={_ids(hot, cool)}")
    assigned = await items(service, "/incidents?assignee=oncall@acme.test")
    open_ones = await items(service, "/incidents?status=open&status=acknowledged")
    resolved = await items(service, "/incidents?status=resolved")
    foreign = await items(service, f"/incidents?asset_ids={_ids(hot, warm)}", tenant="globex")

    assert [i["id"] for i in of_two] == [hot_incident["id"]]
    assert [i["id"] for i in assigned] == [hot_incident["id"]]
    assert len(open_ones) == 2 and resolved == [] and foreign == []
    ids = ",".join([*(i["id"] for i in found), str(uuid.uuid4())])
    batch = await items(service, f"/incidents/batch?ids={ids}")
    assert {d["id"] for d in batch} == {i["id"] for i in found}
    detailed = next(d for d in batch if d["id"] == hot_incident["id"])
    assert [e["kind"] for e in detailed["timeline"]] == ["opened", "assigned", "commented"]
    assert detailed["comments"][0]["text"] == "on it" and len(detailed["alert_ids"]) == 1
    assert await items(service, f"/incidents/batch?ids={ids}", tenant="globex") == []
    bad = await call(service, "GET", "/incidents?asset_ids=nope", expect=422)
    assert bad["error"]["code"] == "invalid_ids"


async def test_latest_points_and_series_of_many_assets_in_one_call(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    first, second, silent = await add_servers(service, 3)
    now = utcnow()
    await push(service, first["asset_id"], [(now - timedelta(minutes=3), 10), (now, 20)])
    await push(service, first["asset_id"], [(now, 512)], metric="memory_used_mb")
    await push(service, second["asset_id"], [(now - timedelta(minutes=1), 70)])

    latest = await items(service, f"/latest?asset_ids={_ids(first, second, silent)}")
    cpu_only = await items(service, f"/latest?asset_ids={_ids(first, second)}&metrics=cpu_percent")
    foreign = await items(service, f"/latest?asset_ids={_ids(first)}", tenant="globex")

    assert {(p["asset_id"], p["metric"], p["value"]) for p in latest} == {
        (str(first["asset_id"]), "cpu_percent", 20),
        (str(first["asset_id"]), "memory_used_mb", 512),
        (str(second["asset_id"]), "cpu_percent", 70),
    }
    assert {p["metric"] for p in cpu_only} == {"cpu_percent"} and len(cpu_only) == 2
    assert foreign == []

    window = {"metric": "cpu_percent", "from": (now - timedelta(hours=1)).isoformat()}
    window["to"] = (now + timedelta(minutes=1)).isoformat()
    params = {**window, "asset_ids": _ids(second, silent, first)}
    answer = await service.client.get("/series/batch", params=params, headers=service.auth())
    assert answer.status_code == 200, answer.text
    found = answer.json()["items"]
    assert [s["asset_id"] for s in found] == [
        str(second["asset_id"]),
        str(silent["asset_id"]),
        str(first["asset_id"]),
    ]
    assert [len(s["points"]) for s in found] == [1, 0, 2]
    assert {s["resolution"] for s in found} == {"raw"}

    coarser = {**params, "resolution": "1h"}
    answer = await service.client.get("/series/batch", params=coarser, headers=service.auth())
    assert answer.json()["items"][2]["resolution"] == "1h"
    week = {**params, "from": (now - timedelta(days=7)).isoformat(), "resolution": "raw"}
    refused = await service.client.get("/series/batch", params=week, headers=service.auth())
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "resolution_too_fine"


async def test_overviews_of_many_service_groups_in_one_call(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    first, second, third = await add_servers(service, 3)
    payments, web, empty = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for group, members in ((payments, [first, second]), (web, [third])):
        added = [m["asset_id"] for m in members]
        change = MembershipChanged(group_id=group, added=added, removed=[])
        await service.publish(change.envelope(tenant="acme", source="asset"))
    await rule(service, severity="critical", scope={"kind": "category", "category": "server"})
    await push(service, first["asset_id"], [(utcnow() - timedelta(seconds=30), 99)])
    path = f"/overview/service-groups?group_ids={payments},{web},{empty}"

    found = await wait_for(
        lambda: items(service, path),
        lambda o: [g["targets_total"] for g in o] == [2, 1, 0],
    )

    assert [g["group_id"] for g in found] == [str(payments), str(web), str(empty)]
    assert [g["firing_alerts"] for g in found] == [1, 0, 0]
    assert found[0]["by_status"]["critical"] == 1
    assert found[0]["cpu_histogram"]["80-100"] == 1
    foreign = await items(service, path, tenant="globex")
    assert [g["targets_total"] for g in foreign] == [0, 0, 0]
