"""Cost questions narrowed by a filter (a cost set, a budget's scope).

They read the ``costs`` line items themselves: a filter may combine accounts,
services, regions, charge categories and tags at once, which per-dimension
daily totals cannot answer. Always scoped by tenant; days are UTC days of the
charge period start, as in the rest of ``costs``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_metering.costs.models import Cost

Where = Sequence[ColumnElement[bool]]
"""Conditions on cost rows; all must hold."""

GROUP_COLUMNS: dict[str, Any] = {
    "service": Cost.service_name,
    "account": Cost.sub_account_id,
    "region": Cost.region_id,
    "charge_category": Cost.charge_category,
}


@dataclass(frozen=True)
class CostFilter:
    """Which cost rows a question is about: an empty field does not narrow, values
    within a field are alternatives, and every field (and every tag) must hold."""

    account_ids: tuple[uuid.UUID, ...] = ()
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    charge_categories: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        narrowing: list[tuple[ColumnElement[Any], tuple[Any, ...]]] = [
            (Cost.account_id.expression, self.account_ids),
            (Cost.service_name.expression, self.services),
            (Cost.region_id.expression, self.regions),
            (Cost.charge_category.expression, self.charge_categories),
        ]
        found = [any_of(column, values) for column, values in narrowing if values]
        # JSONB containment (@>) per tag: the row's tags hold this key with this value.
        return found + [Cost.tags.contains({key: value}) for key, value in self.tags]


def charge_day() -> Any:
    """The UTC calendar day of a cost row, as a SQL expression."""
    return func.date(func.timezone("UTC", Cost.charge_period_start))


def within(tenant: str, start: datetime, end: datetime, where: Where = ()) -> tuple[Any, ...]:
    return (Cost.tenant == tenant, Cost.charge_period_start >= start,
            Cost.charge_period_start < end, *where)  # fmt: skip


async def grouped_totals(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, group_by: str,
    where: Where,
) -> list[tuple[str | None, str, Decimal, Decimal]]:  # fmt: skip
    """(key, currency, billed, effective) per group over [start, end), largest first."""
    key = GROUP_COLUMNS[group_by]
    billed = func.sum(Cost.billed_cost)
    query = (
        select(key, Cost.billing_currency, billed, func.sum(Cost.effective_cost))
        .where(*within(tenant, start, end, where))
        .group_by(key, Cost.billing_currency)
        .order_by(billed.desc(), key)
    )
    return [(k, c, b, e) for k, c, b, e in (await session.execute(query)).all()]


async def daily_billed(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, currency: str,
    where: Where,
) -> dict[date, Decimal]:  # fmt: skip
    """Billed cost per UTC day over [start, end) in one currency; days without cost absent."""
    day = charge_day()
    query = (
        select(day, func.sum(Cost.billed_cost))
        .where(*within(tenant, start, end, where), Cost.billing_currency == currency)
        .group_by(day)
    )
    return {d: total for d, total in (await session.execute(query)).all()}


async def first_day(session: AsyncSession, tenant: str, currency: str, where: Where) -> date | None:
    """The first UTC day with cost in ``currency`` among the rows kept: history starts there."""
    first: datetime | None = await session.scalar(
        select(func.min(Cost.charge_period_start)).where(
            Cost.tenant == tenant, Cost.billing_currency == currency, *where
        )
    )
    return None if first is None else first.astimezone(UTC).date()
