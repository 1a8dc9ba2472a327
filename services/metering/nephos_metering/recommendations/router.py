"""HTTP routes of savings recommendations: viewers read, operators dismiss and recompute."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import MAX_PAGE_SIZE
from nephos_metering.recommendations import service
from nephos_metering.recommendations.schemas import (
    KindName,
    RecommendationOut,
    RecommendationPage,
    RefreshResult,
    StatusChange,
    StatusIn,
)

router = APIRouter(prefix="/recommendations", tags=["recommendations"])


@router.get("", response_model=RecommendationPage)
async def list_recommendations(
    kind: KindName | None = None,
    status: StatusIn | None = None,
    limit: int = Query(default=100, ge=1, le=MAX_PAGE_SIZE),
    after: str | None = Query(default=None, description="next_cursor of the previous page"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RecommendationPage:
    """Largest monthly saving first, with totals per kind and currency over all pages."""
    return await service.listing(session, principal.tenant, kind, status, limit, after)


@router.post("/refresh", response_model=RefreshResult)
async def refresh_recommendations(
    request: Request,
    as_of: date | None = Query(default=None, description="Today, by default (UTC)"),
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> RefreshResult:
    """Compute the company's recommendations now instead of after the next ingest."""
    limits = service.thresholds(request.app.state.settings)
    return await service.refresh(session, principal.tenant, limits, as_of)


@router.patch("/{recommendation_id}", response_model=RecommendationOut)
async def change_status(
    recommendation_id: uuid.UUID,
    body: StatusChange,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> RecommendationOut:
    """Dismiss a recommendation (or open it again); the status survives recomputation."""
    return await service.change_status(session, principal, recommendation_id, body)
