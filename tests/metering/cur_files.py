"""CUR 2.0 deliveries built by the tests: known rows, written as gzip CSV or
Parquet, put into moto's S3 with boto3 (not the code under test), with a manifest.

Amounts are ``Decimal`` here; expected totals are summed from these values,
independently of the service.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

BUCKET = "billing"
PREFIX = "cur"
EXPORT = "nephos-export"
PAYER = "111122223333"
KEYS = {"access_key_id": "AKIAEXAMPLEKEY000001", "secret_access_key": "testing-secret"}
SERVICES = (("AmazonEC2", "Amazon Elastic Compute Cloud", "us-east-1"),
            ("AmazonS3", "Amazon Simple Storage Service", "eu-west-1"),
            ("AmazonRDS", "Amazon Relational Database Service", "us-east-1"))  # fmt: skip
MONEY = ("line_item_unblended_cost", "line_item_net_unblended_cost",
         "pricing_public_on_demand_cost", "savings_plan_savings_plan_effective_cost")  # fmt: skip


@dataclass
class Line:
    day: int
    service: int
    cost: Decimal
    kind: str = "Usage"
    effective: Decimal | None = None
    tags: dict[str, str] = field(default_factory=dict)


def month_start(period: str) -> datetime:
    return datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)


def lines_for(period: str, days: int, scale: str = "1") -> list[Line]:
    """Several lines per day over three services, with awkward decimals."""
    out = []
    for day in range(1, days + 1):
        for service in range(3):
            cost = Decimal(f"{day}.{service + 1}234567891") * Decimal(scale)
            out.append(Line(day, service, cost, tags={"team": f"t{service}"}))
    out.append(Line(2, 0, Decimal("0.07"), kind="Tax"))
    out.append(Line(3, 0, Decimal("5.5"), kind="SavingsPlanCoveredUsage",
                    effective=Decimal("3.3000000001")))  # fmt: skip
    return out


def cur_row(period: str, line: Line) -> dict[str, Any]:
    start = month_start(period)
    end = (start + timedelta(days=32)).replace(day=1)
    usage_start = start + timedelta(days=line.day - 1)
    code, name, region = SERVICES[line.service]
    return {
        "bill_payer_account_id": PAYER,
        "bill_invoice_id": f"EUINGB{start:%y%m}-0001",
        "bill_billing_period_start_date": start,
        "bill_billing_period_end_date": end,
        "line_item_usage_account_id": "444455556666",
        "line_item_usage_start_date": usage_start,
        "line_item_usage_end_date": usage_start + timedelta(days=1),
        "line_item_line_item_type": line.kind,
        "line_item_unblended_cost": line.cost,
        "line_item_net_unblended_cost": line.cost,
        "pricing_public_on_demand_cost": line.cost * 2,
        "savings_plan_savings_plan_effective_cost": line.effective,
        "savings_plan_savings_plan_a_r_n": "arn:aws:savingsplans::1:sp/x" if line.effective else "",
        "line_item_currency_code": "USD",
        "line_item_product_code": code,
        "line_item_resource_id": f"i-{line.day:04d}{line.service}",
        "line_item_usage_amount": Decimal("24"),
        "pricing_unit": "Hrs",
        "product_region_code": region,
        "product": {"product_name": name},
        "resource_tags": line.tags,
    }


def csv_gzip(rows: Sequence[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return gzip.compress(text.getvalue().encode())


def _csv_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dict):
        return json.dumps(value)
    return "" if value is None else str(value)


def parquet(rows: Sequence[dict[str, Any]]) -> bytes:
    """As AWS writes it: money as DOUBLE, timestamps, and map columns."""
    columns: dict[str, Any] = {}
    for name in rows[0]:
        values = [row[name] for row in rows]
        if name in MONEY or name == "line_item_usage_amount":
            columns[name] = pa.array([None if v is None else float(v) for v in values])
        elif name in ("product", "resource_tags"):
            columns[name] = pa.array([list(v.items()) for v in values],
                                     type=pa.map_(pa.string(), pa.string()))  # fmt: skip
        else:
            columns[name] = pa.array(values)
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


def s3_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=KEYS["access_key_id"],
                        aws_secret_access_key=KEYS["secret_access_key"])  # fmt: skip


def put_delivery(endpoint: str, period: str, files: dict[str, bytes]) -> None:
    """Upload data files and the CUR 2.0 manifest listing them (bucket created if new)."""
    s3 = s3_client(endpoint)
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    base = f"{PREFIX}/{EXPORT}"
    keys = [f"{base}/data/BILLING_PERIOD={period}/{name}" for name in files]
    for key, body in zip(keys, files.values(), strict=True):
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    start = month_start(period)
    manifest = {
        "version": "2.0", "exportName": EXPORT,
        "billingPeriod": {"start": start.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
        "dataFiles": [f"s3://{BUCKET}/{key}" for key in keys],
    }  # fmt: skip
    key = f"{base}/metadata/BILLING_PERIOD={period}/{EXPORT}-Manifest.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(manifest).encode())


def ingest_body(endpoint: str, period: str, **overrides: Any) -> dict[str, Any]:
    body = {"bucket": BUCKET, "prefix": PREFIX, "export_name": EXPORT,
            "billing_period": period, "endpoint_url": endpoint, "credentials": KEYS}  # fmt: skip
    body.update(overrides)
    return body


def total(lines: Sequence[Line]) -> Decimal:
    return sum((line.cost for line in lines), Decimal(0))
