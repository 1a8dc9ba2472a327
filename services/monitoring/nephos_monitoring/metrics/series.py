"""Reading a series at a resolution that fits the range: raw points or a rollup.

The resolution follows from the range alone (``SeriesLimits``, defaults: raw
up to 6 hours, 5-minute rollups up to 2 days, hourly up to 60 days, daily
beyond), so a chart never receives more than about 1,500 buckets and a
30-day view reads 720 hourly rows instead of 43,200 raw points.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_monitoring.metrics.schemas import Resolution, SeriesOut, SeriesPoint
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


def resolution_for(start: datetime, end: datetime, limits: SeriesLimits) -> Resolution:
    span = end - start
    if span <= limits.raw:
        return "raw"
    if span <= limits.five_minutes:
        return "5m"
    return "1h" if span <= limits.hourly else "1d"


async def read(
    session: AsyncSession,
    tenant: str,
    asset_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
    limits: SeriesLimits,
) -> SeriesOut:
    resolution = resolution_for(start, end, limits)
    if resolution == "raw":
        points = await _raw(session, tenant, asset_id, metric, start, end)
    else:
        points = await _rolled_up(session, resolution, tenant, asset_id, metric, start, end)
    return SeriesOut(
        asset_id=asset_id, metric=metric, start=start, end=end, resolution=resolution, points=points
    )


async def _raw(
    session: AsyncSession,
    tenant: str,
    asset_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
) -> list[SeriesPoint]:
    c = POINTS.c
    rows = await session.execute(
        select(c.ts, c.value)
        .where(c.tenant == tenant, c.asset_id == asset_id, c.metric == metric)
        .where(c.ts >= start, c.ts < end)
        .order_by(c.ts)
        .limit(MAX_RAW_POINTS)
    )
    return [SeriesPoint(ts=ts, avg=v, min=v, max=v) for ts, v in rows]


async def _rolled_up(
    session: AsyncSession,
    resolution: Resolution,
    tenant: str,
    asset_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
) -> list[SeriesPoint]:
    c = ROLLUPS[resolution].c
    rows = await session.execute(
        select(c.bucket, c.sum / c.count, c.min, c.max)
        .where(c.tenant == tenant, c.asset_id == asset_id, c.metric == metric)
        .where(c.bucket >= start, c.bucket < end)
        .order_by(c.bucket)
    )
    return [SeriesPoint(ts=ts, avg=avg, min=lo, max=hi) for ts, avg, lo, hi in rows]


async def latest_values(
    session: AsyncSession, tenant: str, metric: str | None = None
) -> dict[tuple[uuid.UUID, str], tuple[datetime, float]]:
    """The newest point of every series of a tenant (optionally one metric)."""
    c = LATEST.c
    query = select(c.asset_id, c.metric, c.ts, c.value).where(c.tenant == tenant)
    if metric is not None:
        query = query.where(c.metric == metric)
    return {(a, m): (ts, v) for a, m, ts, v in await session.execute(query)}
