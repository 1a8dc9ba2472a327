"""Reading a series at a resolution that fits the range: raw points or hourly rollups."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_monitoring.metrics.schemas import SeriesOut, SeriesPoint
from nephos_monitoring.metrics.tables import LATEST, POINTS, ROLLUP_1H

MAX_RAW_POINTS = 20_000


def resolution_for(start: datetime, end: datetime, raw_max: timedelta) -> str:
    """Raw points for short ranges; past ``raw_max`` the hourly rollup (30 days = 720 rows)."""
    return "raw" if end - start <= raw_max else "1h"


async def read(
    session: AsyncSession,
    tenant: str,
    asset_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
    raw_max: timedelta,
) -> SeriesOut:
    resolution = resolution_for(start, end, raw_max)
    if resolution == "raw":
        points = await _raw(session, tenant, asset_id, metric, start, end)
    else:
        points = await _hourly(session, tenant, asset_id, metric, start, end)
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


async def _hourly(
    session: AsyncSession,
    tenant: str,
    asset_id: uuid.UUID,
    metric: str,
    start: datetime,
    end: datetime,
) -> list[SeriesPoint]:
    c = ROLLUP_1H.c
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
