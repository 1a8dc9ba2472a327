"""Daily utilisation events: once per (server, UTC day) even with several replicas
summarising at once, values equal to statistics computed here, tenants kept apart."""

from __future__ import annotations

import asyncio
import statistics
from datetime import UTC, datetime, timedelta

from nephos_monitoring.utilisation.service import summarise_finished_days
from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import add_servers, push

DAILY = "monitoring.utilisation.daily"


async def _replicas_summarise(service: MonitoringService, today: datetime, replicas: int) -> int:
    database, tables = service.app.state.database, service.app.state.tables
    runs = [summarise_finished_days(database, tables, today.date(), 3) for _ in range(replicas)]
    published = sum(await asyncio.gather(*runs))
    service.app.state.relay.wake()
    return published


async def test_one_event_per_server_and_day_across_replicas(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    web, api = await add_servers(service, 2)
    (theirs,) = await add_servers(service, 1, tenant="globex")
    (db,) = await add_servers(service, 1, category="database", native_type="aws.rds.db_instance")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    cpu = [float((i * 37) % 100) for i in range(96)]
    stamps = [yesterday + timedelta(minutes=15 * i) for i in range(96)]
    await push(service, web["asset_id"], list(zip(stamps, cpu, strict=True)))
    await push(service, web["asset_id"], [(s, 1000.0) for s in stamps], "network_in_bytes")
    await push(service, web["asset_id"], [(before, 50.0), (today, 99.0)])
    await push(service, api["asset_id"], [(yesterday + timedelta(hours=3), 12.5)])
    await push(service, theirs["asset_id"], [(yesterday, 5.0)], tenant="globex")
    await push(service, db["asset_id"], [(yesterday, 80.0)])

    assert await _replicas_summarise(service, today, replicas=3) == 4
    assert await _replicas_summarise(service, today, replicas=2) == 0
    events = await service.monitoring_events(4, prefix=DAILY)
    await asyncio.sleep(1.0)  # nothing more arrives
    events = await service.monitoring_events(4, prefix=DAILY)
    assert len(events) == 4
    keyed = {(e["tenant"], e["data"]["asset_id"], e["data"]["day"]): e for e in events}
    assert len(keyed) == 4

    mine = keyed[("acme", str(web["asset_id"]), yesterday.date().isoformat())]["data"]
    assert mine["samples"] == 96
    assert abs(mine["cpu_avg"] - statistics.fmean(cpu)) < 1e-9
    p95 = statistics.quantiles(cpu, n=20, method="inclusive")[18]
    assert abs(mine["cpu_p95"] - p95) < 1e-9
    assert mine["cpu_max"] == max(cpu)
    assert mine["network_in_bytes"] == 96_000.0 and mine["network_out_bytes"] is None
    assert mine["account_id"] == str(web["account_id"]) and mine["provider"] == "aws"
    earlier = keyed[("acme", str(web["asset_id"]), before.date().isoformat())]["data"]
    assert (earlier["samples"], earlier["cpu_max"]) == (1, 50.0)
    assert ("globex", str(theirs["asset_id"]), yesterday.date().isoformat()) in keyed
    assert all(e["data"]["asset_id"] != str(db["asset_id"]) for e in events)
    assert all(e["data"]["day"] != today.date().isoformat() for e in events)
