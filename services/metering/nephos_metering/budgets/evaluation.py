"""How much of a budget's period is spent and what the period will end at.

``as_of`` splits the period: days before it are actual spend, days from it on
are predicted. Left open, it is the day after the latest cost the scope holds
in the period, so an evaluation speaks of the freshest data (after an ingest
of last month's bill, that month is judged complete).

The forecast of a monthly budget is the dashboard's month-end forecast
(``costs.forecast``: weekday-seasonal with 28 days of history, else run rate)
over the scope's own daily costs. A custom period may span months, so it is
forecast by run rate: the mean daily cost of the up to 28 days before
``as_of`` (from the scope's first day of cost, if later) times the days left.
Only costs in the budget's currency count. The scope's daily costs are read as
the dashboard reads them (``costs.readers``): from daily totals for the
company, an account or a cost allocation tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.budgets import scopes
from nephos_metering.budgets.models import Budget
from nephos_metering.costs.forecast import days, forecast_month, minor_unit, month_end
from nephos_metering.costs.readers import reader
from nephos_metering.costs.service import add_months, day_start

RUN_RATE_DAYS = 28
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    """Included."""


@dataclass(frozen=True)
class Measure:
    period: Period
    as_of: date
    spent: Decimal
    forecast: Decimal


def period_on(budget: Budget, day: date) -> Period:
    """The budget's period containing ``day`` (a custom budget has only one)."""
    if budget.period == "monthly":
        return Period(day.replace(day=1), month_end(day))
    assert budget.start_date is not None and budget.end_date is not None
    return Period(budget.start_date, budget.end_date)


def periods_overlapping(budget: Budget, start: date, end: date) -> list[Period]:
    """The budget's periods sharing a day with [``start``, ``end``)."""
    if budget.period != "monthly":
        own = period_on(budget, start)
        return [own] if own.first < end and own.last >= start else []
    found, month = [], start.replace(day=1)
    while month < end:
        found.append(period_on(budget, month))
        month = add_months(month, 1)
    return found


async def measure(
    session: AsyncSession, budget: Budget, period: Period, as_of: date | None
) -> Measure:
    """Spend and forecast of ``period``; see the module's docstring for ``as_of``."""
    read = await reader(session, budget.tenant, scopes.cost_filter(budget.scope))
    after = period.last + ONE_DAY
    daily = await read.daily_billed(
        session, day_start(period.first - timedelta(days=RUN_RATE_DAYS)), day_start(after),
        budget.currency,
    )  # fmt: skip
    if as_of is None:
        held = [d for d in daily if d >= period.first]
        as_of = max(held) + ONE_DAY if held else period.first
    as_of = min(max(as_of, period.first), after)
    spent = sum((daily.get(d, Decimal(0)) for d in days(period.first, as_of)), Decimal(0))
    if as_of >= after:
        return Measure(period, as_of, spent, spent)
    first = await read.first_day(session, budget.currency)
    if budget.period == "monthly":
        found = forecast_month(daily, as_of, first, currency=budget.currency)
        return Measure(period, as_of, spent, found.forecast)
    rest = _run_rate(daily, as_of, first) * (after - as_of).days
    unit = minor_unit(budget.currency)
    return Measure(period, as_of, spent, (spent + rest).quantize(unit, ROUND_HALF_EVEN))


def _run_rate(daily: Mapping[date, Decimal], as_of: date, first: date | None) -> Decimal:
    if first is None or first >= as_of:
        return Decimal(0)
    basis = list(days(max(as_of - timedelta(days=RUN_RATE_DAYS), first), as_of))
    return sum((daily.get(d, Decimal(0)) for d in basis), Decimal(0)) / len(basis)


def reached(measure: Measure, basis: str, percent: int, amount: Decimal) -> bool:
    value = measure.spent if basis == "actual" else measure.forecast
    return value * 100 >= amount * percent


def percent_of(value: Decimal, amount: Decimal) -> Decimal:
    return (value * 100 / amount).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
