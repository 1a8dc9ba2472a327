"""The monitoring ingest bench: sustained points per second into PostgreSQL.

Points go through the service's own ingest path (``ingest.accept``: raw rows
into daily partitions, 5-minute/hourly/daily rollups of the touched buckets,
latest values, rule evaluation) in batches the size a collection job or a
push brings, from a few concurrent writers, as replicas would. Series are
synthetic servers reporting one CPU point a minute, written in time order.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.database import databases
from bench.output import Figure, count, emit, figures, heading, seconds
from nephos_common.db import Database
from nephos_monitoring.db import MESSAGING
from nephos_monitoring.ingest import accept
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.settings import Settings

TENANT = "bench"
RATE_GOAL = 50_000


@dataclass(frozen=True)
class IngestOptions:
    series: int = 5_000
    minutes: int = 60
    batch: int = 10_000
    writers: int = 2


def bench_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, **overrides}
    return Settings(**values)  # type: ignore[arg-type]


def synthetic_points(
    asset_ids: list[uuid.UUID], start: datetime, minutes: int, step: timedelta
) -> Iterator[Point]:
    """One CPU point per series per step, in time order, with a little noise."""
    rng = random.Random(42)
    for minute in range(minutes):
        at = start + minute * step
        for asset_id in asset_ids:
            yield Point(asset_id, "cpu_percent", at, rng.uniform(0, 100))


def batches(points: Iterator[Point], size: int) -> list[list[Point]]:
    out: list[list[Point]] = []
    current: list[Point] = []
    for point in points:
        current.append(point)
        if len(current) == size:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


async def write_all(
    database: Database, settings: Settings, work: list[list[Point]], writers: int
) -> int:
    """Every batch through ``accept`` by ``writers`` concurrent writers; returns points stored.

    Batches are dealt out in turn; callers give each writer its own series (as
    per-account jobs have), so writers do not queue on the same rollup rows.
    """
    stored = 0

    async def writer(mine: list[list[Point]]) -> None:
        nonlocal stored
        for batch in mine:
            async with database.transaction() as session:
                added = await accept(session, MESSAGING, settings, TENANT, batch)
            stored += added

    await asyncio.gather(*(writer(work[w::writers]) for w in range(writers)))
    return stored


def interleaved(
    asset_ids: list[uuid.UUID],
    writers: int,
    start: datetime,
    minutes: int,
    step: timedelta,
    size: int,
) -> list[list[Point]]:
    """Batches in time order per writer's share of the series, dealt so that batch ``i``
    goes to writer ``i % writers``."""
    shares = [
        batches(synthetic_points(asset_ids[w::writers], start, minutes, step), size)
        for w in range(writers)
    ]
    return [b for round_ in zip(*shares, strict=False) for b in round_]


async def _measure(url: str, options: IngestOptions) -> tuple[int, float]:
    settings = bench_settings(url)
    database = Database(url, pool_size=options.writers + 1)
    try:
        asset_ids = [uuid.uuid4() for _ in range(options.series)]
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=6)
        step = timedelta(minutes=1)
        work = interleaved(asset_ids, options.writers, start, options.minutes, step, options.batch)
        warm = work[: options.writers]
        work = work[options.writers :]
        await write_all(database, settings, warm, options.writers)  # partitions, plans, pool
        began = time.perf_counter()
        stored = await write_all(database, settings, work, options.writers)
        return stored, time.perf_counter() - began
    finally:
        await database.dispose()


def run(options: IngestOptions) -> None:
    heading("monitoring-ingest: points per second through the ingest path")
    emit(
        f"{options.series:,} series x {options.minutes} minutes, batches of "
        f"{options.batch:,} points, {options.writers} concurrent writers, no alert rules"
    )
    with databases("nephos_monitoring") as dbs:
        stored, elapsed = asyncio.run(_measure(dbs.fresh(), options))
    rate = stored / elapsed if elapsed else 0.0
    figures(
        "Ingest",
        [
            Figure("points stored (after warm-up batch)", count(stored)),
            Figure("elapsed", seconds(elapsed)),
            Figure(
                "sustained rate", f"{rate:,.0f} points/s", f">= {RATE_GOAL:,}", rate >= RATE_GOAL
            ),
        ],
    )
