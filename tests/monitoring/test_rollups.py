"""Rollups at 5 minutes, 1 hour and 1 day equal aggregates computed here from the
raw points; series reads pick their resolution from the range; tenants never mix."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from nephos_monitoring.metrics.maintenance import maintain
from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import add_servers, push

Bucketer = Callable[[datetime], datetime]


def _five(ts: datetime) -> datetime:
    return ts.replace(minute=ts.minute - ts.minute % 5, second=0, microsecond=0)


def _hour(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


def _day(ts: datetime) -> datetime:
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def _expected(points: list[tuple[datetime, float]], bucket: Bucketer) -> dict[datetime, Any]:
    """avg, min, max per bucket, computed independently of the service."""
    grouped: dict[datetime, list[float]] = defaultdict(list)
    for ts, value in points:
        grouped[bucket(ts)].append(value)
    return {b: (statistics.fmean(v), min(v), max(v)) for b, v in grouped.items()}


async def _series(
    service: MonitoringService, asset_id: Any, start: datetime, end: datetime, tenant: str = "acme"
) -> dict[str, Any]:
    params = {
        "asset_id": str(asset_id),
        "metric": "cpu_percent",
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    answer = await service.client.get("/series", params=params, headers=service.auth(tenant))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _as_map(body: dict[str, Any]) -> dict[datetime, tuple[float, float, float]]:
    return {datetime.fromisoformat(p["ts"]): (p["avg"], p["min"], p["max"]) for p in body["points"]}


def _close(actual: dict[datetime, Any], expected: dict[datetime, Any]) -> bool:
    if actual.keys() != expected.keys():
        return False
    return all(
        abs(a - e) < 1e-9 for k in expected for a, e in zip(actual[k], expected[k], strict=True)
    )


async def test_every_resolution_equals_the_raw_aggregate(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    rng = random.Random(7)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=3)
    points = [
        (start + timedelta(minutes=7 * i, seconds=rng.randrange(60)), rng.uniform(0, 100))
        for i in range(3 * 24 * 60 // 7)
    ]
    # Two batches out of order, the second overlapping the first: no double counting.
    half = len(points) // 2
    await push(service, server["asset_id"], points[half:])
    await push(service, server["asset_id"], points[: half + 50])

    cases = [
        (end - timedelta(hours=5), end, "raw", None),
        (end - timedelta(hours=30), end, "5m", _five),
        (start, end, "1h", _hour),
        (end - timedelta(days=90), end, "1d", _day),
    ]
    for since, until, resolution, bucket in cases:
        body = await _series(service, server["asset_id"], since, until)
        assert body["resolution"] == resolution
        window = [(ts, v) for ts, v in points if since <= ts < until]
        if bucket is None:
            assert [p["avg"] for p in body["points"]] == [v for _, v in sorted(window)]
            continue
        assert _close(_as_map(body), _expected(window, bucket)), resolution
    assert len((await _series(service, server["asset_id"], start, end))["points"]) == 72

    other = await _series(service, server["asset_id"], start, end, tenant="globex")
    assert other["points"] == []


async def test_a_late_point_updates_every_level(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    first = [(day + timedelta(hours=h), 10.0) for h in range(24)]
    await push(service, server["asset_id"], first)
    late = (day + timedelta(hours=5, minutes=1), 70.0)
    await push(service, server["asset_id"], [late])

    daily = await _series(service, server["asset_id"], day - timedelta(days=80), day + timedelta(1))
    assert daily["resolution"] == "1d"
    assert _close(_as_map(daily), _expected([*first, late], _day))
    hourly = await _series(service, server["asset_id"], day, day + timedelta(days=3))
    assert _as_map(hourly)[day + timedelta(hours=5)] == (40.0, 10.0, 70.0)


async def test_maintenance_drops_each_resolution_after_its_retention(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    now = datetime.now(UTC)
    await push(service, server["asset_id"], [(now - timedelta(days=d), 5.0) for d in range(6)])
    settings = service.settings.model_copy(
        update={
            "raw_retention_days": 10,
            "rollup_5m_retention_days": 2,
            "rollup_retention_days": 3,
            "rollup_1d_retention_days": 4,
        }
    )
    await maintain(service.app.state.database, settings, now)
    week = await _series(service, server["asset_id"], now - timedelta(days=7), now)
    assert week["resolution"] == "1h"
    assert len(week["points"]) == 3  # today, 1 and 2 days ago (3 days ago is just past)
    year = await _series(service, server["asset_id"], now - timedelta(days=365), now)
    assert year["resolution"] == "1d" and len(year["points"]) == 4
