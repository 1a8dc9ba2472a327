"""Every query on cost rows, always scoped by tenant.

Days are UTC calendar days of the charge period start, as in the provider's bill.
Totals are read from ``cost_daily_totals`` rather than summed over line items,
so a dashboard question reads a few thousand rows whatever the bill's size.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, Select, bindparam, column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.costs.models import Cost
from nephos_metering.ingest.models import Delivery, DeliveryStatus

TOTALS = table(
    "cost_daily_totals",
    column("tenant"), column("dimension"), column("day", Date), column("billing_currency"),
    column("key"), column("billed_cost", Numeric), column("effective_cost", Numeric),
)  # fmt: skip
"""Daily sums per dimension, kept exact by triggers on ``costs`` (migration 0006)."""

# Every cost row counts once in each dimension; totals over all rows read this one.
WHOLE = "charge_category"


def _day(moment: datetime) -> date:
    """Callers pass UTC midnights (whole days), which is what the daily totals hold."""
    utc = moment.astimezone(UTC)
    if utc.time() != time():
        raise ValueError(f"{moment} is not a UTC midnight")
    return utc.date()


def _within(tenant: str, dimension: str, start: datetime, end: datetime) -> tuple[Any, ...]:
    c = TOTALS.c
    return (c.tenant == tenant, c.dimension == dimension, c.day >= _day(start),
            c.day < _day(end))  # fmt: skip


def grouped_by(dimension: str) -> Select[Any]:
    """Per key of ``dimension`` and currency, the sums as ``grouping`` reads them, over
    the bound ``tenant`` and days ``first`` (included) to ``after`` (``days_bound``)."""
    c = TOTALS.c
    return (
        select(c.key.label("key"), c.billing_currency.label("currency"),
               func.sum(c.billed_cost).label("billed"),
               func.sum(c.effective_cost).label("effective"))
        .where(c.tenant == bindparam("tenant"), c.dimension == dimension,
               c.day >= bindparam("first"), c.day < bindparam("after"))
        .group_by(c.key, c.billing_currency)
    )  # fmt: skip


def days_bound(tenant: str, start: datetime, end: datetime) -> dict[str, Any]:
    """The values ``grouped_by`` binds, for [start, end)."""
    return {"tenant": tenant, "first": _day(start), "after": _day(end)}


async def billed_by_currency(
    session: AsyncSession, tenant: str, start: datetime, end: datetime
) -> dict[str, Decimal]:
    c = TOTALS.c
    query = (
        select(c.billing_currency, func.sum(c.billed_cost))
        .where(*_within(tenant, WHOLE, start, end))
        .group_by(c.billing_currency)
    )
    return {currency: total for currency, total in (await session.execute(query)).all()}


async def currencies(session: AsyncSession, tenant: str) -> list[str]:
    query = select(TOTALS.c.billing_currency).where(TOTALS.c.tenant == tenant).distinct()
    return sorted(await session.scalars(query))


async def data_through(session: AsyncSession, tenant: str) -> datetime | None:
    """Freshness: the latest charge period end held for the company."""
    latest: datetime | None = await session.scalar(
        select(func.max(Cost.charge_period_end)).where(Cost.tenant == tenant)
    )
    return latest


async def daily_billed(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, currency: str
) -> dict[date, Decimal]:
    """Billed cost per UTC day over [start, end) in one currency; days without cost absent."""
    c = TOTALS.c
    query = (
        select(c.day, func.sum(c.billed_cost))
        .where(*_within(tenant, WHOLE, start, end), c.billing_currency == currency)
        .group_by(c.day)
    )
    return {d: total for d, total in (await session.execute(query)).all()}


async def first_day(session: AsyncSession, tenant: str, currency: str) -> date | None:
    """The first UTC day holding any cost in ``currency``: history starts there."""
    c = TOTALS.c
    first: date | None = await session.scalar(
        select(func.min(c.day)).where(
            c.tenant == tenant, c.billing_currency == currency, c.dimension == WHOLE
        )
    )
    return first


async def latest_deliveries(session: AsyncSession, tenant: str, day: datetime) -> list[datetime]:
    """Per billing account, when its latest successful delivery covering ``day`` finished."""
    query = (
        select(func.max(Delivery.finished_at))
        .where(
            Delivery.tenant == tenant,
            Delivery.status == DeliveryStatus.SUCCEEDED,
            Delivery.billing_period_start <= day,
            Delivery.billing_period_end > day,
            Delivery.finished_at.is_not(None),
        )
        .group_by(Delivery.billing_account_id)
    )
    return [finished for finished in (await session.scalars(query)).all() if finished is not None]
