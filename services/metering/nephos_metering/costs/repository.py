"""Every query on cost rows, always scoped by tenant.

Days are UTC calendar days of the charge period start, as in the provider's bill.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.costs.models import Cost
from nephos_metering.ingest.models import Delivery, DeliveryStatus

GROUP_COLUMNS: dict[str, Any] = {
    "service": Cost.service_name,
    "account": Cost.sub_account_id,
    "region": Cost.region_id,
    "charge_category": Cost.charge_category,
}


def _within(tenant: str, start: datetime, end: datetime) -> tuple[Any, ...]:
    return (Cost.tenant == tenant, Cost.charge_period_start >= start,
            Cost.charge_period_start < end)  # fmt: skip


async def grouped_totals(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, group_by: str
) -> list[tuple[str | None, str, Decimal, Decimal]]:
    """(key, currency, billed, effective) per group over [start, end), largest first."""
    key = GROUP_COLUMNS[group_by]
    billed = func.sum(Cost.billed_cost)
    query = (
        select(key, Cost.billing_currency, billed, func.sum(Cost.effective_cost))
        .where(*_within(tenant, start, end))
        .group_by(key, Cost.billing_currency)
        .order_by(billed.desc(), key)
    )
    return [(k, c, b, e) for k, c, b, e in (await session.execute(query)).all()]


async def billed_by_currency(
    session: AsyncSession, tenant: str, start: datetime, end: datetime
) -> dict[str, Decimal]:
    query = (
        select(Cost.billing_currency, func.sum(Cost.billed_cost))
        .where(*_within(tenant, start, end))
        .group_by(Cost.billing_currency)
    )
    return {currency: total for currency, total in (await session.execute(query)).all()}


async def currencies(session: AsyncSession, tenant: str) -> list[str]:
    query = select(Cost.billing_currency).where(Cost.tenant == tenant).distinct()
    return sorted(await session.scalars(query))


async def data_through(session: AsyncSession, tenant: str) -> datetime | None:
    """Freshness: the latest charge period end held for the company."""
    latest: datetime | None = await session.scalar(
        select(func.max(Cost.charge_period_end)).where(Cost.tenant == tenant)
    )
    return latest


def _charge_day() -> Any:
    return func.date(func.timezone("UTC", Cost.charge_period_start))


async def daily_billed(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, currency: str
) -> dict[date, Decimal]:
    """Billed cost per UTC day over [start, end) in one currency; days without cost absent."""
    day = _charge_day()
    query = (
        select(day, func.sum(Cost.billed_cost))
        .where(*_within(tenant, start, end), Cost.billing_currency == currency)
        .group_by(day)
    )
    return {d: total for d, total in (await session.execute(query)).all()}


async def first_day(session: AsyncSession, tenant: str, currency: str) -> date | None:
    """The first UTC day holding any cost in ``currency``: history starts there."""
    first: datetime | None = await session.scalar(
        select(func.min(Cost.charge_period_start)).where(
            Cost.tenant == tenant, Cost.billing_currency == currency
        )
    )
    return None if first is None else first.astimezone(UTC).date()


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
