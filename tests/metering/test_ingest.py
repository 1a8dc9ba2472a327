"""CUR 2.0 ingest from moto's S3 through the real aiobotocore client."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text

from nephos_metering.costs.models import Cost
from tests.fixtures.metering import MeteringService
from tests.metering.cur_files import (
    csv_gzip,
    cur_row,
    ingest_body,
    lines_for,
    parquet,
    put_delivery,
    total,
)

ACCOUNT = str(uuid.uuid4())


async def ingest(service: MeteringService, body: dict[str, Any], tenant: str = "acme") -> Any:
    url = f"/accounts/{ACCOUNT}/cur-ingests"
    return await service.client.post(url, json=body, headers=service.auth(tenant, "operator"))


async def billed(service: MeteringService, start: str, end: str, tenant: str = "acme") -> Decimal:
    params = {"from": start, "to": end, "group_by": "charge_category"}
    answer = await service.client.get("/costs/summary", params=params,
                                      headers=service.auth(tenant, "viewer"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return sum((Decimal(i["billed_cost"]) for i in answer.json()["items"]), Decimal(0))


async def test_csv_and_parquet_deliveries_equal_the_bill(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    may, june = lines_for("2024-05", 10), lines_for("2024-06", 6, scale="3")
    may_rows = [cur_row("2024-05", line) for line in may]
    files = {"part-1.csv.gz": csv_gzip(may_rows[:13]), "part-2.csv.gz": csv_gzip(may_rows[13:])}
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", files)
    june_rows = [cur_row("2024-06", line) for line in june]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-06",
                            {"part-1.snappy.parquet": parquet(june_rows)})  # fmt: skip

    first = await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))
    second = await ingest(metering_service, ingest_body(fresh_moto, "2024-06"))

    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    delivery = first.json()["delivery"]
    assert first.json()["outcome"] == "ingested"
    assert (delivery["status"], delivery["row_count"]) == ("succeeded", len(may))
    assert Decimal(delivery["billed_cost_total"]) == total(may)
    assert delivery["billing_account_id"] == "111122223333"
    assert len(delivery["files"]) == 2
    assert await billed(metering_service, "2024-05-01", "2024-05-31") == total(may)
    assert await billed(metering_service, "2024-06-01", "2024-06-30") == total(june)


async def test_summary_groups_and_amortises(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    lines = lines_for("2024-05", 4)
    rows = [cur_row("2024-05", line) for line in lines]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.parquet": parquet(rows)})
    assert (await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))).status_code == 201

    params = {"from": "2024-05-01", "to": "2024-05-31", "group_by": "service"}
    answer = await metering_service.client.get(
        "/costs/summary", params=params, headers=metering_service.auth()
    )

    by_service = {i["key"]: i for i in answer.json()["items"]}
    ec2 = [line for line in lines if line.service == 0]
    assert Decimal(by_service["Amazon Elastic Compute Cloud"]["billed_cost"]) == total(ec2)
    effective = total(ec2) - Decimal("5.5") + Decimal("3.3000000001")
    assert Decimal(by_service["Amazon Elastic Compute Cloud"]["effective_cost"]) == effective
    s3 = [line for line in lines if line.service == 1]
    assert Decimal(by_service["Amazon Simple Storage Service"]["billed_cost"]) == total(s3)
    regions = await metering_service.client.get(
        "/costs/summary", params={**params, "group_by": "region"}, headers=metering_service.auth()
    )
    assert {i["key"] for i in regions.json()["items"]} == {"us-east-1", "eu-west-1"}


async def test_restatement_replaces_the_period_and_a_repeat_is_skipped(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    original, restated = lines_for("2024-05", 5), lines_for("2024-05", 8, scale="1.1")
    rows = [cur_row("2024-05", line) for line in original]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    first = await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))
    repeat = await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))
    new_rows = [cur_row("2024-05", line) for line in restated]
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05", {"a.csv.gz": csv_gzip(new_rows)})
    second = await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))

    assert repeat.json()["outcome"] == "skipped"
    assert repeat.json()["delivery"]["id"] == first.json()["delivery"]["id"]
    assert second.json()["outcome"] == "ingested"
    assert await billed(metering_service, "2024-05-01", "2024-05-31") == total(restated)
    listed = await metering_service.client.get("/deliveries", headers=metering_service.auth())
    statuses = {d["id"]: d["status"] for d in listed.json()["items"]}
    assert statuses == {first.json()["delivery"]["id"]: "superseded",
                        second.json()["delivery"]["id"]: "succeeded"}  # fmt: skip


async def test_tabs_newlines_and_backslashes_are_stored_as_the_bill_wrote_them(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    rows = [cur_row("2024-05", line) for line in lines_for("2024-05", 1)]
    written = ['tab\there, line\nbreak, \\N, C:\\temp, "quoted"', "\\.", "carriage\rreturn"]
    tags = {"path": "C:\\new\\temp", "note": "tab\tand\nline", "quote": '"x"'}
    for n, row in enumerate(rows):
        row["line_item_line_item_description"] = written[n % len(written)]
        row["resource_tags"] = tags
    await asyncio.to_thread(put_delivery, fresh_moto, "2024-05",
                            {"part-1.csv.gz": csv_gzip(rows)})  # fmt: skip

    answer = await ingest(metering_service, ingest_body(fresh_moto, "2024-05"))

    assert answer.status_code == 201, answer.text
    delivery = answer.json()["delivery"]
    async with metering_service.app.state.database.transaction() as session:
        stored = (await session.execute(select(Cost.charge_description, Cost.tags))).all()
        stamps = (await session.execute(
            select(Cost.tenant, Cost.account_id, Cost.delivery_id).distinct()
        )).all()  # fmt: skip
        defaults = (await session.execute(text(
            "SELECT count(*) FROM pg_attrdef WHERE adrelid = CAST(:t AS regclass)"
        ), {"t": f"costs_d_{delivery['id'].replace('-', '')}"})).scalar_one()  # fmt: skip
    assert {description for description, _ in stored} == set(written)
    assert all(stored_tags == tags for _, stored_tags in stored)
    assert [(t, str(a), str(d)) for t, a, d in stamps] == [("acme", ACCOUNT, delivery["id"])]
    assert defaults == 1  # the id's: the stamp's defaults are gone once the rows are in
