"""FOCUS files (as AWS and Azure export them) read column for column, with FOCUS's checks."""

from __future__ import annotations

from decimal import Decimal

from tests.fixtures.metering import MeteringService
from tests.metering.upload_files import (
    FOCUS_SERVICES,
    FocusLine,
    csv_bytes,
    focus_lines,
    focus_parquet,
    focus_row,
    summary,
    totals,
    upload,
)

PERIOD = "2024-07"


def _billed(lines: list[FocusLine]) -> Decimal:
    return sum((line.billed for line in lines), Decimal(0))


def _effective(lines: list[FocusLine]) -> Decimal:
    return sum((line.effective for line in lines), Decimal(0))


async def test_focus_csv_and_parquet_equal_their_sums(metering_service: MeteringService) -> None:
    july, august = focus_lines(9), focus_lines(6, scale="2")

    csv_answer = await upload(metering_service, csv_bytes([focus_row(PERIOD, x) for x in july]),
                              "focus")  # fmt: skip
    parquet_answer = await upload(metering_service,
                                  focus_parquet([focus_row("2024-08", x) for x in august]),
                                  "focus", name="aug.parquet")  # fmt: skip

    assert (csv_answer.status_code, parquet_answer.status_code) == (201, 201), parquet_answer.text
    assert csv_answer.json()["delivery"]["source"] == "upload_focus"
    assert await totals(metering_service, PERIOD) == (_billed(july), _effective(july))
    assert await totals(metering_service, "2024-08") == (_billed(august), _effective(august))
    by_service = {i["key"]: Decimal(i["billed_cost"])
                  for i in await summary(metering_service, PERIOD, group_by="service")}  # fmt: skip
    ec2 = [x for x in july if x.service == 0]
    assert by_service[FOCUS_SERVICES[0][0]] == _billed(ec2)
    regions = await summary(metering_service, PERIOD, group_by="region")
    assert {i["key"] for i in regions} == {"us-east-1", "eu-west-1"}


async def test_a_bill_in_euros_is_kept_in_euros(metering_service: MeteringService) -> None:
    lines = focus_lines(4)
    rows = [focus_row(PERIOD, x, currency="eur") for x in lines]

    answer = await upload(metering_service, csv_bytes(rows), "focus")

    assert answer.json()["delivery"]["billing_currency"] == "EUR"
    assert {i["currency"] for i in await summary(metering_service, PERIOD)} == {"EUR"}
    forecast = await metering_service.client.get(
        "/costs/overview", params={"as_of": "2024-07-03"}, headers=metering_service.auth()
    )
    assert forecast.json()["currency"] == "EUR"
    assert Decimal(forecast.json()["month_to_date"]) == _billed([x for x in lines if x.day <= 3])


async def test_values_outside_focus_are_refused_on_their_row(
    metering_service: MeteringService,
) -> None:
    lines = focus_lines(3)
    assert (await upload(metering_service, csv_bytes([focus_row(PERIOD, x) for x in lines]),
                         "focus")).status_code == 201  # fmt: skip
    category = [focus_row(PERIOD, x) for x in lines]
    category[5]["ChargeCategory"] = "Discount"
    service_category = [focus_row(PERIOD, x) for x in lines]
    service_category[2]["ServiceCategory"] = "Servers"
    backwards = [focus_row(PERIOD, x) for x in lines]
    backwards[7]["ChargePeriodEnd"] = "2024-06-30T00:00:00Z"
    headless = [{k: v for k, v in focus_row(PERIOD, x).items() if k != "EffectiveCost"}
                for x in lines]  # fmt: skip

    answers = [
        await upload(metering_service, csv_bytes(rows), "focus", name=f"f{n}.csv.gz")
        for n, rows in enumerate((category, service_category, backwards, headless))
    ]

    assert [a.status_code for a in answers] == [422] * 4
    places = [(a.json()["error"]["details"]["file"], a.json()["error"]["details"]["row"])
              for a in answers]  # fmt: skip
    assert places == [("f0.csv.gz", 6), ("f1.csv.gz", 3), ("f2.csv.gz", 8), ("f3.csv.gz", 0)]
    messages = [a.json()["error"]["message"] for a in answers]
    for column, message in zip(("ChargeCategory", "ServiceCategory", "ChargePeriodEnd",
                                "EffectiveCost"), messages, strict=True):  # fmt: skip
        assert column in message
    assert await totals(metering_service, PERIOD) == (_billed(lines), _effective(lines))


async def test_rows_of_another_billing_period_are_refused(
    metering_service: MeteringService,
) -> None:
    rows = [focus_row(PERIOD, x) for x in focus_lines(2)]
    rows += [focus_row("2024-08", x) for x in focus_lines(1)]

    answer = await upload(metering_service, csv_bytes(rows), "focus")

    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "delivery_check_failed")
    assert await summary(metering_service, PERIOD) == []


async def test_rows_of_two_billing_accounts_are_refused_naming_both(
    metering_service: MeteringService,
) -> None:
    rows = [focus_row(PERIOD, x) for x in focus_lines(2)]
    rows[-1]["BillingAccountId"] = "100000000001"

    answer = await upload(metering_service, csv_bytes(rows), "focus")

    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (422, "delivery_check_failed")
    assert error["details"]["accounts"] == ["100000000001", "210987654321"]
    assert await summary(metering_service, PERIOD) == []
