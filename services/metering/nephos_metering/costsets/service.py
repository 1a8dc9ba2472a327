"""Cost sets: saved filters a user keeps, and the cost summary seen through one.

The summary is the costs domain's own (``costs.service.summary``) with the
set's filters turned into a ``CostFilter``, so a cost set answers exactly what
the dashboard would for the same rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import Conflict, InvalidInput
from nephos_metering.costs import service as costs
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.schemas import CostSummary, DimensionGroupBy
from nephos_metering.costsets import repository
from nephos_metering.costsets.models import CostSet
from nephos_metering.costsets.schemas import (
    CostSetCostsBatch,
    CostSetCostsItem,
    CostSetCreate,
    CostSetFilters,
    ItemError,
)
from nephos_metering.ingest.cur import ALLOWED_CHARGE_CATEGORIES


def _check(body: CostSetCreate) -> None:
    unknown = set(body.filters.charge_categories) - ALLOWED_CHARGE_CATEGORIES
    if unknown:
        raise InvalidInput("charge categories must be FOCUS ChargeCategory values",
                           code="invalid_filter", values=sorted(unknown),
                           allowed=sorted(ALLOWED_CHARGE_CATEGORIES))  # fmt: skip
    if any(not key for key in body.filters.tags):
        raise InvalidInput("a tag filter needs a key", code="invalid_filter")


def _apply(cost_set: CostSet, body: CostSetCreate) -> None:
    cost_set.name, cost_set.group_by, cost_set.period = body.name, body.group_by, body.period
    cost_set.filters = body.filters.model_dump(mode="json")


async def _flush_unique(session: AsyncSession, name: str) -> None:
    """The unique index decides, so two saves of one name at once cannot both pass."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"you already have a cost set named {name!r}",
                       code="cost_set_exists", name=name) from None  # fmt: skip


async def create(session: AsyncSession, tenant: str, owner: str, body: CostSetCreate) -> CostSet:
    _check(body)
    cost_set = CostSet(tenant=tenant, owner=owner)
    _apply(cost_set, body)
    session.add(cost_set)
    await _flush_unique(session, body.name)
    await session.refresh(cost_set)
    return cost_set


async def update(session: AsyncSession, cost_set: CostSet, body: CostSetCreate) -> CostSet:
    _check(body)
    _apply(cost_set, body)
    await _flush_unique(session, body.name)
    await session.refresh(cost_set)
    return cost_set


def cost_filter(filters: CostSetFilters) -> CostFilter:
    return CostFilter(
        account_ids=tuple(filters.account_ids),
        services=tuple(filters.services),
        regions=tuple(filters.regions),
        charge_categories=tuple(filters.charge_categories),
        tags=tuple(sorted(filters.tags.items())),
    )


@dataclass(frozen=True)
class Question:
    """What a cost set is asked: ``start``..``end``, or its saved period ending ``as_of``;
    its own grouping unless ``group_by``."""

    start: date | None
    end: date | None
    as_of: date
    group_by: DimensionGroupBy | None


async def costs_of(session: AsyncSession, cost_set: CostSet, asked: Question) -> CostSummary:
    """The summary of the rows the set's filters keep, over the period ``asked``."""
    saved = CostSetCreate.model_validate(cost_set, from_attributes=True)
    start, end = asked.start, asked.end
    period = saved.period if start is None and end is None else None
    if period is None and (start is None or end is None):
        raise InvalidInput("pass start and end; this cost set saves no period",
                           code="invalid_period")  # fmt: skip
    first, last = costs.inquiry_period(period, start, end, asked.as_of)
    return await costs.summary(session, cost_set.tenant, first, last,
                               asked.group_by or saved.group_by,
                               cost_filter(saved.filters))  # fmt: skip


async def costs_of_many(
    session: AsyncSession, tenant: str, owner: str, ids: list[uuid.UUID], asked: Question
) -> CostSetCostsBatch:
    """``costs_of`` for each id, in the order asked; a set that cannot answer (no saved
    period and no dates) says why in its item instead of failing the others."""
    found = await repository.by_ids(session, tenant, owner, ids)
    items = []
    for set_id in ids:
        cost_set = found.get(set_id)
        item = CostSetCostsItem(cost_set_id=set_id, found=cost_set is not None)
        if cost_set is not None:
            try:
                item.costs = await costs_of(session, cost_set, asked)
            except InvalidInput as exc:
                item.error = ItemError(code=exc.code, message=exc.message)
        items.append(item)
    return CostSetCostsBatch(items=items)
