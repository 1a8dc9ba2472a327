"""Legacy CUR (``category/FieldName`` headers, ``reportKeys`` manifest) lands like CUR 2.0."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from tests.fixtures.metering import MeteringService
from tests.metering.cur_files import (
    BUCKET,
    EXPORT,
    PREFIX,
    csv_gzip,
    cur_row,
    ingest_body,
    lines_for,
    s3_client,
    total,
)
from tests.metering.test_ingest import billed, ingest

LEGACY = {
    "bill_payer_account_id": "bill/PayerAccountId",
    "bill_billing_period_start_date": "bill/BillingPeriodStartDate",
    "bill_billing_period_end_date": "bill/BillingPeriodEndDate",
    "line_item_usage_account_id": "lineItem/UsageAccountId",
    "line_item_usage_start_date": "lineItem/UsageStartDate",
    "line_item_usage_end_date": "lineItem/UsageEndDate",
    "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_unblended_cost": "lineItem/UnblendedCost",
    "line_item_net_unblended_cost": "lineItem/NetUnblendedCost",
    "pricing_public_on_demand_cost": "pricing/publicOnDemandCost",
    "savings_plan_savings_plan_effective_cost": "savingsPlan/SavingsPlanEffectiveCost",
    "savings_plan_savings_plan_a_r_n": "savingsPlan/SavingsPlanARN",
    "line_item_currency_code": "lineItem/CurrencyCode",
    "line_item_product_code": "lineItem/ProductCode",
    "line_item_resource_id": "lineItem/ResourceId",
    "line_item_usage_amount": "lineItem/UsageAmount",
    "pricing_unit": "pricing/unit",
    "product_region_code": "product/regionCode",
}


def legacy_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {LEGACY[k]: v for k, v in row.items() if k in LEGACY}
    out["product/ProductName"] = row["product"]["product_name"]
    out["resourceTags/user:team"] = row["resource_tags"].get("team", "")
    return out


def put_legacy(endpoint: str, body: bytes) -> None:
    s3 = s3_client(endpoint)
    s3.create_bucket(Bucket=BUCKET)
    folder = f"{PREFIX}/{EXPORT}/20240501-20240601"
    data_key = f"{folder}/assembly-1/{EXPORT}-1.csv.gz"
    s3.put_object(Bucket=BUCKET, Key=data_key, Body=body)
    manifest = {"reportKeys": [data_key], "billingPeriod": {"start": "20240501T000000.000Z"}}
    s3.put_object(Bucket=BUCKET, Key=f"{folder}/{EXPORT}-Manifest.json",
                  Body=json.dumps(manifest).encode())  # fmt: skip


async def test_legacy_cur_is_ingested_with_tags_and_names(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    lines = lines_for("2024-05", 4)
    rows = [legacy_row(cur_row("2024-05", line)) for line in lines]
    await asyncio.to_thread(put_legacy, fresh_moto, csv_gzip(rows))

    answer = await ingest(metering_service, ingest_body(fresh_moto, "2024-05", format="legacy"))

    assert answer.status_code == 201, answer.text
    assert answer.json()["delivery"]["source"] == "aws_legacy"
    assert await billed(metering_service, "2024-05-01", "2024-05-31") == total(lines)
    params = {"from": "2024-05-01", "to": "2024-05-31", "group_by": "service"}
    summary = await metering_service.client.get(
        "/costs/summary", params=params, headers=metering_service.auth()
    )
    keys = {i["key"]: Decimal(i["billed_cost"]) for i in summary.json()["items"]}
    assert "Amazon Simple Storage Service" in keys
