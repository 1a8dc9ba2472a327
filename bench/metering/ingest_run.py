"""(a) Ingest of one generated CUR 2.0 file through moto's S3 into PostgreSQL.

The file is generated to disk, put into moto (its own process, server mode)
with boto3 under a CUR 2.0 manifest, and ingested by ``ingest_child`` in a
fresh process (so its peak RSS is the ingest's own), after a checkpoint of what
the set-up wrote. The ingested BilledCost total is compared with the generator's
own sum. For reference, PostgreSQL's own COPY of the same rows (read back from
``costs``) is timed too, into a table like ``costs`` with its indexes kept up
row by row, and into one without indexes: what the server alone spends on
storing the rows.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import boto3

from bench.child import run_child
from bench.database import POSTGRES_URL, Databases
from bench.metering.cur_file import Generator, write_csv_gzip, write_parquet
from bench.metering.ingest_child import KEYS
from bench.output import Figure, count, emit, figures, mib, seconds
from bench.servers import Server
from nephos_metering.ingest.cur import COST_COLUMNS

BUCKET = "bench-billing"
PREFIX = "cur"
EXPORT = "bench-export"
PERIOD = "2024-05"
RATE_GOAL = 100_000
RSS_GOAL_MIB = 500


@dataclass(frozen=True)
class IngestOptions:
    rows: int = 1_000_000
    batch_rows: int = 5000
    parquet: bool = False
    profile: bool = False
    allocation_tags: tuple[str, ...] = ()
    """Tag keys marked as cost allocation tags before ingest: each adds tag totals to build."""
    group_members: int = 0
    """Members of a service group of the ingesting company (0: none): its totals to keep."""


def _put(moto: Server, path: str, name: str) -> None:
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1",
                      aws_access_key_id=KEYS[0], aws_secret_access_key=KEYS[1])  # fmt: skip
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    key = f"{PREFIX}/{EXPORT}/data/BILLING_PERIOD={PERIOD}/{name}"
    s3.upload_file(path, BUCKET, key)
    manifest = {"version": "2.0", "exportName": EXPORT,
                "billingPeriod": {"start": f"{PERIOD}-01T00:00:00.000Z"},
                "dataFiles": [f"s3://{BUCKET}/{key}"]}  # fmt: skip
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{EXPORT}/metadata/BILLING_PERIOD={PERIOD}/"
                  f"{EXPORT}-Manifest.json", Body=json.dumps(manifest).encode())  # fmt: skip


async def _postgres_copy(database: str, spool: str) -> dict[str, Any]:
    """Time PostgreSQL's COPY of the ingested rows into fresh tables: indexed as a partition is
    (``costs_partition_template``), and not indexed."""
    conn = await asyncpg.connect(f"{POSTGRES_URL}/{database}")
    columns = list(COST_COLUMNS)
    try:
        await conn.copy_from_query(f"SELECT {', '.join(columns)} FROM costs", output=spool)
        await conn.execute("CREATE TABLE costs_bare (LIKE costs INCLUDING DEFAULTS)")
        started = time.perf_counter()
        await conn.copy_to_table("costs_bare", source=spool, columns=columns)
        bare = time.perf_counter() - started
        await conn.execute("CREATE TABLE costs_copy (LIKE costs_partition_template INCLUDING ALL)")
        started = time.perf_counter()
        await conn.copy_to_table("costs_copy", source=spool, columns=columns)
        elapsed = time.perf_counter() - started
        daily = await conn.fetchval("SELECT count(*) FROM cost_daily_totals")
        tagged = await conn.fetchval("SELECT count(*) FROM cost_tag_daily_totals")
        grouped = await conn.fetchval("SELECT count(*) FROM cost_group_daily_totals")
        held = await conn.fetchval("SELECT count(*) FROM costs")
    finally:
        await conn.close()
    return {
        "seconds": elapsed,
        "bare_seconds": bare,
        "daily_totals": daily,
        "tag_totals": tagged,
        "group_totals": grouped,
        "rows": held,
    }


def _one_kind(dbs: Databases, moto: Server, options: IngestOptions, kind: str,
              workdir: str) -> None:  # fmt: skip
    generator = Generator(PERIOD, options.rows)
    name = "part-00001.snappy.parquet" if kind == "parquet" else "part-00001.csv.gz"
    path = os.path.join(workdir, name)
    started = time.perf_counter()
    (write_parquet if kind == "parquet" else write_csv_gzip)(path, generator)
    made = time.perf_counter() - started
    emit(f"  generated {count(options.rows)} rows as {kind}: {os.path.getsize(path) / 2**20:.0f}"
         f" MiB in {made:.0f} s; into moto ...")  # fmt: skip
    _put(moto, path, name)
    url = dbs.fresh()
    dbs.checkpoint()
    result = run_child(
        "bench.metering.ingest_child:run_ingest", f"metering-ingest-{kind}", timeout=3600,
        database_url=url, endpoint=moto.url, bucket=BUCKET, prefix=PREFIX, export=EXPORT,
        period=PERIOD, batch_rows=options.batch_rows, profile=options.profile,
        allocation_tags=list(options.allocation_tags), group_members=options.group_members,
        resources=len(generator.resources),
    )  # fmt: skip
    os.unlink(path)
    expected = Decimal(generator.billed_units).scaleb(-10)
    reference = asyncio.run(_postgres_copy(url.rsplit("/", 1)[1], os.path.join(workdir, "spool")))
    rate = result["rows"] / result["seconds"]
    pg_rate = reference["rows"] / reference["seconds"]
    marked = ", ".join(options.allocation_tags) or "none"
    grouped = f"{options.group_members} assets" if options.group_members else "none"
    figures(f"(a) CUR 2.0 ingest, {kind}, moto S3 -> PostgreSQL (stage, check, swap, daily "
            f"totals; cost allocation tags marked: {marked}; service group: {grouped})", [
        Figure("rows ingested", count(result["rows"]), count(options.rows),
               result["rows"] == options.rows),
        Figure("BilledCost total equals the generator's sum", str(Decimal(result["billed"])),
               str(expected), Decimal(result["billed"]) == expected),
        Figure("wall time", seconds(result["seconds"])),
        Figure("CPU time of the ingest process", seconds(result["cpu_seconds"])),
        Figure("rows/s", f"{rate:,.0f}", f">= {RATE_GOAL:,}", rate >= RATE_GOAL),
        Figure("peak RSS of the ingest process", mib(result["peak_rss_mib"]),
               f"< {RSS_GOAL_MIB} MiB", result["peak_rss_mib"] < RSS_GOAL_MIB),
        Figure("daily total rows after the swap", count(reference["daily_totals"])),
        Figure("tag total rows after the swap", count(reference["tag_totals"])),
        Figure("service group total rows after the swap", count(reference["group_totals"])),
        Figure("reference: COPY into a table indexed as a partition",
               seconds(reference["seconds"])),
        Figure("reference: COPY into a table indexed as a partition, rows/s", f"{pg_rate:,.0f}"),
        Figure("reference: COPY into a table without indexes",
               seconds(reference["bare_seconds"])),
        Figure("reference: COPY into a table without indexes, rows/s",
               f"{reference['rows'] / reference['bare_seconds']:,.0f}"),
    ])  # fmt: skip
    if result["profile"]:
        emit(result["profile"])


def run_ingest(dbs: Databases, moto: Server, options: IngestOptions) -> None:
    with tempfile.TemporaryDirectory(prefix="nephos-bench-cur-") as workdir:
        for kind in ("csv_gzip", "parquet") if options.parquet else ("csv_gzip",):
            _one_kind(dbs, moto, options, kind, workdir)
