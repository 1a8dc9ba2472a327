"""Hot bill, month-to-date, tenant isolation and roles on the metering API."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tests.fixtures.metering import MeteringService
from tests.metering.cur_files import csv_gzip, cur_row, ingest_body, lines_for, put_delivery
from tests.metering.test_ingest import ACCOUNT, billed, ingest


async def test_overview_gives_hot_bill_and_month_to_date(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    lines = lines_for("2024-05", 12)
    rows = [cur_row("2024-05", line) for line in lines]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))

    answer = await metering_service.client.get(
        "/costs/overview", params={"as_of": "2024-05-11"}, headers=metering_service.auth()
    )

    body = answer.json()
    assert Decimal(body["hot_bill"]) == sum(line.cost for line in lines if line.day == 10)
    assert Decimal(body["month_to_date"]) == sum(line.cost for line in lines if line.day <= 11)
    assert body["currency"] == "USD"
    assert body["data_through"].startswith("2024-05-13")
    # Delivered now, years after 10 May: settled. Ten days of history: run-rate.
    assert body["hot_bill_provisional"] is False
    assert (body["forecast"]["method"], body["forecast"]["basis_days"]) == ("run_rate", 10)


async def test_one_company_never_sees_another(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    rows = [cur_row("2024-05", line) for line in lines_for("2024-05", 3)]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))
    client, globex = metering_service.client, metering_service.auth("globex", "viewer")

    deliveries = await client.get("/deliveries", headers=globex)
    overview = await client.get("/costs/overview", params={"as_of": "2024-05-03"}, headers=globex)

    assert deliveries.json()["items"] == []
    assert await billed(metering_service, "2024-05-01", "2024-05-31", tenant="globex") == 0
    assert overview.json()["month_to_date"] == "0"
    assert await billed(metering_service, "2024-05-01", "2024-05-31") > 0
    # Asked about acme's account, globex learns nothing, not even a zero.
    by_account = {"as_of": "2024-05-03", "account_id": ACCOUNT}
    theirs = await client.get("/costs/overview", params=by_account, headers=globex)
    assert (theirs.status_code, theirs.json()["error"]["code"]) == (404, "account_not_found")
    acme = metering_service.auth("acme", "viewer")
    ours = await client.get("/costs/overview", params=by_account, headers=acme)
    assert Decimal(ours.json()["month_to_date"]) > 0


async def test_roles_and_bad_input_get_clear_errors(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    client = metering_service.client
    url = "/accounts/00000000-0000-0000-0000-000000000001/cur-ingests"
    body = ingest_body(fresh_moto, "2024-05")

    as_viewer = await client.post(url, json=body, headers=metering_service.auth("acme", "viewer"))
    bad_period = await client.post(url, json={**body, "billing_period": "2024-13"},
                                   headers=metering_service.auth())  # fmt: skip
    reversed_range = {"from": "2024-05-02", "to": "2024-05-01"}
    backwards = await client.get("/costs/summary", params=reversed_range,
                                 headers=metering_service.auth())  # fmt: skip

    assert (as_viewer.status_code, as_viewer.json()["error"]["code"]) == (403, "forbidden")
    assert (bad_period.status_code, bad_period.json()["error"]["code"]) == (422, "invalid_input")
    assert (backwards.status_code, backwards.json()["error"]["code"]) == (422, "invalid_period")
    assert "testing-secret" not in bad_period.text
    metering_service.settings.allow_endpoint_override = False
    refused = await client.post(url, json=body, headers=metering_service.auth())
    assert refused.json()["error"]["code"] == "endpoint_override_disabled"
