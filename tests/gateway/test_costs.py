"""Costs through GraphQL, against the real metering service after a CUR ingest from moto."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tests.fixtures.metering import MeteringService
from tests.gateway.conftest import Gateway
from tests.metering.cur_files import csv_gzip, cur_row, ingest_body, lines_for, put_delivery
from tests.metering.test_ingest import ingest

COSTS = """
query Costs($asOf: Date, $from: Date!, $to: Date!, $groupBy: CostGroupBy!) {
  costOverview(asOf: $asOf) { asOf currency hotBill monthToDate dataThrough }
  costSummary(from: $from, to: $to, groupBy: $groupBy) {
    from to groupBy items { key currency billedCost effectiveCost }
  }
  deliveries { nodes { id accountId status rowCount billedCostTotal billingCurrency finishedAt } }
}
"""

VARIABLES = {"asOf": "2024-05-11", "from": "2024-05-01", "to": "2024-05-31", "groupBy": "SERVICE"}


async def test_cost_overview_summary_and_deliveries_after_an_ingest(
    observed_gateway: Gateway, metering_service: MeteringService, fresh_moto: str
) -> None:
    gw = observed_gateway
    lines = lines_for("2024-05", 12)
    rows = [cur_row("2024-05", line) for line in lines]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    assert (await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))).status_code == 201

    body = await gw.query(COSTS, VARIABLES)

    assert "errors" not in body, body
    overview = body["data"]["costOverview"]
    assert isinstance(overview["hotBill"], str)  # exact decimals, never floats
    assert Decimal(overview["hotBill"]) == sum(line.cost for line in lines if line.day == 10)
    assert Decimal(overview["monthToDate"]) == sum(line.cost for line in lines if line.day <= 11)
    assert (overview["asOf"], overview["currency"]) == ("2024-05-11", "USD")
    assert overview["dataThrough"].startswith("2024-05-13")
    summary = body["data"]["costSummary"]
    assert (summary["from"], summary["to"], summary["groupBy"]) == (
        "2024-05-01",
        "2024-05-31",
        "SERVICE",
    )
    billed = sum(Decimal(i["billedCost"]) for i in summary["items"])
    assert billed == sum(line.cost for line in lines)
    assert all(isinstance(i["effectiveCost"], str) for i in summary["items"])
    (delivery,) = body["data"]["deliveries"]["nodes"]
    assert delivery["status"] == "succeeded"
    assert delivery["rowCount"] == len(rows)
    assert Decimal(delivery["billedCostTotal"]) == billed
    assert gw.metering is not None
    assert len(gw.metering.requests) == 3


async def test_one_company_never_sees_another_companys_costs(
    observed_gateway: Gateway, metering_service: MeteringService, fresh_moto: str
) -> None:
    gw = observed_gateway
    rows = [cur_row("2024-05", line) for line in lines_for("2024-05", 3)]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))

    globex = await gw.query(COSTS, VARIABLES, headers=gw.auth("globex", "viewer"))
    acme = await gw.query(COSTS, VARIABLES, headers=gw.auth("acme", "viewer"))

    assert "errors" not in globex, globex
    assert Decimal(globex["data"]["costOverview"]["monthToDate"]) == 0
    assert globex["data"]["costSummary"]["items"] == []
    assert globex["data"]["deliveries"]["nodes"] == []
    assert Decimal(acme["data"]["costOverview"]["monthToDate"]) > 0
    assert len(acme["data"]["deliveries"]["nodes"]) == 1


async def test_a_bad_range_is_the_callers_error(observed_gateway: Gateway) -> None:
    variables = {**VARIABLES, "from": "2024-06-01", "to": "2024-05-01"}
    body = await observed_gateway.query(COSTS, variables)
    codes = {e["extensions"]["code"] for e in body.get("errors", [])}
    assert codes == {"BAD_USER_INPUT"}, body
