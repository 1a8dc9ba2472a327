"""HTTP routes of metrics: the JSON push endpoint and series reads."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_common.errors import InvalidInput
from nephos_monitoring.ingest import accept
from nephos_monitoring.metrics import series
from nephos_monitoring.metrics.schemas import PointsAccepted, PointsIn, SeriesOut
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository as targets

router = APIRouter(tags=["metrics"])


@router.post("/points", response_model=PointsAccepted)
async def push_points(
    data: PointsIn,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> PointsAccepted:
    """Points pushed for the caller's own targets (hybrid machines); rules run on them."""
    ids = sorted({p.asset_id for p in data.points})
    known = await targets.by_ids(session, principal.tenant, ids)
    unknown = [str(i) for i in ids if i not in known or known[i].deleted_at is not None]
    if unknown:
        raise InvalidInput("points name unknown targets", code="unknown_targets", ids=unknown[:20])
    points = [Point(p.asset_id, p.metric, p.ts, p.value) for p in data.points]
    settings: Settings = request.app.state.settings
    stored = await accept(session, request.app.state.tables, settings, principal.tenant, points)
    return PointsAccepted(received=len(points), stored=stored)


@router.get("/series", response_model=SeriesOut)
async def get_series(
    request: Request,
    asset_id: uuid.UUID,
    metric: str,
    start: AwareDatetime = Query(alias="from"),
    end: AwareDatetime = Query(alias="to"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SeriesOut:
    """One series; ranges longer than ``raw_series_max_hours`` come from hourly rollups."""
    if end <= start:
        raise InvalidInput("'to' must be after 'from'", code="invalid_range")
    settings: Settings = request.app.state.settings
    raw_max = timedelta(hours=settings.raw_series_max_hours)
    return await series.read(session, principal.tenant, asset_id, metric, start, end, raw_max)
