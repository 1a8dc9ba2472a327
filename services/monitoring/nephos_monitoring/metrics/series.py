"""Reading a series at a resolution that fits the range: raw points or a rollup.

The resolution follows from the range alone (``SeriesLimits``, defaults: raw
up to 6 hours, 5-minute rollups up to 2 days, hourly up to 60 days, daily
beyond), so a chart never receives more than about 1,500 buckets and a
30-day view reads 720 hourly rows instead of 43,200 raw points. A caller may
ask for a coarser resolution, never a finer one. The series of many assets
(a dashboard's list) are read in one query.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_common.errors import InvalidInput
from nephos_monitoring.metrics.schemas import LatestPoint, Resolution, SeriesOut, SeriesPoint
from nephos_monitoring.metrics.tables import LATEST, POINTS, ROLLUPS
from nephos_monitoring.settings import Settings

MAX_RAW_POINTS = 20_000


@dataclass(frozen=True)
class SeriesLimits:
    """The longest range answered at each resolution finer than daily."""

    raw: timedelta
    five_minutes: timedelta
    hourly: timedelta

    @classmethod
    def of(cls, settings: Settings) -> SeriesLimits:
        return cls(
            raw=timedelta(hours=settings.raw_series_max_hours),
            five_minutes=timedelta(hours=settings.series_5m_max_hours),
            hourly=timedelta(days=settings.series_1h_max_days),
        )


RESOLUTIONS: tuple[Resolution, ...] = ("raw", "5m", "1h", "1d")
"""Finest first."""

BUCKET_WIDTH: dict[Resolution, timedelta] = {
    "5m": timedelta(minutes=5),
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
}


def resolution_for(start: datetime, end: datetime, limits: SeriesLimits) -> Resolution:
    span = end - start
    if span <= limits.raw:
        return "raw"
    if span <= limits.five_minutes:
        return "5m"
    return "1h" if span <= limits.hourly else "1d"


def chosen_resolution(
    start: datetime, end: datetime, limits: SeriesLimits, asked: Resolution | None
) -> Resolution:
    """The range's resolution, or a coarser one the caller asks for; finer is refused,
    so that a long range never reads more rows than its own resolution would."""
    fitting = resolution_for(start, end, limits)
    if asked is None:
        return fitting
    if RESOLUTIONS.index(asked) < RESOLUTIONS.index(fitting):
        raise InvalidInput(
            f"the range is too long for {asked} points; {fitting} or coarser",
            code="resolution_too_fine",
            field="resolution",
        )
    return asked


async def read(
    session: AsyncSession,
    tenant: str,
    asset_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
    limits: SeriesLimits,
    resolution: Resolution | None = None,
) -> SeriesOut:
    """One series at the range's resolution, or the coarser one asked for."""
    chosen = chosen_resolution(start, end, limits, resolution)
    (found,) = await read_many(session, tenant, [asset_id], metric, start, end, chosen)
    return found


async def read_many(
    session: AsyncSession,
    tenant: str,
    asset_ids: Sequence[uuid.UUID],
    metric: str,
    start: datetime,
    end: datetime,
    resolution: Resolution,
) -> list[SeriesOut]:
    """One series per asset (in the order asked, empty when there are no points), in one query."""
    if resolution == "raw":
        points = await _raw(session, tenant, asset_ids, metric, start, end)
    else:
        points = await _rolled_up(session, resolution, tenant, asset_ids, metric, start, end)
    return [
        SeriesOut(
            asset_id=a,
            metric=metric,
            start=start,
            end=end,
            resolution=resolution,
            points=points.get(a, []),
        )
        for a in asset_ids
    ]


async def _raw(
    session: AsyncSession,
    tenant: str,
    asset_ids: Sequence[uuid.UUID],
    metric: str,
    start: datetime,
    end: datetime,
) -> dict[uuid.UUID, list[SeriesPoint]]:
    """At most ``MAX_RAW_POINTS`` of each series, its oldest first."""
    c = POINTS.c
    rank = func.row_number().over(partition_by=c.asset_id, order_by=c.ts).label("rank")
    ranked = (
        select(c.asset_id, c.ts, c.value, rank)
        .where(c.tenant == tenant, any_of(c.asset_id, asset_ids), c.metric == metric)
        .where(c.ts >= start, c.ts < end)
        .subquery()
    )
    r = ranked.c
    rows = await session.execute(
        select(r.asset_id, r.ts, r.value).where(r.rank <= MAX_RAW_POINTS).order_by(r.asset_id, r.ts)
    )
    found: dict[uuid.UUID, list[SeriesPoint]] = defaultdict(list)
    for asset_id, ts, v in rows:
        found[asset_id].append(SeriesPoint(ts=ts, avg=v, min=v, max=v))
    return found


async def _rolled_up(
    session: AsyncSession,
    resolution: Resolution,
    tenant: str,
    asset_ids: Sequence[uuid.UUID],
    metric: str,
    start: datetime,
    end: datetime,
) -> dict[uuid.UUID, list[SeriesPoint]]:
    """Every bucket that overlaps the range: "the last hour" at hourly resolution is the
    bucket it falls in, not nothing because that bucket began before the range did."""
    c = ROLLUPS[resolution].c
    rows = await session.execute(
        select(c.asset_id, c.bucket, c.sum / c.count, c.min, c.max)
        .where(c.tenant == tenant, any_of(c.asset_id, asset_ids), c.metric == metric)
        .where(c.bucket > start - BUCKET_WIDTH[resolution], c.bucket < end)
        .order_by(c.asset_id, c.bucket)
    )
    found: dict[uuid.UUID, list[SeriesPoint]] = defaultdict(list)
    for asset_id, ts, avg, lo, hi in rows:
        found[asset_id].append(SeriesPoint(ts=ts, avg=avg, min=lo, max=hi))
    return found


async def latest_points(
    session: AsyncSession,
    tenant: str,
    asset_ids: Sequence[uuid.UUID],
    metrics: Sequence[str] = (),
) -> list[LatestPoint]:
    """The newest point of each series of these assets (of every metric unless named)."""
    c = LATEST.c
    query = select(c.asset_id, c.metric, c.ts, c.value).where(
        c.tenant == tenant, any_of(c.asset_id, asset_ids)
    )
    if metrics:
        query = query.where(any_of(c.metric, metrics))
    rows = await session.execute(query.order_by(c.asset_id, c.metric))
    return [LatestPoint(asset_id=a, metric=m, ts=ts, value=v) for a, m, ts, v in rows]


Latest = dict[tuple[uuid.UUID, str], tuple[datetime, float]]
"""(asset id, metric) -> time and value of the series' newest point."""


async def latest_values(session: AsyncSession, tenant: str, metric: str | None = None) -> Latest:
    """The newest point of every series of a tenant (optionally one metric)."""
    c = LATEST.c
    query = select(c.asset_id, c.metric, c.ts, c.value).where(c.tenant == tenant)
    if metric is not None:
        query = query.where(c.metric == metric)
    return {(a, m): (ts, v) for a, m, ts, v in await session.execute(query)}
