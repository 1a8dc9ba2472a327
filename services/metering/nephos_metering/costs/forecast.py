"""Month-end forecast of billed cost, with a confidence range and the method stated.

The forecast is built from complete days only: the 1st through the day before
``as_of`` are actuals; ``as_of`` through the month's last day are predicted.

Two methods:

``weekday_seasonal`` (needs 28 days of history before ``as_of``)
    Each weekday's mean daily cost over the last 28 days (four of each
    weekday), scaled by the recent level: the last 7 days' total divided by
    the sum of the seven weekday means. A predicted day is its weekday's mean
    times that level.
``run_rate``
    The mean daily cost of this month's complete days (of the last 7 days when
    ``as_of`` is the 1st), times the days left.

Amounts are exact decimals throughout; floats are used only for the spread
(standard deviations) behind the range. The range is 1.96 standard deviations of the
predicted remainder either side (about 95 %), from independent daily errors
plus the uncertainty of the level (for the seasonal method, the larger of a
7-day mean's noise and the spread of the basis's four weekly levels, which
also covers a trend); it never goes below the actual to date.
Every amount is rounded half-even to the currency's minor unit on output.
"""

from __future__ import annotations

import calendar
import math
import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from nephos_common.errors import InvalidInput

Method = Literal["weekday_seasonal", "run_rate"]
SEASONAL_BASIS_DAYS = 28
LEVEL_DAYS = 7
Z95 = 1.96
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "HUF", "TWD"})


@dataclass(frozen=True)
class Forecast:
    forecast: Decimal
    low: Decimal
    high: Decimal
    method: Method
    basis_days: int
    actual_to_date: Decimal


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days(start: date, end: date) -> Iterator[date]:
    """Each day from ``start`` included to ``end`` excluded."""
    for offset in range((end - start).days):
        yield start + timedelta(days=offset)


def minor_unit(currency: str | None) -> Decimal:
    return Decimal(1) if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def history_start(as_of: date) -> date:
    """The first day any method may read for a forecast made on ``as_of``."""
    return min(as_of.replace(day=1), as_of - timedelta(days=SEASONAL_BASIS_DAYS))


def forecast_month(
    daily: Mapping[date, Decimal],
    as_of: date,
    first_day: date | None,
    *,
    method: Method | None = None,
    currency: str | None = None,
) -> Forecast:
    """Forecast the total of ``as_of``'s month from ``daily`` billed totals.

    ``first_day`` is the first day with any cost held (``None``: no data); days
    before it are unknown rather than free. ``method`` ``None`` picks
    ``weekday_seasonal`` when there is enough history, else ``run_rate``.
    """
    start, last = as_of.replace(day=1), month_end(as_of)
    actual = sum((daily.get(d, Decimal(0)) for d in days(start, as_of)), Decimal(0))
    remaining = list(days(as_of, last + timedelta(days=1)))
    history = 0 if first_day is None else max(0, (as_of - first_day).days)
    chosen: Method = method or (
        "weekday_seasonal" if history >= SEASONAL_BASIS_DAYS else "run_rate"
    )
    if chosen == "weekday_seasonal":
        if history < SEASONAL_BASIS_DAYS:
            raise InvalidInput(f"the seasonal method needs {SEASONAL_BASIS_DAYS} days of "
                               "history before as_of", code="insufficient_history",
                               history_days=history)  # fmt: skip
        predicted, spread, basis = _seasonal(daily, as_of, remaining)
    else:
        predicted, spread, basis = _run_rate(daily, as_of, first_day, len(remaining))
    unit = minor_unit(currency)
    margin = Decimal(repr(Z95 * spread))
    central = actual + predicted
    return Forecast(
        forecast=central.quantize(unit, ROUND_HALF_EVEN),
        low=max(actual, central - margin).quantize(unit, ROUND_HALF_EVEN),
        high=(central + margin).quantize(unit, ROUND_HALF_EVEN),
        method=chosen,
        basis_days=basis,
        actual_to_date=actual,
    )


def _seasonal(
    daily: Mapping[date, Decimal], as_of: date, remaining: list[date]
) -> tuple[Decimal, float, int]:
    basis = list(days(as_of - timedelta(days=SEASONAL_BASIS_DAYS), as_of))
    per_weekday: dict[int, list[Decimal]] = {w: [] for w in range(7)}
    for day in basis:
        per_weekday[day.weekday()].append(daily.get(day, Decimal(0)))
    means = {w: sum(v, Decimal(0)) / len(v) for w, v in per_weekday.items()}
    recent = sum((daily.get(d, Decimal(0)) for d in basis[-LEVEL_DAYS:]), Decimal(0))
    expected = sum(means.values(), Decimal(0))
    level = recent / expected if expected > 0 else Decimal(1)
    predictions = [means[d.weekday()] * level for d in remaining]
    residuals = [
        float(value / means[w] - 1)
        for w, values in per_weekday.items()
        for value in values
        if means[w] > 0
    ]
    per_group = SEASONAL_BASIS_DAYS // 7
    # Residuals around a mean of four understate the spread by sqrt(3/4).
    correction = math.sqrt(per_group / (per_group - 1))
    sigma = statistics.pstdev(residuals) * correction if residuals else 0.0
    total = float(sum(predictions, Decimal(0)))
    variance = sigma**2 * sum(float(p) ** 2 for p in predictions)
    # The level's own uncertainty: the larger of the noise of a 7-day mean and
    # the spread of the four weekly levels in the basis (which also catches a trend).
    weekly = [
        float(sum((daily.get(d, Decimal(0)) for d in basis[k : k + 7]), Decimal(0)) / expected)
        for k in range(0, SEASONAL_BASIS_DAYS, 7)
    ] if expected > 0 else []  # fmt: skip
    level_variance = max(sigma**2 / LEVEL_DAYS, statistics.variance(weekly) if weekly else 0.0)
    variance += level_variance * total**2
    return sum(predictions, Decimal(0)), math.sqrt(variance), SEASONAL_BASIS_DAYS


def _run_rate(
    daily: Mapping[date, Decimal], as_of: date, first_day: date | None, left: int
) -> tuple[Decimal, float, int]:
    if first_day is None:
        return Decimal(0), 0.0, 0
    start = max(as_of.replace(day=1), first_day)
    if start >= as_of:
        start = max(as_of - timedelta(days=LEVEL_DAYS), first_day)
    basis = [daily.get(d, Decimal(0)) for d in days(start, as_of)]
    if not basis:
        return Decimal(0), 0.0, 0
    rate = sum(basis, Decimal(0)) / len(basis)
    sigma = statistics.stdev(float(v) for v in basis) if len(basis) > 1 else 0.0
    spread = sigma * math.sqrt(left + left**2 / len(basis))
    return rate * left, spread, len(basis)
