"""Service-group scope: membership kept from the asset service's events, rules and the
overview scoped to a group, a deleted group, and tenant isolation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from nephos_common.contracts.asset import MembershipChanged, ServiceGroupDeleted
from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import call, items, rule
from tests.monitoring.helpers import add_servers, push


async def _membership(
    service: MonitoringService,
    group: uuid.UUID,
    added: Sequence[Any] = (),
    removed: Sequence[Any] = (),
    tenant: str = "acme",
) -> None:
    change = MembershipChanged(group_id=group, added=list(added), removed=list(removed))
    await service.publish(change.envelope(tenant=tenant, source="asset"))


async def _overview(service: MonitoringService, group: uuid.UUID, tenant: str = "acme") -> Any:
    return await call(service, "GET", f"/overview?service_group={group}", tenant=tenant)


async def _group_size(service: MonitoringService, group: uuid.UUID, size: int) -> Any:
    return await wait_for(lambda: _overview(service, group), lambda o: o["targets_total"] == size)


async def _states(service: MonitoringService) -> dict[str, str]:
    return {a["asset_id"]: a["state"] for a in await items(service, "/alerts")}


async def test_rules_and_overview_follow_group_membership(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    first, second, third = await add_servers(service, 3)
    group = uuid.uuid4()
    await _membership(service, group, added=[first["asset_id"], second["asset_id"]])
    await _group_size(service, group, 2)
    created = await rule(service, scope={"kind": "service_group", "group_id": str(group)})
    assert created["scope"] == {"kind": "service_group", "group_id": str(group)}

    at = utcnow() - timedelta(minutes=2)
    for server in (first, second, third):
        await push(service, server["asset_id"], [(at, 99)])
    firing = {a["asset_id"] for a in await items(service, "/alerts")}
    assert firing == {str(first["asset_id"]), str(second["asset_id"])}
    scoped = await _overview(service, group)
    assert (scoped["targets_total"], scoped["firing_alerts"]) == (2, 2)
    assert scoped["by_status"]["warning"] == 2
    everything = await call(service, "GET", "/overview")
    assert everything["targets_total"] == 3

    # Another tenant's event naming our asset changes nothing of ours.
    await _membership(service, group, removed=[first["asset_id"]], tenant="globex")
    await _membership(service, group, added=[third["asset_id"]], removed=[second["asset_id"]])
    # Leaving the group leaves the rule's scope: that target's alert ends.
    states = await wait_for(
        lambda: _states(service), lambda s: s.get(str(second["asset_id"])) == "resolved"
    )
    assert states[str(first["asset_id"])] == "firing"
    (left,) = [
        e for e in await service.monitoring_events(3) if e["type"] == "monitoring.alert.resolved"
    ]
    assert left["data"]["reason"] == "left_service_group"
    assert (await _overview(service, group, "globex"))["targets_total"] == 0
    await push(service, third["asset_id"], [(at + timedelta(minutes=1), 99)])
    assert (await _states(service))[str(third["asset_id"])] == "firing"

    deleted = ServiceGroupDeleted(group_id=group, name="web")
    await service.publish(deleted.envelope(tenant="acme", source="asset"))
    await _group_size(service, group, 0)
    states = await wait_for(lambda: _states(service), lambda s: "firing" not in s.values())
    assert set(states.values()) == {"resolved"}
    assert (await call(service, "GET", "/overview"))["targets_total"] == 3
