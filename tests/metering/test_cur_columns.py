"""The column-wise CUR mapping stores exactly what the row-wise reference mapping does."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nephos_metering.ingest import cur_columns
from nephos_metering.ingest.cur import COST_COLUMNS, CSV_COLUMNS, Stamp, to_focus
from tests.metering.cur_files import cur_row, lines_for, parquet, total

STAMP = Stamp("acme", uuid.uuid4(), uuid.uuid4())
SP = "arn:aws:savingsplans::1:savingsplan/abc"
RI = "arn:aws:ec2:us-east-1:1:reserved-instances/def"
BASE = {
    "bill_payer_account_id": "111122223333",
    "bill_invoice_id": "",
    "bill_billing_period_start_date": "2024-05-01T00:00:00.000Z",
    "bill_billing_period_end_date": "2024-06-01T00:00:00Z",
    "line_item_usage_account_id": " 444455556666 ",
    "line_item_usage_start_date": "2024-05-03T10:00:00.000Z",
    "line_item_usage_end_date": "2024-05-03 11:00:00",
    "line_item_line_item_type": "Usage",
    "line_item_line_item_description": "m5.large, per hour",
    "line_item_unblended_cost": "0.0960000001",
    "line_item_net_unblended_cost": "",
    "line_item_currency_code": "USD",
    "line_item_product_code": "AmazonEC2",
    "line_item_usage_type": "BoxUsage:m5.large",
    "line_item_operation": "RunInstances",
    "line_item_resource_id": "i-0abc",
    "line_item_usage_amount": "1",
    "pricing_unit": "Hrs",
    "pricing_public_on_demand_cost": "0.192",
    "product_region_code": "",
    "product_sku": "",
    "product_product_family": "Compute Instance",
    "product": json.dumps({"product_name": "Amazon EC2", "region": "us-east-1", "sku": "SKU1"}),
    "resource_tags": json.dumps({"team": "web", "cost-center": "cc-1"}),
    "savings_plan_savings_plan_a_r_n": "",
    "savings_plan_savings_plan_effective_cost": "",
    "savings_plan_total_commitment_to_date": "",
    "savings_plan_used_commitment": "",
    "reservation_reservation_a_r_n": "",
    "reservation_effective_cost": "",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "",
    "reservation_unused_recurring_fee": "",
}
VARIANTS: list[dict[str, str]] = [
    {},
    {"line_item_net_unblended_cost": "0.09", "product_region_code": " eu-west-1 ",
     "bill_invoice_id": "EUINGB24-123456"},
    {"line_item_unblended_cost": " 1.5E-3 ", "product": "", "resource_tags": ""},
    {"line_item_line_item_type": "SavingsPlanCoveredUsage", "savings_plan_savings_plan_a_r_n": SP,
     "savings_plan_savings_plan_effective_cost": "0.07"},
    {"line_item_line_item_type": "SavingsPlanNegation", "line_item_unblended_cost": "-0.096",
     "savings_plan_savings_plan_a_r_n": SP},
    {"line_item_line_item_type": "SavingsPlanRecurringFee", "line_item_resource_id": "",
     "savings_plan_savings_plan_a_r_n": SP, "savings_plan_total_commitment_to_date": "10.5",
     "savings_plan_used_commitment": "7.25"},
    {"line_item_line_item_type": "SavingsPlanUpfrontFee", "savings_plan_savings_plan_a_r_n": SP},
    {"line_item_line_item_type": "DiscountedUsage", "reservation_reservation_a_r_n": RI,
     "reservation_effective_cost": "0.05"},
    {"line_item_line_item_type": "RIFee", "reservation_reservation_a_r_n": RI,
     "reservation_unused_amortized_upfront_fee_for_billing_period": "1.25",
     "reservation_unused_recurring_fee": "0.5"},
    {"line_item_line_item_type": "Fee", "reservation_reservation_a_r_n": RI},
    {"line_item_line_item_type": "Fee", "line_item_product_code": "AWSSupport"},
    {"line_item_line_item_type": "Tax", "line_item_resource_id": "  ", "product_sku": "SKU9",
     "line_item_usage_amount": "", "pricing_unit": ""},
    {"line_item_line_item_type": "Credit", "line_item_unblended_cost": "-12.3400000000",
     "resource_tags": json.dumps({"team": "web", "n": 3, "gone": None}),
     "line_item_currency_code": "eur"},
    {"resource_tags": ' { "team" : "caf\\u00e9 \\"ops\\"", "env":"prod" } '},
    {"line_item_usage_start_date": "2024-05-31T23:00:00+00:00",
     "line_item_usage_end_date": "2024-06-01T00:00:00Z", "product": json.dumps({"region": ""})},
    {"line_item_line_item_description": 'tab\there\nC:\\N\\temp\r\\. "q"',
     "resource_tags": json.dumps({"path": "C:\\temp\tx"})},
]  # fmt: skip


def _batch(rows: list[dict[str, str]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema([(n, pa.string()) for n in rows[0]]))


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _columnar(value: Any, reference: Any) -> Any:
    if isinstance(reference, Decimal) and isinstance(value, str):
        return Decimal(value).normalize()
    if isinstance(reference, datetime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def test_every_line_item_type_maps_as_the_reference_does() -> None:
    rows = [{**BASE, **variant} for variant in VARIANTS]
    expected = [to_focus(row, STAMP) for row in rows]

    table, billed = cur_columns.focus_table(_batch(rows), STAMP)

    assert table.column_names == list(COST_COLUMNS)
    for got, want in zip(table.to_pylist(), expected, strict=True):
        mapped = {n: _columnar(got[n], w) for n, w in zip(COST_COLUMNS, want, strict=True)}
        assert mapped == {n: _comparable(w) for n, w in zip(COST_COLUMNS, want, strict=True)}
    assert billed == sum(Decimal(row[COST_COLUMNS.index("billed_cost")]) for row in expected)
    assert expected[5][COST_COLUMNS.index("effective_cost")] == Decimal("3.25")


def test_the_csv_of_both_paths_reads_back_the_same() -> None:
    rows = [{**BASE, **variant} for variant in VARIANTS]
    table, _ = cur_columns.focus_table(_batch(rows), STAMP)
    from_table = list(csv.reader(io.StringIO(cur_columns.table_csv(table).decode())))
    from_rows = list(csv.reader(io.StringIO(cur_columns.rows_csv(
        [to_focus(row, STAMP) for row in rows]).decode())))  # fmt: skip

    assert len(from_table) == len(from_rows) == len(rows)
    for got, want in zip(from_table, from_rows, strict=True):
        for name, a, b in zip(CSV_COLUMNS, got, want, strict=True):
            if name.endswith(("_cost", "_quantity")) and a and b:
                assert Decimal(a) == Decimal(b), name
            elif name.startswith(("billing_period", "charge_period")):
                assert datetime.fromisoformat(a) == datetime.fromisoformat(b), name
            else:
                assert a == b, name


@pytest.mark.parametrize(
    "change",
    [
        {"line_item_unblended_cost": "12,5"},
        {"line_item_unblended_cost": "1_000"},  # Decimal reads it; leave it to the reference
        {"line_item_unblended_cost": ""},
        {"line_item_line_item_type": "Mystery"},
        {"line_item_usage_start_date": "yesterday"},
        {"line_item_usage_end_date": "2024-05-03T09:00:00Z"},
        {"line_item_currency_code": "dollars"},
        {"product": "not json"},
        {"resource_tags": '{"team": "a\fb"}'},  # a raw control character: not JSON
        {"line_item_line_item_type": "DiscountedUsage", "reservation_effective_cost": ""},
        {"line_item_line_item_type": "RIFee", "reservation_unused_recurring_fee": "x"},
        {"bill_payer_account_id": " "},
    ],
)
def test_what_only_the_reference_can_read_or_name_is_handed_back(change: dict[str, str]) -> None:
    with pytest.raises(cur_columns.Unmapped):
        cur_columns.focus_table(_batch([BASE, {**BASE, **change}]), STAMP)


def test_a_parquet_batch_maps_as_the_reference_maps_its_typed_rows() -> None:
    lines = lines_for("2024-05", 3)
    lines[0].tags = {"team": 'say "hi"', "path": "C:\\temp", "city": "Zürich"}
    lines[1].tags = {}
    batch = pq.read_table(io.BytesIO(parquet([cur_row("2024-05", x) for x in lines])))
    batch = batch.combine_chunks().to_batches()[0]
    expected = [to_focus(row, STAMP) for row in batch.to_pylist()]

    table, billed = cur_columns.focus_table(cur_columns.as_text(batch), STAMP)

    for got, want in zip(table.to_pylist(), expected, strict=True):
        mapped = {n: _columnar(got[n], w) for n, w in zip(COST_COLUMNS, want, strict=True)}
        want_tags = json.loads(want[COST_COLUMNS.index("tags")])
        assert json.loads(mapped.pop("tags")) == want_tags
        assert mapped == {n: _comparable(w) for n, w in zip(COST_COLUMNS, want, strict=True)
                          if n != "tags"}  # fmt: skip
    assert billed == total(lines)


def test_a_parquet_map_with_a_control_character_is_handed_back() -> None:
    lines = lines_for("2024-05", 2)
    lines[1].tags = {"team": "a\x07b"}
    batch = pq.read_table(io.BytesIO(parquet([cur_row("2024-05", x) for x in lines])))

    with pytest.raises(cur_columns.Unmapped):
        cur_columns.as_text(batch.combine_chunks().to_batches()[0])
