"""HTTP routes of metrics: the JSON push endpoint and series reads."""

from __future__ import annotations

import uuid

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
    """Points pushed as plain JSON for the caller's existing targets; rules run on them.

    The simple alternative to the OTLP/HTTP endpoint ``POST /v1/metrics``, which
    OpenTelemetry collectors and SDKs speak and which creates hybrid machines'
    targets on their first push. Points older than the raw retention are
    accepted but not stored; ``stored`` counts the points that were new.
    """
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
    """One series at a resolution picked from the range's length.

    Raw points up to ``raw_series_max_hours`` (6 h), then 5-minute rollups up
    to ``series_5m_max_hours`` (48 h), hourly rollups up to
    ``series_1h_max_days`` (60 days) and daily rollups beyond; ``resolution``
    in the answer says which. Rollup points carry the bucket's avg, min and max.
    """
    if end <= start:
        raise InvalidInput("'to' must be after 'from'", code="invalid_range")
    limits = series.SeriesLimits.of(request.app.state.settings)
    return await series.read(session, principal.tenant, asset_id, metric, start, end, limits)
