"""Factories for asset events and points, and waits on the monitoring service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from nephos_common.contracts.asset import ResourceChanged, ResourceDeleted, ResourceDiscovered
from nephos_common.messaging.envelope import Envelope
from tests.fixtures.monitoring import MonitoringService, wait_for

ACCOUNT = uuid.UUID("00000000-0000-0000-0000-0000000000aa")


def asset_fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "asset_id": uuid.uuid4(),
        "account_id": ACCOUNT,
        "provider": "aws",
        "region": "us-east-1",
        "category": "server",
        "native_type": "aws.ec2.instance",
        "native_id": f"i-{uuid.uuid4().hex[:17]}",
        "name": "web",
        "state": "running",
        "tags": {},
        "spec": {},
    }
    values.update(overrides)
    return values


def discovered(tenant: str = "acme", **overrides: Any) -> Envelope:
    return ResourceDiscovered(**asset_fields(**overrides)).envelope(tenant=tenant, source="asset")


def changed(tenant: str, fields: dict[str, Any]) -> Envelope:
    contract = ResourceChanged(**fields, changes={}, asset_version=2)
    return contract.envelope(tenant=tenant, source="asset")


def deleted(tenant: str, fields: dict[str, Any]) -> Envelope:
    keys = ResourceDeleted.model_fields
    contract = ResourceDeleted(**{k: v for k, v in fields.items() if k in keys})
    return contract.envelope(tenant=tenant, source="asset")


async def targets(service: MonitoringService, tenant: str = "acme") -> list[dict[str, Any]]:
    answer = await service.client.get("/targets", headers=service.auth(tenant))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def add_servers(
    service: MonitoringService, count: int, tenant: str = "acme", **overrides: Any
) -> list[dict[str, Any]]:
    """Publish ``count`` discovered servers and wait until they are targets."""
    before = len(await targets(service, tenant))
    events = [discovered(tenant, name=f"srv-{i:03d}", **overrides) for i in range(count)]
    await service.publish(*events)
    await wait_for(lambda: targets(service, tenant), lambda t: len(t) >= before + count, 20)
    return [e.data for e in events]


async def push(
    service: MonitoringService,
    asset_id: Any,
    points: list[tuple[datetime, float]],
    metric: str = "cpu_percent",
    tenant: str = "acme",
) -> dict[str, Any]:
    body = {
        "points": [
            {"asset_id": str(asset_id), "metric": metric, "ts": ts.isoformat(), "value": v}
            for ts, v in points
        ]
    }
    answer = await service.client.post("/points", json=body, headers=service.auth(tenant))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result
