"""No-data rules on a timer: a target without a point of the metric for N seconds
fires, a stopped server is not alarmed, a point arriving resolves the alert."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.alerting import call, items, rule
from tests.monitoring.helpers import add_servers, push


@pytest.fixture
def monitoring_overrides() -> dict[str, Any]:
    return {"no_data_poll_seconds": 0.2}


@contextlib.asynccontextmanager
async def _feeding(service: MonitoringService, asset: Any) -> AsyncIterator[None]:
    """Keep pushing fresh points for one target while the block runs."""

    async def feed() -> None:
        while True:
            await push(service, asset, [(utcnow(), 12.0)])
            await asyncio.sleep(0.3)

    task = asyncio.create_task(feed())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_no_data_fires_skips_stopped_and_resolves_on_data(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    fed, silent = await add_servers(service, 2)
    (stopped,) = await add_servers(service, 1, state="stopped")
    created = await rule(
        service,
        kind="no_data",
        threshold=None,
        no_data_seconds=2,
        severity="critical",
        scope={"kind": "category", "category": "server"},
    )
    assert (created["kind"], created["no_data_seconds"]) == ("no_data", 2)

    async with _feeding(service, fed["asset_id"]):
        (alert,) = await wait_for(lambda: items(service, "/alerts"), lambda a: len(a) >= 1, 20)
        await asyncio.sleep(1.0)
        assert [a["asset_id"] for a in await items(service, "/alerts")] == [str(silent["asset_id"])]
    assert (alert["state"], alert["severity"]) == ("firing", "critical")
    assert alert["last_value"] > 2
    assert str(stopped["asset_id"]) not in {a["asset_id"] for a in await items(service, "/alerts")}

    await push(service, silent["asset_id"], [(utcnow(), 5.0)])
    resolved = next(
        a for a in await items(service, "/alerts") if a["asset_id"] == str(silent["asset_id"])
    )
    assert resolved["state"] == "resolved"
    events = await service.monitoring_events(2)
    mine = [e for e in events if e["data"]["alert_id"] == alert["id"]]
    assert [e["type"] for e in mine] == ["monitoring.alert.fired", "monitoring.alert.resolved"]
    assert mine[0]["data"]["threshold"] == 2 and mine[1]["data"]["reason"] == "data_received"

    assert await items(service, "/alerts", "globex") == []
    await call(service, "GET", f"/rules/{created['id']}", tenant="globex", expect=404)


async def test_no_data_rule_validation(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    scope = {"kind": "category", "category": "server"}
    base = {"name": "silent", "metric": "cpu_percent", "kind": "no_data", "scope": scope}
    for body in [base, {**base, "no_data_seconds": 60, "threshold": 5}]:
        await call(service, "POST", "/rules", body, expect=422)
    created = await call(service, "POST", "/rules", {**base, "no_data_seconds": 60}, expect=201)
    url = f"/rules/{created['id']}"
    refused = await call(service, "PATCH", url, {"threshold": 3}, expect=422)
    assert refused["error"]["code"] == "not_a_threshold_rule"
    changed = await call(service, "PATCH", url, {"no_data_seconds": 120})
    assert (changed["no_data_seconds"], changed["threshold"]) == (120, 120)
    threshold = await rule(service, scope=scope)
    refused = await call(
        service, "PATCH", f"/rules/{threshold['id']}", {"no_data_seconds": 5}, expect=422
    )
    assert refused["error"]["code"] == "not_a_no_data_rule"
