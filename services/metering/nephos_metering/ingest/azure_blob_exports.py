"""Ingest of an Azure cost details export from the customer's storage account.

One billing period is one delivery: the newest complete run of the export for
that period (``export_runs``), read file by file through the same Azure cost
details mapping as uploads (``formats``), streamed chunk by chunk from Blob
Storage into the COPY (memory stays flat), then checked and swapped in through
``ingest_delivery``. Its fingerprint is the run's blob names and ETags, so an
unchanged export is skipped and a newer run restates the period whole; a bad
file is refused naming the blob and the row, with nothing stored changed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database, utcnow
from nephos_metering.ingest import staging
from nephos_metering.ingest.blob import BlobAccess, BlobReader, open_container
from nephos_metering.ingest.cur import Stamp
from nephos_metering.ingest.export_runs import (
    CostType,
    ExportRun,
    newest_complete_run,
    period_folder,
)
from nephos_metering.ingest.formats import FORMATS, FileFormat
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.models import Delivery, DeliveryStatus
from nephos_metering.ingest.readers import (
    FileProblem,
    Row,
    csv_gzip_batches,
    csv_plain_batches,
    parquet_batches,
)
from nephos_metering.ingest.service import (
    DeliveryRejected,
    IngestOutcome,
    ingest_delivery,
    swap_in,
)
from nephos_metering.ingest.values import ValueProblem


@dataclass(frozen=True)
class ExportIngest:
    tenant: str
    account_id: uuid.UUID
    access: BlobAccess
    directory: str
    export_name: str
    cost_type: CostType
    period: BillingPeriod

    @property
    def container_url(self) -> str:
        return f"{self.access.endpoint.rstrip('/')}/{self.access.container}"

    @property
    def format(self) -> FileFormat:
        return FORMATS["azure_amortized" if self.cost_type == "amortized" else "azure_actual"]


async def ingest_export(database: Database, job: ExportIngest, batch_rows: int) -> IngestOutcome:
    async with open_container(job.access) as reader:
        folder = period_folder(job.directory, job.export_name, job.period)
        run = await newest_complete_run(reader, folder, job.cost_type)
        return await ingest_delivery(
            database, job.tenant, run.fingerprint(job.account_id, job.container_url, job.cost_type),
            lambda session, fingerprint: _new_delivery(session, job, run, fingerprint),
            lambda session, delivery_id: _load(session, reader, job, run, delivery_id, batch_rows),
        )  # fmt: skip


def _new_delivery(session: AsyncSession, job: ExportIngest, run: ExportRun,
                  fingerprint: str) -> Delivery:  # fmt: skip
    delivery = Delivery(
        id=uuid.uuid4(), tenant=job.tenant, account_id=job.account_id,
        source=f"azure_export_{job.cost_type}", bucket=job.container_url[:255],
        manifest_key=run.manifest.name if run.manifest else run.folder,
        files=[f.name for f in run.files], fingerprint=fingerprint,
        billing_period_start=job.period.start, billing_period_end=job.period.end,
        status=DeliveryStatus.RUNNING, row_count=0, requested_at=utcnow(),
    )  # fmt: skip
    session.add(delivery)
    return delivery


async def _load(
    session: AsyncSession, reader: BlobReader, job: ExportIngest, run: ExportRun,
    delivery_id: uuid.UUID, batch_rows: int,
) -> None:  # fmt: skip
    """Stage every file of the run, check against the manifest, swap."""
    load = await staging.open_load(session, delivery_id)
    tally = staging.Tally()
    stamp = Stamp(job.tenant, job.account_id, delivery_id)
    for entry in run.files:
        rows = _file_rows(reader, entry.name, job.format, stamp, tally, batch_rows)
        await staging.stage(session, load, rows)
    if run.expected_rows is not None and tally.rows != run.expected_rows:
        raise staging.CheckFailed(f"read {tally.rows} rows, the manifest states "
                                  f"{run.expected_rows}", file=run.folder)  # fmt: skip
    staged = await staging.check(session, load, tally, job.period)
    await swap_in(session, load, job.tenant, staged, job.period)


def _batches(reader: BlobReader, name: str, fmt: FileFormat, batch_rows: int) -> Any:
    if name.lower().endswith(".parquet"):
        read = parquet_batches
    elif name.lower().endswith(".gz"):
        read = csv_gzip_batches
    else:
        read = csv_plain_batches
    return read(reader.chunks(name), fmt.required, batch_rows, fmt.rename)


async def _file_rows(
    reader: BlobReader, name: str, fmt: FileFormat, stamp: Stamp, tally: staging.Tally,
    batch_rows: int,
) -> AsyncIterator[tuple[Any, ...]]:  # fmt: skip
    """The mapped rows of one blob, a batch at a time as the COPY takes them."""
    done = 0
    try:
        async for batch in _batches(reader, name, fmt, batch_rows):
            rows = [_mapped(fmt, raw, stamp, name, done + i) for i, raw in enumerate(batch, 1)]
            done += len(rows)
            tally.add(rows)
            for row in rows:
                yield row
    except FileProblem as exc:
        raise DeliveryRejected(name, exc.row, str(exc)) from None


def _mapped(fmt: FileFormat, raw: Row, stamp: Stamp, name: str, row: int) -> tuple[Any, ...]:
    try:
        return fmt.to_focus(raw, stamp)
    except ValueProblem as exc:
        raise DeliveryRejected(name, row, str(exc)) from None
