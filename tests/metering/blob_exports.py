"""Azure cost exports written into the stand-in's Blob Storage as Cost Management lays them out.

Rows come from ``upload_files`` (known ``Decimal`` amounts written with the
standard library), so expected totals are summed independently of the code
under test.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from nephos_devstack.arm_server.blob_store import BlobStore
from tests.fixtures.metering import MeteringService
from tests.metering.upload_files import AzureLine, azure_row, csv_bytes, month_after, month_start

STORAGE_ACCOUNT = "nephosbilling"
CONTAINER = "cost-exports"
DIRECTORY = "finops/azure"
EXPORT = "monthly-costs"


@dataclass(frozen=True)
class Exports:
    """The stand-in's blob storage and the endpoint the SDK reaches it at."""

    store: BlobStore
    endpoint: str

    def config(self, cost_type: str) -> dict[str, Any]:
        return {"blob_endpoint": self.endpoint, "container": CONTAINER, "directory": DIRECTORY,
                "export_name": EXPORT, "cost_type": cost_type}  # fmt: skip

    def sas(self) -> str:
        return self.store.grant(STORAGE_ACCOUNT, CONTAINER)


def period_folder(period: str) -> str:
    last = month_after(period) - timedelta(days=1)
    return f"{DIRECTORY}/{EXPORT}/{month_start(period):%Y%m%d}-{last:%Y%m%d}"


def rows_of(period: str, lines: Sequence[AzureLine]) -> list[dict[str, Any]]:
    return [azure_row(period, line) for line in lines]


def write_run(
    exports: Exports, period: str, run_id: str, parts: Sequence[Sequence[dict[str, Any]]], *,
    cost_type: str = "ActualCost", gzipped: bool = True, at: datetime, manifest: bool = True,
) -> list[str]:  # fmt: skip
    """A partitioned run: ``part_0_000N.csv[.gz]`` files, then (last) its ``manifest.json``."""
    folder = f"{period_folder(period)}/{run_id}"
    suffix = ".csv.gz" if gzipped else ".csv"
    names = []
    for n, rows in enumerate(parts, 1):
        name = f"{folder}/part_0_{n:04d}{suffix}"
        exports.store.put(STORAGE_ACCOUNT, CONTAINER, name, csv_bytes(rows, gzipped=gzipped),
                          modified=at)  # fmt: skip
        names.append(name)
    if manifest:
        document = {
            "manifestVersion": "2024-04-01", "blobCount": len(parts),
            "dataRowCount": sum(len(p) for p in parts),
            "exportConfig": {"exportName": EXPORT, "type": cost_type, "granularity": "Daily"},
            "runInfo": {"runId": run_id, "submittedTime": at.isoformat()},
            "blobs": [{"blobName": name, "dataRowCount": len(rows)}
                      for name, rows in zip(names, parts, strict=True)],
        }  # fmt: skip
        exports.store.put(STORAGE_ACCOUNT, CONTAINER, f"{folder}/manifest.json",
                          json.dumps(document).encode(), modified=at)  # fmt: skip
    return names


def write_single_file(exports: Exports, period: str, file_id: str,
                      rows: Sequence[dict[str, Any]], *, at: datetime) -> str:  # fmt: skip
    """An older export's run: one gzip CSV straight in the period's folder."""
    name = f"{period_folder(period)}/{EXPORT}_{file_id}.csv.gz"
    exports.store.put(STORAGE_ACCOUNT, CONTAINER, name, csv_bytes(rows), modified=at)
    return name


def moment(minutes: int) -> datetime:
    return datetime(2026, 4, 2, 6, 0, tzinfo=UTC) + timedelta(minutes=minutes)


async def stored_totals(service: MeteringService) -> tuple[int, Decimal, Decimal]:
    """Row count, billed and effective cost of every stored cost line."""
    async with service.app.state.database.transaction() as session:
        found = await session.execute(text(
            "SELECT count(*), coalesce(sum(billed_cost), 0), coalesce(sum(effective_cost), 0)"
            " FROM costs"
        ))  # fmt: skip
        count, billed, effective = found.one()
        return int(count), Decimal(billed), Decimal(effective)
