"""A realistic CUR 2.0 data file for the ingest bench, written straight to disk.

Many resources, services, regions, usage accounts and tags; mostly usage with
the other line item types AWS writes (savings plan and reservation usage,
fees, tax, credits), amounts with up to ten decimals. Written as gzip CSV or
Parquet in slices so the generator's own memory stays small. Deterministic
(seeded), so every run ingests the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

PAYER = "123456789012"
COLUMNS = (
    "bill_payer_account_id", "bill_billing_period_start_date", "bill_billing_period_end_date",
    "line_item_usage_account_id", "line_item_usage_start_date", "line_item_usage_end_date",
    "line_item_line_item_type", "line_item_line_item_description", "line_item_unblended_cost",
    "line_item_net_unblended_cost", "line_item_currency_code", "line_item_product_code",
    "line_item_usage_type", "line_item_operation", "line_item_resource_id",
    "line_item_usage_amount", "pricing_unit", "pricing_public_on_demand_cost",
    "product_region_code", "product_sku", "product_product_family", "product",
    "resource_tags", "savings_plan_savings_plan_a_r_n", "savings_plan_savings_plan_effective_cost",
    "reservation_reservation_a_r_n", "reservation_effective_cost",
)  # fmt: skip
MONEY = {"line_item_unblended_cost", "line_item_net_unblended_cost",
         "pricing_public_on_demand_cost", "savings_plan_savings_plan_effective_cost",
         "reservation_effective_cost", "line_item_usage_amount"}  # fmt: skip
SERVICES = (
    ("AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "BoxUsage:m5.large",
     "RunInstances", "Hrs"),
    ("AmazonS3", "Amazon Simple Storage Service", "Storage", "TimedStorage-ByteHrs",
     "PutObject", "GB-Mo"),
    ("AmazonRDS", "Amazon Relational Database Service", "Database Instance",
     "InstanceUsage:db.r5.large", "CreateDBInstance", "Hrs"),
    ("AWSLambda", "AWS Lambda", "Serverless", "Lambda-GB-Second", "Invoke", "Lambda-GB-Second"),
    ("AmazonDynamoDB", "Amazon DynamoDB", "Database Storage", "TimedStorage-ByteHrs",
     "PayPerRequestThroughput", "GB-Mo"),
    ("AmazonCloudFront", "Amazon CloudFront", "Data Transfer", "DataTransfer-Out-Bytes",
     "GET", "GB"),
    ("AmazonVPC", "Amazon Virtual Private Cloud", "VpcEndpoint", "VpcEndpoint-Hours",
     "VpcEndpoint", "Hrs"),
    ("AmazonCloudWatch", "AmazonCloudWatch", "Metric", "CW:MetricMonitorUsage",
     "MetricStorage", "Metrics"),
    ("AmazonEKS", "Amazon Elastic Container Service for Kubernetes", "Compute",
     "AmazonEKS-Hours:perCluster", "CreateOperation", "Hrs"),
    ("AmazonElastiCache", "Amazon ElastiCache", "Cache Instance", "NodeUsage:cache.m5.large",
     "CreateCacheCluster", "Hrs"),
    ("awskms", "AWS Key Management Service", "Encryption Key", "KMS-Keys", "CreateKey", "Keys"),
    ("AmazonEFS", "Amazon Elastic File System", "Storage", "TimedStorage-ByteHrs", "", "GB-Mo"),
)  # fmt: skip
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-west-3",
           "ap-southeast-1", "ap-northeast-1", "ap-south-1", "sa-east-1", "ca-central-1",
           "eu-north-1")  # fmt: skip
TEAMS = ("payments", "search", "platform", "data", "mobile", "web", "ml", "security")
ENVS = ("prod", "staging", "dev", "test")
# Line item types with their weight out of 1000 rows.
KINDS = (("Usage", 900), ("SavingsPlanCoveredUsage", 40), ("DiscountedUsage", 30),
         ("Tax", 15), ("Credit", 10), ("Fee", 5))  # fmt: skip
SP_ARN = "arn:aws:savingsplans::123456789012:savingsplan/1f1f1f1f-aaaa-bbbb-cccc-000000000001"
RI_ARN = "arn:aws:ec2:us-east-1:123456789012:reserved-instances/2e2e2e2e-aaaa-bbbb-cccc-0001"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Generator:
    """Rows of one billing period, ``rows`` in all, over ``resources`` resources."""

    def __init__(self, period: str, rows: int, resources: int = 50_000, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.start = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)
        self.end = (self.start + timedelta(days=32)).replace(day=1)
        self.hours = int((self.end - self.start).total_seconds() // 3600)
        self.rows = rows
        self.accounts = [f"{100000000000 + i * 7919}" for i in range(40)]
        self.kinds = [kind for kind, weight in KINDS for _ in range(weight)]
        self.resources = [self._resource(i) for i in range(resources)]
        self.billed_units = 0
        """Sum of every row's unblended cost in ten-billionths, kept while writing."""

    def _resource(self, index: int) -> tuple[Any, ...]:
        rng = self.rng
        service = rng.randrange(len(SERVICES))
        tags = {
            "team": rng.choice(TEAMS),
            "env": rng.choice(ENVS),
            "app": f"app-{rng.randrange(300)}",
            "cost-center": f"cc-{rng.randrange(60)}",
        }
        if rng.random() < 0.3:
            tags["owner"] = f"user{rng.randrange(500)}@example.com"
        return (service, rng.choice(REGIONS), rng.choice(self.accounts),
                f"arn:aws:{SERVICES[service][0].lower()}:res/{index:08d}",
                json.dumps(tags), f"SKU{service:02d}{rng.randrange(40):04d}")  # fmt: skip

    def __iter__(self) -> Iterator[list[Any]]:
        rng = self.rng
        period = (_stamp(self.start), _stamp(self.end))
        products = [json.dumps({"product_name": s[1]}) for s in SERVICES]
        stamps = [_stamp(self.start + timedelta(hours=h)) for h in range(self.hours + 1)]
        hours = list(pairwise(stamps))
        for _ in range(self.rows):
            service, region, account, resource, tags, sku = rng.choice(self.resources)
            code, _, family, usage_type, operation, unit = SERVICES[service]
            kind = rng.choice(self.kinds)
            cents = rng.randrange(1, 5_000_000_000)
            signed = -cents if kind == "Credit" else cents
            self.billed_units += signed
            cost = _decimal(signed)
            sp = kind == "SavingsPlanCoveredUsage"
            ri = kind == "DiscountedUsage"
            yield [
                PAYER, *period, account, *rng.choice(hours), kind, f"{usage_type} in {region}",
                cost, cost, "USD", code, usage_type, operation,
                resource if kind not in ("Tax", "Credit") else "",
                _decimal(rng.randrange(1, 10_000_000), 6), unit, _decimal(cents * 2), region,
                sku, family, products[service], tags, SP_ARN if sp else "",
                _decimal(cents * 7 // 10) if sp else "", RI_ARN if ri else "",
                _decimal(cents * 6 // 10) if ri else "",
            ]  # fmt: skip


def _decimal(units: int, places: int = 10) -> str:
    """``units`` ten-billionths (or 10**-places) as exact decimal text."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{part:0{places}d}"


def write_csv_gzip(path: str, generator: Generator) -> None:
    with gzip.open(path, "wt", newline="", compresslevel=6) as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(generator)


def write_parquet(path: str, generator: Generator, slice_rows: int = 100_000) -> None:
    """As AWS writes CUR 2.0 Parquet: money as DOUBLE, maps for product and tags."""
    schema = pa.schema([
        (name, pa.float64() if name in MONEY else
         pa.map_(pa.string(), pa.string()) if name in ("product", "resource_tags") else
         pa.string()) for name in COLUMNS
    ])  # fmt: skip
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[list[Any]] = []
        for row in generator:
            batch.append(row)
            if len(batch) == slice_rows:
                writer.write_table(_table(batch, schema))
                batch = []
        if batch:
            writer.write_table(_table(batch, schema))


def _table(rows: list[list[Any]], schema: pa.Schema) -> pa.Table:
    columns = []
    for index, field in enumerate(schema):
        values = [row[index] for row in rows]
        if field.name in MONEY:
            values = [None if v == "" else float(v) for v in values]
        elif field.name in ("product", "resource_tags"):
            values = [list(json.loads(v).items()) for v in values]
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)
