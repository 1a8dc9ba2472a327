"""Shapes of cost answers; every amount is a string of the exact decimal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

GroupBy = Literal["service", "account", "region", "charge_category"]
Period = Literal["2m", "3m", "6m", "12m"]
ForecastMethod = Literal["weekday_seasonal", "run_rate"]


class GroupTotal(BaseModel):
    key: str | None
    currency: str
    billed_cost: str
    effective_cost: str


class CostSummary(BaseModel):
    start: date
    end: date
    group_by: GroupBy
    items: list[GroupTotal]


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
