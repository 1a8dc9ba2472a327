"""A broken delivery is refused naming file and row; stored costs stay exactly as they were."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from tests.fixtures.metering import MeteringService
from tests.metering.cur_files import csv_gzip, cur_row, ingest_body, lines_for, put_delivery, total
from tests.metering.test_ingest import billed, ingest

PERIOD = "2024-05"


async def _good_delivery(service: MeteringService, moto: str) -> Decimal:
    lines = lines_for(PERIOD, 6)
    rows = [cur_row(PERIOD, line) for line in lines]
    await asyncio.to_thread(put_delivery, moto, PERIOD, {"a.csv.gz": csv_gzip(rows)})
    assert (await ingest(service, ingest_body(moto, PERIOD))).status_code == 201
    return total(lines)


async def _broken(service: MeteringService, moto: str, second_file: bytes) -> Any:
    rows = [cur_row(PERIOD, line) for line in lines_for(PERIOD, 9)]
    files = {"a.csv.gz": csv_gzip(rows), "b.csv.gz": second_file}
    await asyncio.to_thread(put_delivery, moto, PERIOD, files)
    return await ingest(service, ingest_body(moto, PERIOD))


async def test_a_bad_value_on_row_n_names_file_and_row(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    stored = await _good_delivery(metering_service, fresh_moto)
    rows = [cur_row(PERIOD, line) for line in lines_for(PERIOD, 5)]
    rows[11]["line_item_unblended_cost"] = "12.3x"

    answer = await _broken(metering_service, fresh_moto, csv_gzip(rows))

    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "delivery_rejected"
    assert error["details"]["file"].endswith("b.csv.gz")
    assert error["details"]["row"] == 12
    assert "line_item_unblended_cost" in error["message"]
    assert await billed(metering_service, "2024-05-01", "2024-05-31") == stored
    listed = await metering_service.client.get("/deliveries", headers=metering_service.auth())
    failed = [d for d in listed.json()["items"] if d["status"] == "failed"]
    assert failed[0]["error_details"]["row"] == 12
    assert failed[0]["id"] == error["details"]["delivery_id"]


async def test_a_truncated_gzip_is_refused(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    stored = await _good_delivery(metering_service, fresh_moto)
    rows = [cur_row(PERIOD, line) for line in lines_for(PERIOD, 30)]
    whole = csv_gzip(rows)

    answer = await _broken(metering_service, fresh_moto, whole[: len(whole) * 2 // 3])

    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (422, "delivery_rejected")
    assert error["details"]["file"].endswith("b.csv.gz")
    assert 1 < error["details"]["row"] <= len(rows)
    assert await billed(metering_service, "2024-05-01", "2024-05-31") == stored


async def test_a_bad_header_and_an_unknown_charge_type_are_refused(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    stored = await _good_delivery(metering_service, fresh_moto)
    rows = [cur_row(PERIOD, line) for line in lines_for(PERIOD, 2)]
    headless = [{k: v for k, v in row.items() if k != "line_item_currency_code"} for row in rows]
    rows[3]["line_item_line_item_type"] = "Mystery"

    no_currency = await _broken(metering_service, fresh_moto, csv_gzip(headless))
    mystery = await _broken(metering_service, fresh_moto, csv_gzip(rows))

    assert no_currency.json()["error"]["details"]["row"] == 0
    assert "line_item_currency_code" in no_currency.json()["error"]["message"]
    assert mystery.json()["error"]["details"]["row"] == 4
    assert await billed(metering_service, "2024-05-01", "2024-05-31") == stored


async def test_a_missing_manifest_is_a_clear_404(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    await _good_delivery(metering_service, fresh_moto)

    answer = await ingest(metering_service, ingest_body(fresh_moto, "2023-01"))

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "s3_object_not_found"
