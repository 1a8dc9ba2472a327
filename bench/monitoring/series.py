"""The monitoring series bench: a 30-day series read at 1-hour resolution, p95.

Thirty days of 5-minute points for a set of servers are written through the
real ingest path (so the rollups are the ones the service maintains), then
random servers' 30-day ranges are read through ``metrics.series.read``, the
function behind ``GET /series``, and serialised as the route would.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.database import databases
from bench.monitoring.ingest import TENANT, bench_settings, interleaved, write_all
from bench.output import Figure, count, emit, figures, heading
from nephos_common.db import Database
from nephos_monitoring.metrics import series
from nephos_monitoring.metrics.series import SeriesLimits

DAYS = 30


@dataclass(frozen=True)
class SeriesOptions:
    servers: int = 20
    reads: int = 300


async def _fill(database: Database, url: str, asset_ids: list[uuid.UUID], end: datetime) -> int:
    settings = bench_settings(url, raw_retention_days=35, rollup_5m_retention_days=35)
    step = timedelta(minutes=5)
    start = end - timedelta(days=DAYS)
    work = interleaved(asset_ids, 2, start, DAYS * 24 * 12, step, 10_000)
    return await write_all(database, settings, work, 2)


async def _read_times(
    database: Database, asset_ids: list[uuid.UUID], end: datetime, reads: int
) -> tuple[list[float], int]:
    limits = SeriesLimits.of(bench_settings("postgresql+asyncpg://unused/unused"))
    rng = random.Random(7)
    timings, rows = [], 0
    for _ in range(reads):
        asset_id = rng.choice(asset_ids)
        began = time.perf_counter()
        async with database.transaction() as session:
            out = await series.read(
                session, TENANT, asset_id, "cpu_percent", end - timedelta(days=DAYS), end, limits
            )
        out.model_dump_json()
        timings.append((time.perf_counter() - began) * 1000)
        rows = len(out.points)
        assert out.resolution == "1h"
    return timings, rows


async def _measure(url: str, options: SeriesOptions) -> tuple[int, list[float], int]:
    database = Database(url, pool_size=3)
    try:
        asset_ids = [uuid.uuid4() for _ in range(options.servers)]
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        stored = await _fill(database, url, asset_ids, end)
        timings, rows = await _read_times(database, asset_ids, end, options.reads)
        return stored, timings, rows
    finally:
        await database.dispose()


def run(options: SeriesOptions) -> None:
    heading("monitoring-series: 30-day series at 1-hour resolution")
    emit(f"{options.servers} servers x {DAYS} days of 5-minute points; {options.reads} reads")
    with databases("nephos_monitoring") as dbs:
        stored, timings, rows = asyncio.run(_measure(dbs.fresh(), options))
    p95 = statistics.quantiles(timings, n=20)[18]
    figures(
        "Series read",
        [
            Figure("points written (setup)", count(stored)),
            Figure("hourly points per answer", count(rows)),
            Figure("median", f"{statistics.median(timings):.1f} ms"),
            Figure("p95", f"{p95:.1f} ms"),
            Figure("max", f"{max(timings):.1f} ms"),
        ],
    )
