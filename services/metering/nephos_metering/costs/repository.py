"""Every query on cost rows, always scoped by tenant.

Days are UTC calendar days of the charge period start, as in the provider's bill.
Totals are read from ``cost_daily_totals`` rather than summed over line items,
so a dashboard question reads a few thousand rows whatever the bill's size; a
question narrowed to cloud accounts reads ``cost_account_daily_totals``, the
same sums per account (migration 0011).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Numeric,
    Select,
    TableClause,
    Uuid,
    any_,
    bindparam,
    column,
    func,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_metering.costs.models import Cost
from nephos_metering.ingest.models import Delivery, DeliveryStatus

TOTALS = table(
    "cost_daily_totals",
    column("tenant"), column("dimension"), column("day", Date), column("billing_currency"),
    column("key"), column("billed_cost", Numeric), column("effective_cost", Numeric),
)  # fmt: skip
"""Daily sums per dimension, kept exact by triggers on ``costs`` (migration 0006)."""
ACCOUNT_TOTALS = table(
    "cost_account_daily_totals",
    column("tenant"), column("account_id", Uuid), column("dimension"), column("day", Date),
    column("billing_currency"), column("key"), column("billed_cost", Numeric),
    column("effective_cost", Numeric),
)  # fmt: skip
"""The same sums per cloud account as well (migration 0011)."""

Accounts = Sequence[uuid.UUID]
"""The cloud accounts a question is narrowed to; none: the whole company."""

# Every cost row counts once in each dimension; totals over all rows read this one.
WHOLE = "charge_category"


def _day(moment: datetime) -> date:
    """Callers pass UTC midnights (whole days), which is what the daily totals hold."""
    utc = moment.astimezone(UTC)
    if utc.time() != time():
        raise ValueError(f"{moment} is not a UTC midnight")
    return utc.date()


def _totals(tenant: Any, accounts: Accounts | BindParameter[Any]) -> tuple[TableClause, list[Any]]:
    """The totals to read and the conditions scoping them to the company (and accounts,
    given or bound)."""
    c = ACCOUNT_TOTALS.c
    if isinstance(accounts, BindParameter):
        narrowed = c.account_id == any_(accounts)
    elif accounts:
        narrowed = any_of(c.account_id, accounts)
    else:
        return TOTALS, [TOTALS.c.tenant == tenant]
    return ACCOUNT_TOTALS, [c.tenant == tenant, narrowed]


def _within(
    tenant: str, dimension: str, start: datetime, end: datetime, accounts: Accounts
) -> tuple[TableClause, list[Any]]:
    totals, scope = _totals(tenant, accounts)
    c = totals.c
    return totals, [*scope, c.dimension == dimension, c.day >= _day(start), c.day < _day(end)]


def grouped_by(dimension: str, narrowed: bool) -> Select[Any]:
    """Per key of ``dimension`` and currency, the sums as ``grouping`` reads them, over
    the bound ``tenant`` (and, ``narrowed``, its ``accounts``) and days ``first``
    (included) to ``after``: see ``days_bound``."""
    accounts: Accounts | BindParameter[Any] = ()
    if narrowed:
        accounts = bindparam("accounts", type_=ARRAY(Uuid()))
    totals, scope = _totals(bindparam("tenant"), accounts)
    c = totals.c
    return (
        select(c.key.label("key"), c.billing_currency.label("currency"),
               func.sum(c.billed_cost).label("billed"),
               func.sum(c.effective_cost).label("effective"))
        .where(*scope, c.dimension == dimension,
               c.day >= bindparam("first"), c.day < bindparam("after"))
        .group_by(c.key, c.billing_currency)
    )  # fmt: skip


def days_bound(tenant: str, start: datetime, end: datetime, accounts: Accounts) -> dict[str, Any]:
    """The values ``grouped_by`` binds, for [start, end)."""
    return {"tenant": tenant, "accounts": list(accounts), "first": _day(start),
            "after": _day(end)}  # fmt: skip


async def billed_by_currency(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, accounts: Accounts = ()
) -> dict[str, Decimal]:
    totals, where = _within(tenant, WHOLE, start, end, accounts)
    c = totals.c
    query = select(c.billing_currency, func.sum(c.billed_cost)).where(*where)
    query = query.group_by(c.billing_currency)
    return {currency: total for currency, total in (await session.execute(query)).all()}


async def currencies(session: AsyncSession, tenant: str, accounts: Accounts = ()) -> list[str]:
    totals, scope = _totals(tenant, accounts)
    query = select(totals.c.billing_currency).where(*scope).distinct()
    return sorted(await session.scalars(query))


async def data_through(session: AsyncSession, tenant: str) -> datetime | None:
    """Freshness: the latest charge period end held for the company."""
    latest: datetime | None = await session.scalar(
        select(func.max(Cost.charge_period_end)).where(Cost.tenant == tenant)
    )
    return latest


async def daily_billed(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, currency: str,
    accounts: Accounts = (),
) -> dict[date, Decimal]:  # fmt: skip
    """Billed cost per UTC day over [start, end) in one currency; days without cost absent."""
    totals, where = _within(tenant, WHOLE, start, end, accounts)
    c = totals.c
    query = select(c.day, func.sum(c.billed_cost)).where(*where, c.billing_currency == currency)
    return {d: total for d, total in (await session.execute(query.group_by(c.day))).all()}


async def first_day(
    session: AsyncSession, tenant: str, currency: str, accounts: Accounts = ()
) -> date | None:
    """The first UTC day holding any cost in ``currency``: history starts there."""
    totals, scope = _totals(tenant, accounts)
    c = totals.c
    query = select(func.min(c.day)).where(*scope, c.billing_currency == currency)
    first: date | None = await session.scalar(query.where(c.dimension == WHOLE))
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
