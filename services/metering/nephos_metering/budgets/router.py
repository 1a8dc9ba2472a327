"""HTTP routes of budgets: viewers read them and their status, operators change them."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_common.messaging.outbox import record
from nephos_common.pagination import parse_id_list
from nephos_metering.budgets import repository, service
from nephos_metering.budgets.schemas import (
    BudgetCreate,
    BudgetList,
    BudgetOut,
    BudgetStatus,
    BudgetStatusBatch,
    Evaluation,
)

router = APIRouter(prefix="/budgets", tags=["budgets"])

AS_OF = Query(
    default=None,
    description="Judge the period containing this day, as if the days from it on were "
    "to come; by default the current period as of the latest costs held",
)


@router.get("", response_model=BudgetList)
async def list_budgets(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> BudgetList:
    found = await repository.list_for(session, principal.tenant)
    return BudgetList(items=[service.out(b) for b in found])


# Declared before "/{budget_id}", which would otherwise take "statuses" for an id.
@router.get("/statuses", response_model=BudgetStatusBatch)
async def budget_statuses(
    ids: str = Query(description="Comma-separated budget ids"),
    as_of: date | None = AS_OF,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> BudgetStatusBatch:
    """The status of each budget, one item per id in the order asked (batch read for
    DataLoaders); an id the company has no budget under answers ``found: false``."""
    asked = parse_id_list(ids)
    return await service.statuses(session, principal.tenant, asked, as_of)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BudgetOut)
async def create_budget(
    body: BudgetCreate,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> BudgetOut:
    """Bad input answers 422 with ``invalid_amount``, ``invalid_threshold``,
    ``invalid_period`` or ``unknown_scope``."""
    return service.out(await service.create(session, principal.tenant, principal.subject, body))


@router.get("/{budget_id}", response_model=BudgetOut)
async def get_budget(
    budget_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> BudgetOut:
    return service.out(await repository.get(session, principal.tenant, budget_id))


@router.put("/{budget_id}", response_model=BudgetOut)
async def replace_budget(
    budget_id: uuid.UUID,
    body: BudgetCreate,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> BudgetOut:
    budget = await repository.get(session, principal.tenant, budget_id)
    return service.out(await service.update(session, budget, body))


@router.delete("/{budget_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_budget(
    budget_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    await session.delete(await repository.get(session, principal.tenant, budget_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{budget_id}/status", response_model=BudgetStatus)
async def budget_status(
    budget_id: uuid.UUID,
    as_of: date | None = AS_OF,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> BudgetStatus:
    """Spent, forecast, percents and which thresholds are crossed; sends nothing."""
    budget = await repository.get(session, principal.tenant, budget_id)
    return await service.status(session, budget, as_of)


@router.post("/{budget_id}/evaluate", response_model=Evaluation)
async def evaluate_budget(
    budget_id: uuid.UUID,
    request: Request,
    as_of: date | None = AS_OF,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Evaluation:
    """The status, sending ``metering.budget.exceeded`` for thresholds crossed for the
    first time in the period (``notified``)."""
    budget = await repository.get(session, principal.tenant, budget_id)
    evaluation, events = await service.evaluate(session, budget, as_of)
    await record(session, request.app.state.tables, events)
    return evaluation
