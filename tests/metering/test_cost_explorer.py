"""AWS Cost Explorer ingest as queued jobs: the real asset service hands out the session,
moto (server mode) answers GetCostAndUsage with configured results, the real
aiobotocore client reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from nephos_metering.costs.service import PROVISIONAL_DAYS
from nephos_metering.ingest.models import Delivery
from tests.fixtures.asset import AssetService
from tests.fixtures.metering import MeteringService
from tests.metering.source_helpers import (
    LINKED,
    SERVICES,
    aws_account,
    ce_result,
    ce_total,
    create_source,
    day_cost,
    days_between,
    deliveries,
    queue_ce_results,
    run_source,
    summary,
)

SEPTEMBER = days_between(date(2026, 9, 1), date(2026, 9, 30))


async def _ce_source(metering: MeteringService, asset: AssetService, moto: str) -> str:
    account = await aws_account(asset, moto)
    answer = await create_source(metering, account, "aws_cost_explorer",
                                 config={"amortized": True})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_a_paged_month_equals_the_api_total_per_service(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    source = await _ce_source(metering_jobs, asset_service, fresh_moto)
    await queue_ce_results(fresh_moto, ce_result(SEPTEMBER[:20], next_token="page-2"),
                           ce_result(SEPTEMBER[20:]))  # fmt: skip

    run = await run_source(metering_jobs, source, "2026-09")

    assert run["status"] == "succeeded", run
    assert [r["outcome"] for r in run["results"]] == ["ingested"]
    (delivery,) = await deliveries(metering_jobs)
    assert delivery["source"] == "aws_cost_explorer"
    assert Decimal(delivery["billed_cost_total"]) == ce_total(SEPTEMBER)
    assert delivery["row_count"] == len(SEPTEMBER) * len(SERVICES) * len(LINKED)
    by_service = await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "service")
    for s, name in enumerate(SERVICES):
        billed = sum((day_cost(d, s, a) for d in SEPTEMBER for a in range(len(LINKED))),
                     Decimal(0))  # fmt: skip
        assert by_service[name] == (billed, billed * Decimal("0.9"))


async def test_a_final_month_is_not_asked_again_nor_changed(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    source = await _ce_source(metering_jobs, asset_service, fresh_moto)
    await queue_ce_results(fresh_moto, ce_result(SEPTEMBER), ce_result(SEPTEMBER, scale="7"))
    await run_source(metering_jobs, source, "2026-09")

    again = await run_source(metering_jobs, source, "2026-09")

    assert again["status"] == "succeeded", again
    assert [r["outcome"] for r in again["results"]] == ["skipped"]
    totals = await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "charge_category")
    assert totals["Usage"][0] == ce_total(SEPTEMBER)


async def test_a_rerun_restates_the_open_days_without_duplicates(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    today = datetime.now(UTC).date()
    first_day = today.replace(day=1)
    month = f"{today:%Y-%m}"
    open_from = max(first_day, today - timedelta(days=PROVISIONAL_DAYS))
    before = days_between(first_day, today - timedelta(days=1))
    restated = [d for d in before if d >= open_from]
    source = await _ce_source(metering_jobs, asset_service, fresh_moto)
    await queue_ce_results(fresh_moto, ce_result(before), ce_result(restated, scale="2"))

    first = await run_source(metering_jobs, source, month)
    second = await run_source(metering_jobs, source, month)

    assert (first["status"], second["status"]) == ("succeeded", "succeeded"), second
    assert [r["outcome"] for r in second["results"]] == ["ingested"]
    kept = [d for d in before if d < open_from]
    expected = ce_total(kept) + ce_total(restated, scale="2")
    totals = await summary(metering_jobs, first_day, today, "charge_category")
    assert totals["Usage"][0] == expected
    found = await deliveries(metering_jobs)
    assert sorted(d["status"] for d in found) == ["succeeded", "superseded"]
    current = next(d for d in found if d["status"] == "succeeded")
    assert current["row_count"] == len(before) * len(SERVICES) * len(LINKED)
    assert Decimal(current["billed_cost_total"]) == expected
    overview = (await metering_jobs.client.get("/costs/overview",
                                               headers=metering_jobs.auth())).json()  # fmt: skip
    assert overview["hot_bill_provisional"] is True
    fresh = await metering_jobs.client.get("/data-freshness", headers=metering_jobs.auth())
    (account,) = fresh.json()["items"]
    assert account["data_through"].startswith(today.isoformat())


async def test_a_malformed_amount_refuses_the_delivery_and_keeps_the_costs(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    source = await _ce_source(metering_jobs, asset_service, fresh_moto)
    broken = ce_result(SEPTEMBER[:2])
    broken["ResultsByTime"][1]["Groups"][0]["Metrics"]["UnblendedCost"]["Amount"] = "1,5"

    await queue_ce_results(fresh_moto, broken)
    run = await run_source(metering_jobs, source, "2026-09")

    assert run["status"] == "failed"
    assert run["error_details"]["code"] == "delivery_rejected"
    assert "UnblendedCost" in run["error"]
    totals = await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "charge_category")
    assert totals == {}


async def test_an_answer_reaching_into_final_days_is_refused(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    source = await _ce_source(metering_jobs, asset_service, fresh_moto)
    await queue_ce_results(fresh_moto, ce_result(SEPTEMBER), ce_result(SEPTEMBER, scale="5"))
    await run_source(metering_jobs, source, "2026-09")
    # As if the month had been ingested on the 20th: the days through the 16th are final.
    async with metering_jobs.app.state.database.transaction() as session:
        await session.execute(
            update(Delivery).values(finished_at=datetime(2026, 9, 20, tzinfo=UTC))
        )

    again = await run_source(metering_jobs, source, "2026-09")

    assert again["status"] == "failed"
    assert again["error_details"]["code"] == "delivery_check_failed"
    assert again["error_details"]["first"] == "2026-09-01"
    totals = await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "charge_category")
    assert totals["Usage"][0] == ce_total(SEPTEMBER)
