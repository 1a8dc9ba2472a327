"""Metering outputs over one month of synthetic line items: the FOCUS export (CSV and
Parquet, each in its own process for its peak memory), the batch cost of 500
assets as the gateway's DataLoader asks it, and a recommendations recomputation.

The export's goal is memory that does not grow with the bill: its peak RSS is
printed beside the size of the file it streamed.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bench.child import run_child
from bench.database import databases
from bench.metering_outputs.fill import MONTH, TENANT, fill
from bench.output import Figure, count, emit, figures, heading, mib, seconds
from nephos_common.db import Database
from nephos_metering.allocation import service as allocation
from nephos_metering.allocation.models import AllocationAsset
from nephos_metering.models import load_all
from nephos_metering.recommendations import service as recommendations
from nephos_metering.settings import Settings

EXPORT_RSS_GOAL_MIB = 400.0
BATCH_P95_GOAL_MS = 500.0
BATCH = 500


@dataclass(frozen=True)
class OutputsOptions:
    rows: int = 1_000_000
    repeats: int = 10


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


async def _batches(url: str, repeats: int) -> list[float]:
    load_all()
    database = Database(url, pool_size=2)
    samples = []
    try:
        async with database.transaction() as session:
            ids = list(await session.scalars(select(AllocationAsset.asset_id).limit(BATCH * 20)))
        last = date(2025, 5, 31)
        for attempt in range(repeats + 2):
            asked: list[uuid.UUID] = ids[attempt * BATCH : (attempt + 1) * BATCH]
            async with database.transaction() as session:
                started = time.perf_counter()
                await allocation.asset_costs(session, TENANT, asked, MONTH, last)
                if attempt >= 2:
                    samples.append((time.perf_counter() - started) * 1000)
    finally:
        await database.dispose()
    return samples


async def _recompute(url: str) -> float:
    load_all()
    database = Database(url, pool_size=2)
    limits = recommendations.thresholds(Settings())
    try:
        async with database.transaction() as session:
            started = time.perf_counter()
            await recommendations.refresh(session, TENANT, limits, date(2025, 6, 1))
            return time.perf_counter() - started
    finally:
        await database.dispose()


def _export_figures(url: str, rows: int) -> list[Figure]:
    found = []
    for kind in ("csv", "parquet"):
        result = run_child("bench.metering_outputs.export_child:export", f"export-{kind}",
                           url=url, kind=kind)  # fmt: skip
        rate = rows / result["seconds"]
        found += [
            Figure(f"{kind} export: {result['bytes'] / 2**20:.0f} MiB in {result['chunks']} "
                   f"chunks, time", seconds(result["seconds"])),
            Figure(f"{kind} export rate", f"{count(int(rate))} rows/s"),
            Figure(f"{kind} export peak RSS", mib(result["peak_rss_mib"]),
                   f"< {EXPORT_RSS_GOAL_MIB:.0f} MiB",
                   result["peak_rss_mib"] < EXPORT_RSS_GOAL_MIB),
        ]  # fmt: skip
    return found


def run(options: OutputsOptions) -> None:
    heading("Metering outputs: FOCUS export, cost per asset, recommendations")
    with databases("nephos_metering") as dbs:
        url = dbs.fresh()
        emit(f"  generating {count(options.rows)} cost rows in PostgreSQL ...")
        filled = asyncio.run(fill(url.rsplit("/", 1)[1], options.rows))
        found = [Figure("rows generated (not through ingest)", count(options.rows)),
                 Figure("generation time", seconds(filled))]  # fmt: skip
        found += _export_figures(url, options.rows)
        samples = asyncio.run(_batches(url, options.repeats))
        worst = _p95(samples)
        label = f"cost of {BATCH} assets (batch): p50 {statistics.median(samples):.0f} ms, p95"
        goal = f"< {BATCH_P95_GOAL_MS:.0f} ms"
        found.append(Figure(label, f"{worst:.0f} ms", goal, worst < BATCH_P95_GOAL_MS))
        found.append(Figure("recommendations recomputed (50,000 assets)",
                            seconds(asyncio.run(_recompute(url)))))  # fmt: skip
        figures(f"one month of {count(options.rows)} line items, {options.repeats} batch runs",
                found)  # fmt: skip
