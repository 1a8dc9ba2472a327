"""Daily partitions, retention, and the hourly rollup that long ranges read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nephos_monitoring.metrics import partitions
from nephos_monitoring.metrics.maintenance import maintain
from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import add_servers, push


async def _partitions(service: MonitoringService) -> dict[str, date]:
    async with service.app.state.database.transaction() as session:
        return dict(await partitions.existing(session))


async def test_long_ranges_read_hourly_rollups(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=3)
    points = [(start + timedelta(minutes=15 * i), float(i % 4) * 10) for i in range(12 * 24)]
    assert (await push(service, server["asset_id"], points))["stored"] == len(points)
    stale = await push(service, server["asset_id"], [(now - timedelta(days=30), 1.0)])
    assert stale["stored"] == 0

    params = {
        "asset_id": str(server["asset_id"]),
        "metric": "cpu_percent",
        "from": start.isoformat(),
        "to": now.isoformat(),
    }
    long = (await service.client.get("/series", params=params, headers=service.auth())).json()
    assert long["resolution"] == "1h"
    assert len(long["points"]) == 72
    assert {(p["avg"], p["min"], p["max"]) for p in long["points"]} == {(15.0, 0.0, 30.0)}

    params["from"] = (now - timedelta(hours=1)).isoformat()
    short = (await service.client.get("/series", params=params, headers=service.auth())).json()
    assert short["resolution"] == "raw" and len(short["points"]) == 4
    params["to"] = params["from"]
    refused = await service.client.get("/series", params=params, headers=service.auth())
    assert refused.status_code == 422


async def test_maintenance_creates_ahead_and_drops_expired_days(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    now = datetime.now(UTC)
    await push(service, server["asset_id"], [(now - timedelta(days=d), 5.0) for d in range(5)])
    assert partitions.partition_name((now - timedelta(days=4)).date()) in await _partitions(service)

    settings = service.settings.model_copy(
        update={"raw_retention_days": 2, "partitions_ahead_days": 3}
    )
    report = await maintain(service.app.state.database, settings, now)
    days = set((await _partitions(service)).values())
    today = now.date()
    assert min(days) == today - timedelta(days=2)
    assert max(days) == today + timedelta(days=3)
    assert len(report.dropped) == 2
