"""HTTP routes of cost questions; any role of the company may read them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_metering.costs import service
from nephos_metering.costs.schemas import CostOverview, CostSummary, GroupBy

router = APIRouter(prefix="/costs", tags=["costs"])


@router.get("/summary", response_model=CostSummary)
async def cost_summary(
    start: date = Query(alias="from", description="First day, included (UTC)"),
    end: date = Query(alias="to", description="Last day, included (UTC)"),
    group_by: GroupBy = "service",
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSummary:
    return await service.summary(session, principal.tenant, start, end, group_by)


@router.get("/overview", response_model=CostOverview)
async def cost_overview(
    as_of: date | None = Query(default=None, description="Today, by default (UTC)"),
    currency: str | None = Query(default=None, pattern=r"^[A-Za-z]{3}$"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostOverview:
    """Hot bill (yesterday) and month-to-date, as on the metering dashboard."""
    day = as_of or datetime.now(UTC).date()
    return await service.overview(session, principal.tenant, day, currency)
