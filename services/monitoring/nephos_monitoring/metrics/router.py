"""HTTP routes of metrics: the JSON push endpoint and series reads."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_common.errors import InvalidInput
from nephos_common.pagination import parse_id_list
from nephos_monitoring.ingest import accept
from nephos_monitoring.metrics import series
from nephos_monitoring.metrics.schemas import (
    LatestList,
    PointsAccepted,
    PointsIn,
    Resolution,
    SeriesList,
    SeriesOut,
)
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository as targets

router = APIRouter(tags=["metrics"])
RESOLUTION_HELP = "Coarser than the range's own resolution if wanted; finer is refused."


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


def _limits(request: Request, start: datetime, end: datetime) -> series.SeriesLimits:
    if end <= start:
        raise InvalidInput("'to' must be after 'from'", code="invalid_range")
    return series.SeriesLimits.of(request.app.state.settings)


@router.get("/series", response_model=SeriesOut)
async def get_series(
    request: Request,
    asset_id: uuid.UUID,
    metric: str,
    start: AwareDatetime = Query(alias="from"),
    end: AwareDatetime = Query(alias="to"),
    resolution: Resolution | None = Query(None, description=RESOLUTION_HELP),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SeriesOut:
    """One series at a resolution picked from the range's length.

    Raw points up to ``raw_series_max_hours`` (6 h), then 5-minute rollups up
    to ``series_5m_max_hours`` (48 h), hourly rollups up to
    ``series_1h_max_days`` (60 days) and daily rollups beyond; ``resolution``
    in the answer says which. Rollup points carry the bucket's avg, min and max.
    """
    limits = _limits(request, start, end)
    return await series.read(
        session, principal.tenant, asset_id, metric, start, end, limits, resolution
    )


@router.get("/series/batch", response_model=SeriesList)
async def get_series_batch(
    request: Request,
    asset_ids: str = Query(description="Comma-separated asset ids (at most 500)"),
    metric: str = Query(),
    start: AwareDatetime = Query(alias="from"),
    end: AwareDatetime = Query(alias="to"),
    resolution: Resolution | None = Query(None, description=RESOLUTION_HELP),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SeriesList:
    """The same series of many assets in one call (for DataLoaders), in the order asked;
    an asset without points (or not the caller's) has an empty series."""
    wanted = parse_id_list(asset_ids, field="asset_ids")
    chosen = series.chosen_resolution(start, end, _limits(request, start, end), resolution)
    found = await series.read_many(session, principal.tenant, wanted, metric, start, end, chosen)
    return SeriesList(items=found)


@router.get("/latest", response_model=LatestList)
async def get_latest(
    asset_ids: str = Query(description="Comma-separated asset ids (at most 500)"),
    metrics: str | None = Query(None, description="Comma-separated metric names; all if absent"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> LatestList:
    """The newest point of each series of many assets (for DataLoaders)."""
    wanted = parse_id_list(asset_ids, field="asset_ids")
    names = [m for m in (metrics or "").split(",") if m]
    found = await series.latest_points(session, principal.tenant, wanted, names)
    return LatestList(items=found)
