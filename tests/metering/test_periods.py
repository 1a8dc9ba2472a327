"""Same day-range of earlier months, the daily trend, and inquiry periods."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tests.fixtures.metering import MeteringService, insert_daily_costs
from tests.metering.history import between, seasonal_history


async def get(service: MeteringService, url: str, tenant: str = "acme", **params: str) -> Any:
    answer = await service.client.get(url, params=params, headers=service.auth(tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_comparison_cuts_shorter_months(metering_service: MeteringService) -> None:
    history = seasonal_history(date(2023, 12, 1), date(2024, 3, 31))
    await insert_daily_costs(metering_service, history)

    body = await get(metering_service, "/costs/comparison", as_of="2024-03-31", months="3")
    mid = await get(metering_service, "/costs/comparison", as_of="2024-03-15", months="1")
    other = await get(metering_service, "/costs/comparison", "globex", as_of="2024-03-31")

    expected = [("2024-03", date(2024, 3, 1), date(2024, 3, 31)),
                ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
                ("2024-01", date(2024, 1, 1), date(2024, 1, 31)),
                ("2023-12", date(2023, 12, 1), date(2023, 12, 31))]  # fmt: skip
    assert [(p["month"], p["start"], p["end"], Decimal(p["billed_cost"])) for p in body["periods"]
            ] == [(m, str(a), str(b), between(history, a, b)) for m, a, b in expected]  # fmt: skip
    assert [Decimal(p["billed_cost"]) for p in mid["periods"]] == [
        between(history, date(2024, 3, 1), date(2024, 3, 15)),
        between(history, date(2024, 2, 1), date(2024, 2, 15)),
    ]
    assert [p["billed_cost"] for p in other["periods"]] == ["0"] * 4


async def test_comparison_refuses_bad_months(metering_service: MeteringService) -> None:
    for months in ("0", "13", "x"):
        answer = await metering_service.client.get(
            "/costs/comparison", params={"as_of": "2024-03-31", "months": months},
            headers=metering_service.auth("acme", "viewer"),
        )  # fmt: skip
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_input")
    anonymous = await metering_service.client.get("/costs/trend")
    assert anonymous.status_code == 401


async def test_trend_gives_last_months_and_eleven_month_bands(
    metering_service: MeteringService,
) -> None:
    # Data starts in September 2023: of the 11 months before March 2024, six hold costs.
    history = seasonal_history(date(2023, 9, 1), date(2024, 3, 31))
    await insert_daily_costs(metering_service, history)

    body = await get(metering_service, "/costs/trend", as_of="2024-03-10")

    held = [(2023, m) for m in range(9, 13)] + [(2024, 1), (2024, 2)]
    assert body["months_in_average"] == 6
    assert [row["day"] for row in body["days"]] == list(range(1, 32))
    for row in body["days"]:
        day = row["day"]
        values = [history[date(y, m, day)] for y, m in held
                  if day <= calendar.monthrange(y, m)[1]]  # fmt: skip
        this = history[date(2024, 3, day)] if day <= 10 else None
        last = history.get(date(2024, 2, day)) if day <= 29 else None
        mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        assert row["this_month"] == (None if this is None else str(this))
        assert row["last_month"] == (None if last is None else str(last))
        assert row["month_before"] == str(history[date(2024, 1, day)])
        assert Decimal(row["average_11_months"]) == mean
        assert (Decimal(row["min_11_months"]), Decimal(row["max_11_months"])) == (
            min(values), max(values))  # fmt: skip
    assert len([d for d in body["days"] if d["day"] == 31]) == 1
    assert body["days"][30]["last_month"] is None


async def test_summary_inquiry_periods(metering_service: MeteringService) -> None:
    history = seasonal_history(date(2023, 1, 1), date(2024, 3, 31))
    await insert_daily_costs(metering_service, history)
    as_of = date(2024, 3, 10)

    for period, first in (("2m", date(2024, 2, 1)), ("3m", date(2024, 1, 1)),
                          ("6m", date(2023, 10, 1)), ("12m", date(2023, 4, 1))):  # fmt: skip
        body = await get(metering_service, "/costs/summary", period=period, as_of=str(as_of),
                         group_by="charge_category")  # fmt: skip
        assert (body["start"], body["end"]) == (str(first), str(as_of))
        assert [Decimal(i["billed_cost"]) for i in body["items"]] == [
            between(history, first, as_of)]  # fmt: skip

    client, auth = metering_service.client, metering_service.auth("acme", "viewer")
    odd = await client.get("/costs/summary", params={"period": "5m"}, headers=auth)
    mixed = {"period": "2m", "from": "2024-01-01", "to": "2024-01-02"}
    both = await client.get("/costs/summary", params=mixed, headers=auth)
    neither = await client.get("/costs/summary", headers=auth)
    assert (odd.status_code, odd.json()["error"]["code"]) == (422, "invalid_input")
    assert (both.status_code, both.json()["error"]["code"]) == (422, "invalid_period")
    assert (neither.status_code, neither.json()["error"]["code"]) == (422, "invalid_period")
