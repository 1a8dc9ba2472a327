"""One CUR ingest in a process of its own (run by ``bench.child``): the real path.

``ingest_cur`` reads the manifest and the data file from moto's S3 over HTTP
with aiobotocore, maps every line item, COPYs it into staging, checks and
swaps the period in (the daily totals follow by trigger). Only that call is
timed; tag keys to mark as cost allocation tags are marked before it, and a
service group of bench resources is made (its totals adjusted) when asked.
Optionally profiled (cProfile, by own time).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import resource
import time
import uuid
from typing import Any

from bench.metering.groups import service_group
from nephos_common.db import Database
from nephos_metering.costtags import service as costtags
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.s3 import S3Access
from nephos_metering.ingest.service import CurIngest, ingest_cur
from nephos_metering.models import load_all

TENANT = "bench"
KEYS = ("AKIAEXAMPLEKEY000001", "bench-secret")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _top(profiler: cProfile.Profile, lines: int = 25) -> str:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(lines)
    return out.getvalue()


async def run_ingest(
    database_url: str, endpoint: str, bucket: str, prefix: str, export: str, period: str,
    batch_rows: int, profile: bool = False, allocation_tags: list[str] | None = None,
    group_members: int = 0, resources: int = 0,
) -> dict[str, Any]:  # fmt: skip
    load_all()
    database = Database(database_url, pool_size=2)
    for key in allocation_tags or ():
        async with database.transaction() as session:
            await costtags.mark(session, TENANT, key, "bench")
            await costtags.build(session, TENANT, key)
    account = uuid.uuid4()
    if group_members:
        every = resources // group_members
        members = [f"arn:aws:bench:res/{n:08d}" for n in range(0, resources, every)]
        await service_group(database, TENANT, account, members)  # its totals adjusted
    job = CurIngest(
        tenant=TENANT, account_id=account, bucket=bucket, prefix=prefix,
        export_name=export, period=BillingPeriod.of_month(period), format="cur2",
        access=S3Access(KEYS[0], KEYS[1], endpoint_url=endpoint),
    )  # fmt: skip
    profiler = cProfile.Profile() if profile else None
    try:
        cpu, started = _cpu(), time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = await ingest_cur(database, job, batch_rows)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    finally:
        await database.dispose()
    delivery = outcome.delivery
    return {"outcome": outcome.outcome, "rows": delivery.row_count, "seconds": seconds,
            "cpu_seconds": cpu, "billed": str(delivery.billed_cost_total),
            "profile": _top(profiler) if profiler else ""}  # fmt: skip
