"""HTTP routes of cost questions; any role of the company may read them.

Every question takes the same optional filters (``account_id``,
``service_group_id``, ``tag``; see ``narrowing``), all of which must hold.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_metering.costs import narrowing, service
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.grouping import MAX_LIMIT
from nephos_metering.costs.schemas import (
    CostComparison,
    CostForecast,
    CostOverview,
    CostSummary,
    CostTrend,
    ForecastMethod,
    GroupBy,
    Period,
)

router = APIRouter(prefix="/costs", tags=["costs"])

AS_OF = Query(default=None, description="Today, by default (UTC)")
CURRENCY = Query(default=None, pattern=r"^[A-Za-z]{3}$")
LIMIT = Query(
    default=None, ge=1, le=MAX_LIMIT,
    description="Largest groups returned, the rest summed in other; 100 for resource and tag",
)  # fmt: skip


def _today(as_of: date | None) -> date:
    return as_of or datetime.now(UTC).date()


async def cost_filter(
    account_id: str | None = Query(default=None, description="A cloud account's id"),
    service_group_id: str | None = Query(default=None, description="A service group's id"),
    tag: str | None = Query(default=None, description="key=value, or key for any value"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostFilter | None:
    """The question's filter; ``None`` when it is about every cost of the company."""
    return await narrowing.cost_filter(session, principal.tenant, account_id,
                                       service_group_id, tag)  # fmt: skip


FILTER = Depends(cost_filter)


@router.get("/summary", response_model=CostSummary)
async def cost_summary(
    start: date | None = Query(default=None, alias="from", description="First day, included"),
    end: date | None = Query(default=None, alias="to", description="Last day, included (UTC)"),
    period: Period | None = Query(default=None, description="N months ending with as_of"),
    as_of: date | None = AS_OF,
    group_by: GroupBy = "service",
    tag_key: str | None = Query(default=None, max_length=512, description="With group_by=tag"),
    limit: int | None = LIMIT,
    filters: CostFilter | None = FILTER,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSummary:
    """Totals per group over ``from``..``to``, or over an inquiry ``period`` (2m, 3m, 6m, 12m)."""
    first, last = service.inquiry_period(period, start, end, _today(as_of))
    return await service.summary(session, principal.tenant, first, last, group_by, filters,
                                 tag_key=tag_key, limit=limit)  # fmt: skip


@router.get("/overview", response_model=CostOverview)
async def cost_overview(
    as_of: date | None = AS_OF,
    currency: str | None = CURRENCY,
    filters: CostFilter | None = FILTER,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostOverview:
    """Hot bill (yesterday), month-to-date and forecast, as on the metering dashboard."""
    return await service.overview(session, principal.tenant, _today(as_of), currency, filters)


@router.get("/forecast", response_model=CostForecast)
async def cost_forecast(
    as_of: date | None = AS_OF,
    currency: str | None = CURRENCY,
    method: ForecastMethod | None = Query(default=None, description="Automatic by default"),
    filters: CostFilter | None = FILTER,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostForecast:
    """Month-end forecast with its range, method and basis."""
    return await service.forecast(session, principal.tenant, _today(as_of), currency, method,
                                  filters)  # fmt: skip


@router.get("/comparison", response_model=CostComparison)
async def cost_comparison(
    as_of: date | None = AS_OF,
    months: int = Query(default=3, ge=1, le=12, description="Earlier months to compare"),
    currency: str | None = CURRENCY,
    filters: CostFilter | None = FILTER,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostComparison:
    """This month's 1st..as_of beside the same day-range of earlier months."""
    return await service.comparison(session, principal.tenant, _today(as_of), months, currency,
                                    filters)  # fmt: skip


@router.get("/trend", response_model=CostTrend)
async def cost_trend(
    as_of: date | None = AS_OF,
    currency: str | None = CURRENCY,
    filters: CostFilter | None = FILTER,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostTrend:
    """Daily trend of this month with the two before and the 11-month average, min and max."""
    return await service.trend(session, principal.tenant, _today(as_of), currency, filters)
