"""Cost questions: totals by dimension, hot bill and month-to-date.

Amounts are summed by PostgreSQL in NUMERIC and handed out as exact decimal
strings; sums never mix currencies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import Conflict, InvalidInput
from nephos_metering.costs import repository
from nephos_metering.costs.schemas import CostOverview, CostSummary, GroupBy, GroupTotal

MAX_RANGE_DAYS = 731


def exact(value: Decimal | None) -> str:
    return format(value if value is not None else Decimal(0), "f")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


async def summary(
    session: AsyncSession, tenant: str, start: date, end: date, group_by: GroupBy
) -> CostSummary:
    """Totals per group for the days ``start`` to ``end``, both included."""
    if end < start:
        raise InvalidInput("to is before from", code="invalid_period")
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"at most {MAX_RANGE_DAYS} days per query", code="invalid_period")
    rows = await repository.grouped_totals(
        session, tenant, day_start(start), day_start(end + timedelta(days=1)), group_by
    )
    items = [
        GroupTotal(key=key, currency=currency, billed_cost=exact(b), effective_cost=exact(e))
        for key, currency, b, e in rows
    ]
    return CostSummary(start=start, end=end, group_by=group_by, items=items)


async def _currency(session: AsyncSession, tenant: str, asked: str | None) -> str | None:
    """The currency to report in; several in the data and none asked for is refused."""
    if asked is not None:
        return asked.upper()
    held = await repository.currencies(session, tenant)
    if len(held) > 1:
        raise Conflict("costs are held in several currencies; pass currency",
                       code="mixed_currencies", currencies=held)  # fmt: skip
    return held[0] if held else None


async def overview(
    session: AsyncSession, tenant: str, as_of: date, currency: str | None
) -> CostOverview:
    """Hot bill: the day before ``as_of``; month-to-date: the 1st through ``as_of``."""
    chosen = await _currency(session, tenant, currency)
    yesterday = as_of - timedelta(days=1)
    after = day_start(as_of + timedelta(days=1))
    hot = await repository.billed_by_currency(
        session, tenant, day_start(yesterday), day_start(as_of)
    )
    mtd = await repository.billed_by_currency(
        session, tenant, day_start(as_of.replace(day=1)), after
    )
    return CostOverview(
        as_of=as_of,
        currency=chosen,
        hot_bill=exact(hot.get(chosen or "")),
        month_to_date=exact(mtd.get(chosen or "")),
        data_through=await repository.data_through(session, tenant),
    )
