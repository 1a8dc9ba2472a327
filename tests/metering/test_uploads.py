"""Billing files uploaded over REST: the same stage, check and swap as a CUR delivery."""

from __future__ import annotations

from decimal import Decimal

from tests.fixtures.metering import MeteringService
from tests.metering.cur_files import csv_gzip, cur_row, lines_for, parquet, total
from tests.metering.upload_files import csv_bytes as focus_csv
from tests.metering.upload_files import (
    daily_totals_and_line_items,
    focus_lines,
    focus_row,
    summary,
    totals,
    upload,
)

PERIOD = "2024-05"


async def _stored(service: MeteringService) -> Decimal:
    lines = lines_for(PERIOD, 6)
    answer = await upload(service, csv_gzip([cur_row(PERIOD, line) for line in lines]), "cur2")
    assert answer.status_code == 201, answer.text
    return total(lines)


async def test_a_cur_file_uploaded_as_multipart_or_raw_body_equals_the_bill(
    metering_service: MeteringService,
) -> None:
    may, june = lines_for(PERIOD, 9), lines_for("2024-06", 5, scale="2")

    multipart = await upload(metering_service, csv_gzip([cur_row(PERIOD, x) for x in may]), "cur2")
    raw = await upload(metering_service, parquet([cur_row("2024-06", x) for x in june]), "cur2",
                       name="june.parquet", raw=True)  # fmt: skip

    assert (multipart.status_code, raw.status_code) == (201, 201), raw.text
    delivery = multipart.json()["delivery"]
    assert (delivery["status"], delivery["row_count"]) == ("succeeded", len(may))
    assert (delivery["source"], delivery["files"]) == ("upload_cur2", ["bill.csv.gz"])
    assert Decimal(delivery["billed_cost_total"]) == total(may)
    assert raw.json()["delivery"]["files"] == ["june.parquet"]
    assert (await totals(metering_service, PERIOD))[0] == total(may)
    assert (await totals(metering_service, "2024-06"))[0] == total(june)


async def test_an_identical_file_is_skipped_and_a_different_one_restates_the_period(
    metering_service: MeteringService,
) -> None:
    original = csv_gzip([cur_row(PERIOD, x) for x in lines_for(PERIOD, 5)])
    restated_lines = lines_for(PERIOD, 8, scale="1.1")

    first = await upload(metering_service, original, "cur2")
    repeat = await upload(metering_service, original, "cur2", name="again.csv.gz")
    second = await upload(metering_service, csv_gzip([cur_row(PERIOD, x) for x in restated_lines]),
                          "cur2")  # fmt: skip

    assert repeat.json()["outcome"] == "skipped"
    assert repeat.json()["delivery"]["id"] == first.json()["delivery"]["id"]
    assert second.json()["outcome"] == "ingested"
    assert (await totals(metering_service, PERIOD))[0] == total(restated_lines)
    listed = await metering_service.client.get("/deliveries", headers=metering_service.auth())
    statuses = {d["id"]: d["status"] for d in listed.json()["items"]}
    assert statuses == {first.json()["delivery"]["id"]: "superseded",
                        second.json()["delivery"]["id"]: "succeeded"}  # fmt: skip


async def test_a_bad_value_names_file_row_and_column_and_changes_nothing(
    metering_service: MeteringService,
) -> None:
    stored = await _stored(metering_service)
    rows = [cur_row(PERIOD, line) for line in lines_for(PERIOD, 5)]
    rows[8]["line_item_unblended_cost"] = "4.2.1"

    answer = await upload(metering_service, csv_gzip(rows), "cur2", name="broken.csv.gz")

    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "delivery_rejected"
    assert (error["details"]["file"], error["details"]["row"]) == ("broken.csv.gz", 9)
    assert "line_item_unblended_cost" in error["message"]
    assert (await totals(metering_service, PERIOD))[0] == stored
    listed = await metering_service.client.get("/deliveries", headers=metering_service.auth())
    failed = [d for d in listed.json()["items"] if d["status"] == "failed"]
    assert [d["id"] for d in failed] == [error["details"]["delivery_id"]]


async def test_a_bad_header_and_a_truncated_gzip_are_refused(
    metering_service: MeteringService,
) -> None:
    stored = await _stored(metering_service)
    rows = [cur_row(PERIOD, line) for line in lines_for(PERIOD, 30)]
    headless = [{k: v for k, v in row.items() if k != "bill_payer_account_id"} for row in rows]
    whole = csv_gzip(rows)

    no_payer = await upload(metering_service, csv_gzip(headless), "cur2")
    cut = await upload(metering_service, whole[: len(whole) * 2 // 3], "cur2", name="cut.csv.gz")

    assert no_payer.status_code == 422
    assert no_payer.json()["error"]["details"]["row"] == 0
    assert "bill_payer_account_id" in no_payer.json()["error"]["message"]
    assert cut.status_code == 422
    assert cut.json()["error"]["details"]["file"] == "cut.csv.gz"
    assert 1 < cut.json()["error"]["details"]["row"] <= len(rows)
    assert (await totals(metering_service, PERIOD))[0] == stored


async def test_a_file_in_the_wrong_format_or_too_large_is_refused(
    metering_service: MeteringService,
) -> None:
    stored = await _stored(metering_service)
    focus = focus_csv([focus_row(PERIOD, line) for line in focus_lines(3)])

    as_cur = await upload(metering_service, focus, "cur2")
    unknown = await upload(metering_service, focus, "cur3")
    metering_service.settings.upload_max_bytes = 100
    too_big = await upload(metering_service, focus, "focus", raw=True)

    assert (as_cur.status_code, as_cur.json()["error"]["details"]["row"]) == (422, 0)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "invalid_input")
    assert (too_big.status_code, too_big.json()["error"]["code"]) == (413, "upload_too_large")
    assert (await totals(metering_service, PERIOD))[0] == stored


async def test_uploads_belong_to_the_uploading_company_and_need_an_operator(
    metering_service: MeteringService,
) -> None:
    stored = await _stored(metering_service)
    data = csv_gzip([cur_row(PERIOD, x) for x in lines_for(PERIOD, 2)])
    globex = metering_service.auth("globex", "viewer")

    as_viewer = await upload(metering_service, data, "cur2", role="viewer")
    deliveries = await metering_service.client.get("/deliveries", headers=globex)
    before = await summary(metering_service, PERIOD, tenant="globex")
    same_file = await upload(metering_service, csv_gzip([cur_row(PERIOD, x)
                                                         for x in lines_for(PERIOD, 6)]),
                             "cur2", tenant="globex")  # fmt: skip

    assert (as_viewer.status_code, as_viewer.json()["error"]["code"]) == (403, "forbidden")
    assert deliveries.json()["items"] == []
    assert before == []
    # The same bytes from another company are its own delivery, not a skip of acme's.
    assert same_file.json()["outcome"] == "ingested"
    assert (await totals(metering_service, PERIOD, tenant="globex"))[0] == stored
    assert (await totals(metering_service, PERIOD))[0] == stored


async def test_daily_totals_follow_every_write_to_the_line_items(
    metering_service: MeteringService,
) -> None:
    await _stored(metering_service)
    restated = csv_gzip([cur_row(PERIOD, x) for x in lines_for(PERIOD, 9, scale="1.3")])
    assert (await upload(metering_service, restated, "cur2")).status_code == 201
    found, expected = await daily_totals_and_line_items(metering_service)
    assert found == expected
    assert len(found) > 9 * 4


async def test_a_cur_file_with_rows_of_another_billing_period_is_refused(
    metering_service: MeteringService,
) -> None:
    """Its rows are staged with the period of the first row's manifest, so the rows' own
    are checked as they are read: a CSV and a Parquet file alike."""
    may = [cur_row("2024-05", line) for line in lines_for("2024-05", 3)]
    june = [cur_row("2024-06", line) for line in lines_for("2024-06", 1)]

    answers = [await upload(metering_service, csv_gzip(may + june), "cur2"),
               await upload(metering_service, parquet(may + june), "cur2",
                            name="bill.parquet")]  # fmt: skip

    for answer in answers:
        error = answer.json()["error"]
        assert (answer.status_code, error["code"]) == (422, "delivery_check_failed")
        assert "another billing period" in error["message"]
    assert await summary(metering_service, "2024-05") == []
