"""The expected range of one day's cost, and whether the day left it.

Method: a weekday-aware median scaled by the recent level, with a band of
``k`` robust standard deviations (from the median absolute deviation, MAD),
over the ``history_days`` (28: four of each weekday) before the day.

* ratio of a history day: its cost over the median of the *other* days of its
  weekday. Leaving the day itself out matters: around a median of four, two
  of four deviations are near zero by construction, which would halve the
  spread. Ratios rather than differences keep busy weekdays and quiet
  weekends on one scale;
* level: the median ratio of the last seven history days, so that a growing
  (or shrinking) bill moves the centre with it; a median, so one spike in
  that week does not;
* centre: the median of the same weekday's history days (a Monday is compared
  with the Mondays before it) times the level;
* spread: 1.4826 (MAD to standard deviation for normal noise) times the
  median of every history ratio's distance from 1, relative to the centre;
* range: centre +/- ``k`` spreads.

Medians rather than means keep one earlier spike (or an outage) in the
history from widening the range or moving its centre. A day outside the range
is an anomaly only if it is also at least ``min_amount`` away from the centre,
so that a service costing cents never pages anyone. Days without a cost row
count as zero (and give no ratio when their weekday's median is zero); the
caller judges a day only once its whole history window is known.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from nephos_metering.costs.forecast import days, minor_unit

MAD_TO_SIGMA = Decimal("1.4826")
LEVEL_DAYS = 7


@dataclass(frozen=True)
class Sensitivity:
    history_days: int = 28
    k: Decimal = Decimal(3)
    min_amount: Decimal = Decimal(10)


@dataclass(frozen=True)
class Verdict:
    actual: Decimal
    expected: Decimal
    low: Decimal
    high: Decimal
    anomalous: bool


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(statistics.median(values)) if values else Decimal(0)


class _History:
    """The history window's costs, with the weekday medians and ratios of the method."""

    def __init__(self, daily: Mapping[date, Decimal], day: date, length: int) -> None:
        self.days = list(days(day - timedelta(days=length), day))
        self.value = {d: daily.get(d, Decimal(0)) for d in self.days}
        self._by_weekday: dict[int, list[date]] = {w: [] for w in range(7)}
        for d in self.days:
            self._by_weekday[d.weekday()].append(d)

    def weekday_median(self, weekday: int, leaving_out: date | None = None) -> Decimal:
        return _median([self.value[d] for d in self._by_weekday[weekday] if d != leaving_out])

    def ratio(self, day: date) -> Decimal | None:
        others = self.weekday_median(day.weekday(), day)
        return self.value[day] / others if others > 0 else None


def judge(
    daily: Mapping[date, Decimal], day: date, currency: str, sensitivity: Sensitivity
) -> Verdict:
    """``day``'s cost against the range expected from the days before it in ``daily``."""
    history = _History(daily, day, sensitivity.history_days)
    ratios = {d: history.ratio(d) for d in history.days}
    known = [r for r in ratios.values() if r is not None]
    recent = [r for d in history.days[-LEVEL_DAYS:] if (r := ratios[d]) is not None]
    level = _median(recent) if recent else Decimal(1)
    centre = history.weekday_median(day.weekday()) * level
    spread = MAD_TO_SIGMA * _median([abs(r - 1) for r in known]) * abs(centre)
    unit = minor_unit(currency)

    def rounded(value: Decimal) -> Decimal:
        return value.quantize(unit, ROUND_HALF_EVEN)

    low, high = rounded(centre - sensitivity.k * spread), rounded(centre + sensitivity.k * spread)
    actual = daily.get(day, Decimal(0))
    outside = actual > high or actual < low
    return Verdict(
        actual=actual,
        expected=rounded(centre),
        low=low,
        high=high,
        anomalous=outside and abs(actual - centre) >= sensitivity.min_amount,
    )
