"""Shapes of cost answers; every amount is a string of the exact decimal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

DimensionGroupBy = Literal["service", "account", "region", "charge_category"]
"""The groupings the daily totals hold (``account`` is the provider's sub-account)."""
GroupBy = Literal["service", "account", "region", "charge_category", "resource", "tag"]
"""``tag`` groups by the values of one tag key, given as ``tag_key``."""
Period = Literal["2m", "3m", "6m", "12m"]
ForecastMethod = Literal["weekday_seasonal", "run_rate"]


class GroupTotal(BaseModel):
    key: str | None
    currency: str
    billed_cost: str
    effective_cost: str


class OtherTotal(BaseModel):
    """The groups beyond the summary's ``limit`` in one currency, summed."""

    currency: str
    groups: int
    billed_cost: str
    effective_cost: str


class CostSummary(BaseModel):
    """``items`` largest first; with a ``limit``, ``other`` sums the groups left out,
    so that ``items`` and ``other`` together add up to the whole."""

    start: date
    end: date
    group_by: GroupBy
    tag_key: str | None = None
    limit: int | None = None
    items: list[GroupTotal]
    other: list[OtherTotal] = []


class ForecastOut(BaseModel):
    """Month-end total: ``forecast`` within [``low``, ``high``] (about 95 %)."""

    forecast: str
    low: str
    high: str
    method: ForecastMethod
    basis_days: int


class CostOverview(BaseModel):
    as_of: date
    currency: str | None
    hot_bill: str
    hot_bill_provisional: bool
    month_to_date: str
    forecast: ForecastOut
    data_through: datetime | None


class CostForecast(ForecastOut):
    as_of: date
    currency: str | None
    actual_to_date: str


class ComparisonPeriod(BaseModel):
    month: str
    start: date
    end: date
    billed_cost: str


class CostComparison(BaseModel):
    as_of: date
    currency: str | None
    periods: list[ComparisonPeriod]


class TrendDay(BaseModel):
    day: int
    this_month: str | None
    last_month: str | None
    month_before: str | None
    average_11_months: str | None
    min_11_months: str | None
    max_11_months: str | None


class CostTrend(BaseModel):
    as_of: date
    currency: str | None
    months_in_average: int
    days: list[TrendDay]
