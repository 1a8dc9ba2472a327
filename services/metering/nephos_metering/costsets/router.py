"""HTTP routes of cost sets: every user of the company keeps their own (any role)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import parse_id_list
from nephos_metering.costs.schemas import CostSummary, DimensionGroupBy
from nephos_metering.costsets import repository, service
from nephos_metering.costsets.schemas import (
    CostSetCostsBatch,
    CostSetCreate,
    CostSetList,
    CostSetOut,
)

router = APIRouter(prefix="/cost-sets", tags=["cost sets"])


async def question(
    start: date | None = Query(default=None, description="First day, included"),
    end: date | None = Query(default=None, description="Last day, included (UTC)"),
    as_of: date | None = Query(default=None, description="End of the saved period; today"),
    group_by: DimensionGroupBy | None = Query(
        default=None, description="The set's grouping by default"
    ),
) -> service.Question:
    """The costs question of the query string, the same for one set and for a batch."""
    return service.Question(start, end, as_of or datetime.now(UTC).date(), group_by)


QUESTION = Depends(question)


@router.get("", response_model=CostSetList)
async def list_cost_sets(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> CostSetList:
    found = await repository.list_for(session, principal.tenant, principal.subject)
    return CostSetList(items=[CostSetOut.model_validate(s) for s in found])


# Declared before "/{set_id}", which would otherwise take "costs" for an id.
@router.get("/costs", response_model=CostSetCostsBatch)
async def cost_sets_costs(
    ids: str = Query(description="Comma-separated cost set ids"),
    asked: service.Question = QUESTION,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSetCostsBatch:
    """The costs of each of the user's sets, one item per id in the order asked (batch
    read for DataLoaders): ``found: false`` for an id that is not the user's own set,
    ``error`` where the single read would answer 422."""
    wanted = parse_id_list(ids)
    return await service.costs_of_many(session, principal.tenant, principal.subject, wanted,
                                       asked)  # fmt: skip


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CostSetOut)
async def create_cost_set(
    body: CostSetCreate,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSetOut:
    created = await service.create(session, principal.tenant, principal.subject, body)
    return CostSetOut.model_validate(created)


@router.get("/{set_id}", response_model=CostSetOut)
async def get_cost_set(
    set_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSetOut:
    found = await repository.get(session, principal.tenant, principal.subject, set_id)
    return CostSetOut.model_validate(found)


@router.put("/{set_id}", response_model=CostSetOut)
async def replace_cost_set(
    set_id: uuid.UUID,
    body: CostSetCreate,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSetOut:
    found = await repository.get(session, principal.tenant, principal.subject, set_id)
    return CostSetOut.model_validate(await service.update(session, found, body))


@router.delete("/{set_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_cost_set(
    set_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    found = await repository.get(session, principal.tenant, principal.subject, set_id)
    await session.delete(found)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{set_id}/costs", response_model=CostSummary)
async def cost_set_costs(
    set_id: uuid.UUID,
    asked: service.Question = QUESTION,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> CostSummary:
    """The cost summary of the rows the set's filters keep."""
    found = await repository.get(session, principal.tenant, principal.subject, set_id)
    return await service.costs_of(session, found, asked)
