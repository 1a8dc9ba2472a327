"""Month-end forecast: exact arithmetic, method choice, the range, and a backtest."""

from __future__ import annotations

import calendar
import math
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.fixtures.metering import MeteringService, insert_daily_costs
from tests.metering.history import WEEKDAY_FACTORS, between, seasonal_history


async def forecast(service: MeteringService, as_of: date, **params: str) -> dict[str, str]:
    answer = await service.client.get("/costs/forecast", params={"as_of": str(as_of), **params},
                                      headers=service.auth("acme", "viewer"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, str] = answer.json()
    return body


async def test_run_rate_with_little_history_is_exact(metering_service: MeteringService) -> None:
    june = {date(2024, 6, 1): Decimal("10.004"), date(2024, 6, 2): Decimal("20"),
            date(2024, 6, 3): Decimal("29.996")}  # fmt: skip
    await insert_daily_costs(metering_service, june)

    body = await forecast(metering_service, date(2024, 6, 4))

    # 60 so far over 3 days, 27 days left at 20 a day; spread from the daily stdev.
    spread = statistics.stdev([10.004, 20.0, 29.996]) * math.sqrt(27 + 27**2 / 3)
    assert (body["method"], body["basis_days"]) == ("run_rate", 3)
    assert body["actual_to_date"] == "60.000"
    assert body["forecast"] == "600.00"
    assert body["low"] == f"{600 - 1.96 * spread:.2f}"
    assert body["high"] == f"{600 + 1.96 * spread:.2f}"


async def test_seasonal_forecast_of_a_clean_weekly_pattern_is_exact(
    metering_service: MeteringService,
) -> None:
    start, end = date(2024, 4, 1), date(2024, 6, 30)
    history = {start + timedelta(days=i): Decimal(str(WEEKDAY_FACTORS[(start + timedelta(days=i))
               .weekday()])) * 100 for i in range((end - start).days + 1)}  # fmt: skip
    await insert_daily_costs(metering_service, history)

    body = await forecast(metering_service, date(2024, 6, 12))

    expected = f"{between(history, date(2024, 6, 1), end):.2f}"
    assert (body["method"], body["basis_days"]) == ("weekday_seasonal", 28)
    assert (body["forecast"], body["low"], body["high"]) == (expected, expected, expected)
    assert body["actual_to_date"] == str(between(history, date(2024, 6, 1), date(2024, 6, 11)))


async def test_seasonal_needs_four_weeks(metering_service: MeteringService) -> None:
    await insert_daily_costs(metering_service, {date(2024, 6, 1): Decimal(5)})

    answer = await metering_service.client.get(
        "/costs/forecast", params={"as_of": "2024-06-10", "method": "weekday_seasonal"},
        headers=metering_service.auth("acme", "viewer"),
    )  # fmt: skip
    unknown = await metering_service.client.get(
        "/costs/forecast", params={"method": "magic"}, headers=metering_service.auth()
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "insufficient_history")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "invalid_input")


async def test_overview_forecast_and_provisional_hot_bill(
    metering_service: MeteringService,
) -> None:
    history = seasonal_history(date(2024, 4, 1), date(2024, 6, 30))
    await insert_daily_costs(metering_service, history,
                             finished_at=datetime(2024, 6, 16, 6, tzinfo=UTC))  # fmt: skip
    await insert_daily_costs(metering_service, history, tenant="globex",
                             finished_at=datetime(2024, 6, 18, 0, tzinfo=UTC))  # fmt: skip
    client = metering_service.client

    async def overview(tenant: str, as_of: str) -> Any:
        auth = metering_service.auth(tenant, "viewer")
        return (await client.get("/costs/overview", params={"as_of": as_of}, headers=auth)).json()

    acme, globex = await overview("acme", "2024-06-15"), await overview("globex", "2024-06-15")
    settled = await overview("acme", "2024-06-10")
    alone = await forecast(metering_service, date(2024, 6, 15))

    # Yesterday is 14 June; a delivery 3 full days after it ends is 18 June 00:00.
    assert (acme["hot_bill_provisional"], globex["hot_bill_provisional"]) == (True, False)
    assert settled["hot_bill_provisional"] is False
    assert Decimal(acme["hot_bill"]) == history[date(2024, 6, 14)]
    assert acme["forecast"] == {k: alone[k] for k in acme["forecast"]}
    assert acme["forecast"]["method"] == "weekday_seasonal"
    low, mid, high = (Decimal(acme["forecast"][k]) for k in ("low", "forecast", "high"))
    assert between(history, date(2024, 6, 1), date(2024, 6, 14)) <= low < mid < high


async def test_seasonal_forecast_beats_run_rate_in_a_backtest(
    metering_service: MeteringService,
) -> None:
    """Ten months, forecast on six days of each: the seasonal model must err less."""
    history = seasonal_history(date(2024, 1, 1), date(2024, 12, 31))
    await insert_daily_costs(metering_service, history)
    errors: dict[str, list[Decimal]] = {"weekday_seasonal": [], "run_rate": []}
    covered = 0
    for month in range(3, 13):
        last = date(2024, month, calendar.monthrange(2024, month)[1])
        actual = between(history, date(2024, month, 1), last)
        for day in (4, 8, 12, 16, 20, 24):
            for method, found in errors.items():
                body = await forecast(metering_service, date(2024, month, day), method=method)
                found.append(abs(Decimal(body["forecast"]) - actual))
                if method == "weekday_seasonal":
                    covered += Decimal(body["low"]) <= actual <= Decimal(body["high"])

    mae = {method: sum(found, Decimal(0)) / len(found) for method, found in errors.items()}
    report = (f"backtest MAE over {len(errors['run_rate'])} forecasts: "
              f"seasonal {mae['weekday_seasonal']:.2f}, run-rate {mae['run_rate']:.2f}, "
              f"seasonal range covered {covered}/{len(errors['run_rate'])}")  # fmt: skip
    assert mae["weekday_seasonal"] < Decimal("0.6") * mae["run_rate"], report
    assert covered >= 0.8 * len(errors["weekday_seasonal"]), report
