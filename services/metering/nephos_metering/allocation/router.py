"""HTTP routes of cost per asset and per service group; any role of the company may read."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import parse_id_list
from nephos_metering.allocation import service
from nephos_metering.allocation.schemas import AssetCost, AssetCostBatch, GroupCost, GroupCostBatch

router = APIRouter(tags=["allocation"])

FROM = Query(default=None, alias="from", description="First day, included (this month's 1st)")
TO = Query(default=None, alias="to", description="Last day, included (today, UTC)")
IDS = Query(description="Comma-separated ids")


@router.get("/asset-costs", response_model=AssetCostBatch)
async def asset_costs(
    ids: str = IDS,
    start: date | None = FROM,
    end: date | None = TO,
    daily: bool = Query(default=False, description="Each asset's daily figures too"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetCostBatch:
    """Totals per asset, one item per id in the order asked (batch read for DataLoaders)."""
    first, last = service.period(start, end)
    asked = parse_id_list(ids)
    return await service.asset_costs(session, principal.tenant, asked, first, last, daily=daily)


@router.get("/asset-costs/{asset_id}", response_model=AssetCost)
async def asset_cost(
    asset_id: uuid.UUID,
    start: date | None = FROM,
    end: date | None = TO,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetCost:
    """One asset's total and daily trend over the period."""
    first, last = service.period(start, end)
    return await service.asset_cost(session, principal.tenant, asset_id, first, last)


@router.get("/service-group-costs", response_model=GroupCostBatch)
async def group_costs(
    ids: str = IDS,
    start: date | None = FROM,
    end: date | None = TO,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> GroupCostBatch:
    """Totals, cost by service and daily figures per service group, one item per id in
    the order asked (batch read for DataLoaders); members only through the single read."""
    first, last = service.period(start, end)
    asked = parse_id_list(ids)
    return await service.group_costs(session, principal.tenant, asked, first, last)


@router.get("/service-group-costs/{group_id}", response_model=GroupCost)
async def group_cost(
    group_id: uuid.UUID,
    start: date | None = FROM,
    end: date | None = TO,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> GroupCost:
    """A service group's total, cost by service, daily trend and each member's cost."""
    first, last = service.period(start, end)
    return await service.group_cost(session, principal.tenant, group_id, first, last)
