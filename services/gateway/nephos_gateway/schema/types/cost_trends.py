"""The metering dashboard's time questions: month-end forecast, month-by-month
comparison and the daily trend with its bands.

Every amount is a ``Decimal`` (the exact decimal as a string), never a float.
Amounts are in one currency (the company's, or the one asked for): currencies
are never summed together.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import strawberry

from nephos_gateway.clients import metering_models as m


@strawberry.enum(description="How a month-end forecast is made.")
class ForecastMethod(enum.Enum):
    WEEKDAY_SEASONAL = "weekday_seasonal"
    RUN_RATE = "run_rate"


@strawberry.enum(description="An inquiry period: that many months ending with the day asked.")
class InquiryPeriod(enum.Enum):
    MONTHS_2 = "2m"
    MONTHS_3 = "3m"
    MONTHS_6 = "6m"
    MONTHS_12 = "12m"


@strawberry.type(description="This month's expected total, within a range of about 95 %.")
class CostForecast:
    as_of: date
    currency: str | None = strawberry.field(description="Null while there are no costs.")
    actual_to_date: Decimal = strawberry.field(description="From the 1st up to asOf, included.")
    forecast: Decimal = strawberry.field(description="The month's expected total.")
    low: Decimal = strawberry.field(description="Lower end of the range.")
    high: Decimal = strawberry.field(description="Upper end of the range.")
    method: ForecastMethod
    basis_days: int = strawberry.field(description="Days of history the forecast rests on.")

    @classmethod
    def of(cls, f: m.Forecast) -> CostForecast:
        return cls(
            as_of=f.as_of,
            currency=f.currency,
            actual_to_date=f.actual_to_date,
            forecast=f.forecast,
            low=f.low,
            high=f.high,
            method=ForecastMethod(f.method),
            basis_days=f.basis_days,
        )


@strawberry.type(description="The billed cost of one month's same day-range.")
class CostComparisonPeriod:
    month: str = strawberry.field(description="YYYY-MM.")
    from_: date = strawberry.field(name="from")
    to: date
    billed_cost: Decimal


@strawberry.type(description="This month's 1st..asOf beside the same day-range of earlier months.")
class CostComparison:
    as_of: date
    currency: str | None
    periods: list[CostComparisonPeriod] = strawberry.field(description="This month first.")

    @classmethod
    def of(cls, c: m.Comparison) -> CostComparison:
        periods = [
            CostComparisonPeriod(month=p.month, from_=p.start, to=p.end, billed_cost=p.billed_cost)
            for p in c.periods
        ]
        return cls(as_of=c.as_of, currency=c.currency, periods=periods)


@strawberry.type(description="One day of the month across months; null where there is no day.")
class CostTrendDay:
    day: int = strawberry.field(description="Day of the month, 1..31.")
    this_month: Decimal | None
    last_month: Decimal | None
    month_before: Decimal | None
    average_11_months: Decimal | None = strawberry.field(name="average11Months")
    min_11_months: Decimal | None = strawberry.field(name="min11Months")
    max_11_months: Decimal | None = strawberry.field(name="max11Months")


@strawberry.type(
    description="Daily cost of this month, the two before, and the bands of 11 months."
)
class CostTrend:
    as_of: date
    currency: str | None
    months_in_average: int = strawberry.field(description="Earlier months with costs, up to 11.")
    days: list[CostTrendDay]

    @classmethod
    def of(cls, t: m.Trend) -> CostTrend:
        days = [
            CostTrendDay(
                day=d.day,
                this_month=d.this_month,
                last_month=d.last_month,
                month_before=d.month_before,
                average_11_months=d.average_11_months,
                min_11_months=d.min_11_months,
                max_11_months=d.max_11_months,
            )
            for d in t.days
        ]
        return cls(
            as_of=t.as_of, currency=t.currency, months_in_average=t.months_in_average, days=days
        )
