"""Azure Cost Management ingest as queued jobs: the real asset service hands out the ARM
token, the real azure-mgmt-costmanagement client queries the ARM stand-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from nephos_devstack.arm_server.cost_management import QUERY_OPERATION, CostRow, seed_costs
from nephos_metering.costs.service import PROVISIONAL_DAYS
from tests.asset.helpers import register_azure
from tests.fixtures.asset import AssetService
from tests.fixtures.azure import ArmStandIn
from tests.fixtures.metering import MeteringService
from tests.metering.source_helpers import (
    create_source,
    days_between,
    deliveries,
    run_source,
    summary,
)

RESOURCES = (
    ("Virtual Machines", "Microsoft.Compute/virtualMachines/vm-1", "westeurope"),
    ("Storage", "Microsoft.Storage/storageAccounts/logs", "eastus"),
    ("SQL Database", "Microsoft.Sql/servers/db1/databases/orders", "westeurope"),
)
SEPTEMBER = days_between(date(2026, 9, 1), date(2026, 9, 12))


def cost_rows(arm: ArmStandIn, days: list[date], scale: str = "1") -> list[CostRow]:
    """Amounts with more digits than a float holds, different per day and resource."""
    sub = arm.server.config.subscription_id
    rows = []
    for day in days:
        for n, (service, path, location) in enumerate(RESOURCES):
            cost = Decimal(f"{day.day}.{n + 1}23456789012345678") * Decimal(scale)
            rows.append(CostRow(
                day=day, service=service, location=location, cost=cost,
                amortized=cost * Decimal("0.75"),
                resource_id=f"/subscriptions/{sub}/resourceGroups/rg-{n}/providers/{path}",
            ))  # fmt: skip
    return rows


def billed(rows: list[CostRow]) -> Decimal:
    return sum((r.cost for r in rows), Decimal(0))


async def _source(
    metering: MeteringService, asset: AssetService, arm: ArmStandIn, amortized: bool = True
) -> str:
    account = await register_azure(asset.client, asset.auth(), arm)
    answer = await create_source(metering, str(account["id"]), "azure_cost_management",
                                 config={"amortized": amortized})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_a_paged_throttled_month_equals_the_seeded_costs_exactly(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn
) -> None:
    september = cost_rows(arm, SEPTEMBER)
    seed_costs(arm.server, [*september, *cost_rows(arm, [date(2026, 8, 31), date(2026, 10, 1)])])
    source = await _source(metering_jobs, asset_service, arm)
    arm.server.throttle(QUERY_OPERATION, 1, retry_after=0.2)

    run = await run_source(metering_jobs, source, "2026-09")

    assert run["status"] == "succeeded", run
    pages = -(-len(september) // arm.server.config.page_size)
    assert arm.server.calls[QUERY_OPERATION] == 2 * pages + 1
    (delivery,) = await deliveries(metering_jobs)
    assert (delivery["source"], delivery["row_count"]) == ("azure_cost_management", len(september))
    assert Decimal(delivery["billed_cost_total"]) == billed(september)
    assert delivery["billing_currency"] == "USD"
    by_service = await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "service")
    for service, _, _ in RESOURCES:
        mine = [r for r in september if r.service == service]
        assert by_service[service] == (billed(mine), sum((r.amortized for r in mine), Decimal(0)))
    by_region = await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "region")
    assert set(by_region) == {"westeurope", "eastus"}


async def test_a_rerun_restates_the_open_days_and_keeps_the_final_ones(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn
) -> None:
    today = datetime.now(UTC).date()
    first_day = today.replace(day=1)
    open_from = max(first_day, today - timedelta(days=PROVISIONAL_DAYS))
    before = days_between(first_day, today - timedelta(days=1))
    seed_costs(arm.server, cost_rows(arm, before))
    source = await _source(metering_jobs, asset_service, arm, amortized=False)
    await run_source(metering_jobs, source, f"{today:%Y-%m}")
    # Azure restates every day; only the open ones may change what is stored.
    seed_costs(arm.server, cost_rows(arm, before, scale="3"))

    again = await run_source(metering_jobs, source, f"{today:%Y-%m}")

    assert again["status"] == "succeeded", again
    kept = [r for r in cost_rows(arm, before) if r.day < open_from]
    restated = [r for r in cost_rows(arm, before, scale="3") if r.day >= open_from]
    totals = await summary(metering_jobs, first_day, today, "charge_category")
    assert totals["Usage"] == (billed(kept) + billed(restated), billed(kept) + billed(restated))
    current = [d for d in await deliveries(metering_jobs) if d["status"] == "succeeded"]
    assert [d["row_count"] for d in current] == [len(before) * len(RESOURCES)]


async def test_throttling_past_the_retries_fails_the_run_and_stores_nothing(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn
) -> None:
    seed_costs(arm.server, cost_rows(arm, SEPTEMBER))
    source = await _source(metering_jobs, asset_service, arm)
    arm.server.throttle(QUERY_OPERATION, 10, retry_after=0.05)

    run = await run_source(metering_jobs, source, "2026-09")

    assert run["status"] == "failed"
    assert run["error_details"]["code"] == "cost_api_unavailable"
    assert await summary(metering_jobs, SEPTEMBER[0], SEPTEMBER[-1], "service") == {}
