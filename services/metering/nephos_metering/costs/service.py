"""Cost questions: totals by group, hot bill, month-to-date, forecast, comparisons.

Each may be narrowed by a ``CostFilter`` (a cloud account, service group or
tag); see ``readers`` for where each kind of question reads from.

Amounts are summed by PostgreSQL in NUMERIC and handed out as exact decimal
strings; sums never mix currencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import Conflict, InvalidInput
from nephos_metering.costs import filtered, grouping, readers, repository
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.forecast import (
    Forecast,
    Method,
    days,
    forecast_month,
    history_start,
    minor_unit,
    month_end,
)
from nephos_metering.costs.grouping import GroupRow
from nephos_metering.costs.readers import CostReader, reader
from nephos_metering.costs.repository import Shape
from nephos_metering.costs.schemas import (
    ComparisonPeriod,
    CostComparison,
    CostForecast,
    CostOverview,
    CostSummary,
    CostTrend,
    ForecastOut,
    GroupBy,
    GroupTotal,
    OtherTotal,
    Period,
    TrendDay,
)

MAX_RANGE_DAYS = 731
PROVISIONAL_DAYS = 3
TREND_MONTHS = 11


def exact(value: Decimal | None) -> str:
    return format(value if value is not None else Decimal(0), "f")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def add_months(first: date, months: int) -> date:
    """The 1st of the month ``months`` after (or before, when negative) ``first``'s month."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def inquiry_period(
    period: Period | None, start: date | None, end: date | None, as_of: date
) -> tuple[date, date]:
    """Days of a summary: ``from``/``to`` as given, or ``period``.

    ``period`` ``Nm`` is N calendar months ending with ``as_of``'s month: from
    the 1st of the month N-1 months earlier through ``as_of``.
    """
    if period is not None:
        if start is not None or end is not None:
            raise InvalidInput("pass either period or from/to, not both", code="invalid_period")
        return add_months(as_of.replace(day=1), 1 - int(period.removesuffix("m"))), as_of
    if start is None or end is None:
        raise InvalidInput("pass from and to, or period", code="invalid_period")
    return start, end


async def summary(
    session: AsyncSession, tenant: str, start: date, end: date, group_by: GroupBy,
    filters: CostFilter | None = None, *, tag_key: str | None = None, limit: int | None = None,
) -> CostSummary:  # fmt: skip
    """Totals per group for the days ``start`` to ``end``, both included, of the rows
    ``filters`` keeps (all of them by default); see ``grouping`` for ``limit``."""
    if end < start:
        raise InvalidInput("to is before from", code="invalid_period")
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"at most {MAX_RANGE_DAYS} days per query", code="invalid_period")
    first, after = day_start(start), day_start(end + timedelta(days=1))
    key = grouping.group_key(group_by, tag_key)
    cap = grouping.limit_for(group_by, limit)
    scope = None
    if group_by in grouping.FROM_TOTALS:
        by_tag = tag_key if group_by == "tag" else None
        scope = await readers.totals_scope(session, tenant, filters, by_tag)
    if scope is not None:
        query = _by_dimension(group_by, cap, scope.shape)
        bound: dict[str, Any] | None = scope.bound(**repository.days_bound(first, after))
    else:
        where = filters.conditions(tenant) if filters is not None else ()
        query = grouping.ordered(filtered.grouped_query(tenant, first, after, key, where), cap)
        bound = None
    rows = await grouping.grouped_rows(session, query, bound)
    items = [_group_total(r) for r in rows if r.shown]
    other = [_other_total(r) for r in rows if not r.shown]
    return CostSummary(start=start, end=end, group_by=group_by, tag_key=tag_key, limit=cap,
                       items=items, other=other)  # fmt: skip


@lru_cache(maxsize=256)
def _by_dimension(grouped: str, limit: int | None, shape: Shape) -> Select[Any]:
    """The dashboard's commonest question, costs by a dimension (or a cost allocation
    tag's values) from daily totals: its statement is built and keyed once, with the
    company, accounts, tag and days bound per call (see ``repository``)."""
    return grouping.ordered(repository.grouped_by(grouped, shape), limit)


def _group_total(row: GroupRow) -> GroupTotal:
    return GroupTotal(key=row.key, currency=row.currency, billed_cost=exact(row.billed),
                      effective_cost=exact(row.effective))  # fmt: skip


def _other_total(row: GroupRow) -> OtherTotal:
    return OtherTotal(currency=row.currency, groups=row.groups, billed_cost=exact(row.billed),
                      effective_cost=exact(row.effective))  # fmt: skip


async def _currency(session: AsyncSession, read: CostReader, asked: str | None) -> str | None:
    """The currency to report in; several in the data and none asked for is refused."""
    if asked is not None:
        return asked.upper()
    held = await read.currencies(session)
    if len(held) > 1:
        raise Conflict("costs are held in several currencies; pass currency",
                       code="mixed_currencies", currencies=held)  # fmt: skip
    return held[0] if held else None


async def _forecast(
    session: AsyncSession, read: CostReader, as_of: date, currency: str | None,
    method: Method | None,
) -> Forecast:  # fmt: skip
    daily = await _daily(session, read, history_start(as_of), as_of, currency)
    return await _forecast_from(session, read, as_of, currency, method, daily)


async def _forecast_from(
    session: AsyncSession, read: CostReader, as_of: date, currency: str | None,
    method: Method | None, daily: Mapping[date, Decimal],
) -> Forecast:  # fmt: skip
    """The forecast of ``daily`` (read from ``history_start``; days from ``as_of`` on
    are left out, as the forecast must not see them)."""
    if currency is None:
        return forecast_month({}, as_of, None, method=method)
    before = {day: total for day, total in daily.items() if day < as_of}
    first = await read.first_day(session, currency)
    return forecast_month(before, as_of, first, method=method, currency=currency)


def _forecast_out(found: Forecast) -> ForecastOut:
    return ForecastOut(forecast=exact(found.forecast), low=exact(found.low),
                       high=exact(found.high), method=found.method,
                       basis_days=found.basis_days)  # fmt: skip


async def forecast(
    session: AsyncSession, tenant: str, as_of: date, currency: str | None, method: Method | None,
    filters: CostFilter | None = None,
) -> CostForecast:  # fmt: skip
    """Month-end forecast of ``as_of``'s month; see ``nephos_metering.costs.forecast``."""
    read = await reader(session, tenant, filters)
    chosen = await _currency(session, read, currency)
    found = await _forecast(session, read, as_of, chosen, method)
    return CostForecast(**_forecast_out(found).model_dump(), as_of=as_of, currency=chosen,
                        actual_to_date=exact(found.actual_to_date))  # fmt: skip


async def hot_bill_provisional(session: AsyncSession, tenant: str, day: date) -> bool:
    """Whether the bill of ``day`` may still change.

    Providers restate a day for a while after it ends (AWS for up to about
    72 hours). The rule: ``day``'s figure is provisional unless, for every
    billing account with a delivery covering ``day``'s billing period, the
    latest successful delivery finished at least ``PROVISIONAL_DAYS`` days after
    ``day`` ended. With no such delivery at all, it is provisional too.
    """
    finished = await repository.latest_deliveries(session, tenant, day_start(day))
    settled = day_start(day + timedelta(days=1 + PROVISIONAL_DAYS))
    return not finished or min(finished) < settled


async def overview(
    session: AsyncSession, tenant: str, as_of: date, currency: str | None,
    filters: CostFilter | None = None,
) -> CostOverview:  # fmt: skip
    """Hot bill: the day before ``as_of``; month-to-date: the 1st through ``as_of``.

    The forecast is the automatic method's (seasonal given 28 days of history).
    Whether the hot bill is provisional is the company's deliveries' rule
    whatever the filter: a delivery restates every account it covers.
    """
    read = await reader(session, tenant, filters)
    chosen = await _currency(session, read, currency)
    yesterday = as_of - timedelta(days=1)
    # One read of the days the forecast needs, which hold yesterday and the month too.
    daily = await _daily(session, read, history_start(as_of), as_of + timedelta(days=1), chosen)
    month = days(as_of.replace(day=1), as_of + timedelta(days=1))
    return CostOverview(
        as_of=as_of,
        currency=chosen,
        hot_bill=exact(daily.get(yesterday)),
        hot_bill_provisional=await hot_bill_provisional(session, tenant, yesterday),
        month_to_date=exact(sum((daily.get(d, Decimal(0)) for d in month), Decimal(0))),
        forecast=_forecast_out(await _forecast_from(session, read, as_of, chosen, None, daily)),
        data_through=await read.data_through(session),
    )


async def _daily(
    session: AsyncSession, read: CostReader, start: date, end: date, currency: str | None
) -> dict[date, Decimal]:
    if currency is None:
        return {}
    return await read.daily_billed(session, day_start(start), day_start(end), currency)


async def comparison(
    session: AsyncSession, tenant: str, as_of: date, months: int, currency: str | None,
    filters: CostFilter | None = None,
) -> CostComparison:  # fmt: skip
    """This month's 1st through ``as_of`` and the same day-range of ``months`` earlier months.

    A shorter month is cut at its last day (as of 31 March, February runs 1st-28th/29th).
    """
    read = await reader(session, tenant, filters)
    chosen = await _currency(session, read, currency)
    this_month = as_of.replace(day=1)
    daily = await _daily(session, read, add_months(this_month, -months),
                         as_of + timedelta(days=1), chosen)  # fmt: skip
    periods = []
    for back in range(months + 1):
        first = add_months(this_month, -back)
        last = first.replace(day=min(as_of.day, month_end(first).day))
        total = sum((daily.get(d, Decimal(0)) for d in days(first, last + timedelta(days=1))),
                    Decimal(0))  # fmt: skip
        periods.append(ComparisonPeriod(month=first.strftime("%Y-%m"), start=first, end=last,
                                        billed_cost=exact(total)))  # fmt: skip
    return CostComparison(as_of=as_of, currency=chosen, periods=periods)


async def trend(
    session: AsyncSession, tenant: str, as_of: date, currency: str | None,
    filters: CostFilter | None = None,
) -> CostTrend:  # fmt: skip
    """Daily billed cost per day of ``as_of``'s month beside earlier months.

    ``this_month`` runs through ``as_of`` (later days are null); ``last_month``
    and ``month_before`` are null on days their month lacks. The average, min
    and max are over the 11 months before this one, leaving out months that
    hold no cost at all (before the data starts) and, per day, months lacking
    that day; the average is rounded half-even to the currency's minor unit.
    """
    read = await reader(session, tenant, filters)
    chosen = await _currency(session, read, currency)
    this_month = as_of.replace(day=1)
    daily = await _daily(session, read, add_months(this_month, -TREND_MONTHS),
                         as_of + timedelta(days=1), chosen)  # fmt: skip
    earlier = [add_months(this_month, -back) for back in range(1, TREND_MONTHS + 1)]
    held = [m for m in earlier if any(d in daily for d in days(m, month_end(m) + timedelta(1)))]
    unit = minor_unit(chosen)

    def on(month: date, day: int) -> Decimal | None:
        if day > month_end(month).day:
            return None
        return daily.get(month.replace(day=day), Decimal(0))

    rows = []
    for day in range(1, month_end(as_of).day + 1):
        values = [v for v in (on(m, day) for m in held) if v is not None]
        last, before = on(earlier[0], day), on(earlier[1], day)
        mean = (sum(values, Decimal(0)) / len(values)).quantize(unit) if values else None
        rows.append(TrendDay(
            day=day,
            this_month=exact(on(this_month, day)) if day <= as_of.day else None,
            last_month=None if last is None else exact(last),
            month_before=None if before is None else exact(before),
            average_11_months=None if mean is None else exact(mean),
            min_11_months=exact(min(values)) if values else None,
            max_11_months=exact(max(values)) if values else None,
        ))  # fmt: skip
    return CostTrend(as_of=as_of, currency=chosen, months_in_average=len(held), days=rows)
