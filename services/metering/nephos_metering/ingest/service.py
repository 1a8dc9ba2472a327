"""Ingest of one CUR delivery: manifest, skip if known, stage, check, swap.

The delivery row is committed first (status ``running``) so an attempt is
visible even if it fails; the load runs in a second transaction that either
swaps the whole period in or changes nothing; a refusal is then written to the
delivery row in a third. Any failure names the file and row where it can.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import DeliveryIngested
from nephos_common.db import Database, utcnow
from nephos_common.errors import InvalidInput, NephosError
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_metering.db import MESSAGING
from nephos_metering.ingest import cur_columns, legacy, repository, staging
from nephos_metering.ingest.cur import REQUIRED_COLUMNS, Stamp, to_focus
from nephos_metering.ingest.manifest import (
    BillingPeriod,
    CurFormat,
    FileKind,
    Manifest,
    file_kind,
    manifest_key,
    parse_manifest,
)
from nephos_metering.ingest.models import Delivery, DeliveryStatus
from nephos_metering.ingest.readers import (
    FileProblem,
    csv_gzip_batches,
    csv_gzip_record_batches,
    parquet_batches,
    parquet_record_batches,
    spooled,
)
from nephos_metering.ingest.s3 import S3Access, S3Reader, open_reader
from nephos_metering.ingest.values import ValueProblem

log = logging.getLogger(__name__)
SOURCE = "metering"


class DeliveryRejected(InvalidInput):
    """A data file is broken; ``row`` is the data row (0 = header)."""

    code = "delivery_rejected"

    def __init__(self, file: str, row: int, reason: str) -> None:
        where = "header" if row == 0 else f"row {row}"
        super().__init__(f"{file}, {where}: {reason}", file=file, row=row)


@dataclass(frozen=True)
class CurIngest:
    tenant: str
    account_id: uuid.UUID
    bucket: str
    prefix: str
    export_name: str
    period: BillingPeriod
    format: CurFormat
    access: S3Access


@dataclass(frozen=True)
class IngestOutcome:
    outcome: Literal["ingested", "skipped"]
    delivery: Delivery


async def ingest_cur(database: Database, job: CurIngest, batch_rows: int) -> IngestOutcome:
    async with open_reader(job.access, job.bucket) as s3:
        manifest = await _read_manifest(s3, job)
        etags = [await s3.etag(key) for key in manifest.data_keys]
        return await ingest_delivery(
            database, job.tenant, manifest.fingerprint(etags),
            lambda session, fingerprint: _new_delivery(session, job, manifest, fingerprint),
            lambda session, delivery_id: _load(session, s3, job, manifest, delivery_id, batch_rows),
        )  # fmt: skip


async def ingest_delivery(
    database: Database,
    tenant: str,
    fingerprint: str,
    new_delivery: Callable[[AsyncSession, str], Delivery],
    load: Callable[[AsyncSession, uuid.UUID], Awaitable[None]],
) -> IngestOutcome:
    """The one life of every delivery, whatever its source.

    A delivery already ingested (same fingerprint) is skipped; otherwise it is
    recorded as running, then loaded (staged, checked, swapped) in a single
    transaction, so a failure leaves the stored costs exactly as they were and
    is written on the delivery with the reason the caller sees.
    """
    async with database.transaction() as session:
        earlier = await repository.find_ingested(session, tenant, fingerprint)
        if earlier is not None:
            return IngestOutcome("skipped", earlier)
        delivery = new_delivery(session, fingerprint)
    try:
        async with database.transaction() as session:
            await load(session, delivery.id)
    except Exception as exc:
        await record_failure(database, delivery.id, exc)
        if isinstance(exc, NephosError):
            exc.details.setdefault("delivery_id", str(delivery.id))
        raise
    async with database.transaction() as session:
        return IngestOutcome("ingested", await repository.get(session, tenant, delivery.id))


async def _read_manifest(s3: S3Reader, job: CurIngest) -> Manifest:
    key = manifest_key(job.format, job.prefix, job.export_name, job.period)
    document, etag = await s3.json(key)
    return parse_manifest(document, key, etag, job.bucket, job.period)


def _new_delivery(
    session: AsyncSession, job: CurIngest, manifest: Manifest, fingerprint: str
) -> Delivery:
    delivery = Delivery(
        id=uuid.uuid4(), tenant=job.tenant, account_id=job.account_id,
        source=f"aws_{job.format}", bucket=job.bucket, manifest_key=manifest.key,
        files=list(manifest.data_keys), fingerprint=fingerprint,
        billing_period_start=manifest.period.start, billing_period_end=manifest.period.end,
        status=DeliveryStatus.RUNNING, row_count=0, requested_at=utcnow(),
    )  # fmt: skip
    session.add(delivery)
    return delivery


async def _load(
    session: AsyncSession, s3: S3Reader, job: CurIngest, manifest: Manifest,
    delivery_id: uuid.UUID, batch_rows: int,
) -> None:  # fmt: skip
    """Stage every data file (see ``staging``), check, swap."""
    load = await staging.open_load(session, delivery_id)
    tally = staging.Tally()
    stamp = Stamp(job.tenant, job.account_id, delivery_id)
    for key in manifest.data_keys:
        if job.format == "cur2":
            text = _file_text(s3, key, stamp, tally, batch_rows)
            await staging.stage_csv(session, load, stamp, manifest.period, text)
            continue
        await staging.stage(
            session, load, _file_rows(s3, key, stamp, tally, job.format, batch_rows)
        )
    staged = await staging.check(session, load, tally, manifest.period)
    await swap_in(session, load, job.tenant, staged, manifest.period)


async def swap_in(
    session: AsyncSession, load: staging.Load, tenant: str, staged: staging.Staged,
    period: BillingPeriod,
) -> None:  # fmt: skip
    """Swap the checked rows in for their period, mark the delivery succeeded and
    announce it, all in the caller's transaction."""
    await staging.swap(session, load, tenant, staged, period)
    delivery = await repository.get(session, tenant, load.delivery_id)
    delivery.status, delivery.finished_at = DeliveryStatus.SUCCEEDED, utcnow()
    delivery.row_count, delivery.billed_cost_total = staged.rows, staged.billed
    delivery.billing_currency = staged.currency
    delivery.billing_account_id = delivery.billing_account_id or staged.billing_account_id
    await session.flush()
    await record(session, MESSAGING, [ingested_event(tenant, delivery, period)])


def ingested_event(tenant: str, delivery: Delivery, period: BillingPeriod) -> Envelope:
    """Recorded in the swap's own transaction (so only if it commits): budgets and
    anomalies react to the new costs through ``metering.delivery.ingested``."""
    return DeliveryIngested(
        delivery_id=delivery.id, account_id=delivery.account_id,
        billing_period_start=period.start.date(), billing_period_end=period.end.date(),
    ).envelope(tenant=tenant, source=SOURCE)  # fmt: skip


async def _file_rows(
    s3: S3Reader, key: str, stamp: Stamp, tally: staging.Tally, fmt: CurFormat, batch_rows: int
) -> AsyncIterator[tuple[Any, ...]]:
    """The mapped rows of one data file, read and mapped a batch at a time as the COPY
    takes them (so memory stays flat); a bad row refuses the delivery."""
    read = csv_gzip_batches if file_kind(key) == "csv_gzip" else parquet_batches
    rename = legacy.column_name if fmt == "legacy" else None
    done = 0
    try:
        async for batch in read(s3.chunks(key), REQUIRED_COLUMNS, batch_rows, rename):
            rows = [_mapped(raw, stamp, fmt, key, done + i) for i, raw in enumerate(batch, 1)]
            done += len(rows)
            tally.add(rows)
            for row in rows:
                yield row
    except FileProblem as exc:
        raise DeliveryRejected(key, exc.row, str(exc)) from None


async def _file_text(
    s3: S3Reader, key: str, stamp: Stamp, tally: staging.Tally, batch_rows: int
) -> AsyncIterator[bytes]:
    """A CUR 2.0 file (gzip CSV or Parquet) mapped a column at a time (``cur_columns``),
    as CSV for COPY; spooled to disk first, since Arrow's readers want a file."""
    kind = file_kind(key)
    async with spooled(s3.chunks(key), ".csv.gz" if kind == "csv_gzip" else ".parquet") as path:
        async for text in cur_file_text(path, kind, key, stamp, tally, batch_rows):
            yield text


async def cur_file_text(
    path: str, kind: FileKind, name: str, stamp: Stamp, tally: staging.Tally, batch_rows: int
) -> AsyncIterator[bytes]:
    """A CUR 2.0 file on disk, mapped a column at a time, as CSV for COPY; errors name
    the file as ``name``."""
    csv_gzip = kind == "csv_gzip"
    try:
        batches = (csv_gzip_record_batches(path, REQUIRED_COLUMNS) if csv_gzip
                   else parquet_record_batches(path, REQUIRED_COLUMNS, batch_rows))  # fmt: skip
        async for done, batch in batches:
            yield await asyncio.to_thread(_batch_csv, batch, stamp, tally, name, done)
    except FileProblem as exc:
        raise DeliveryRejected(name, exc.row, str(exc)) from None


def _batch_csv(
    batch: pa.RecordBatch, stamp: Stamp, tally: staging.Tally, key: str, done: int
) -> bytes:
    """One batch through ``cur_columns``, or through ``to_focus`` if it must name a row."""
    try:
        table, billed = cur_columns.focus_table(cur_columns.as_text(batch), stamp)
    except cur_columns.Unmapped:
        raws = batch.to_pylist()
        rows = [_mapped(raw, stamp, "cur2", key, done + i) for i, raw in enumerate(raws, 1)]
        tally.add(rows)
        return cur_columns.rows_csv(rows)
    tally.add_total(table.num_rows, billed, cur_columns.billing_periods(table))
    return cur_columns.table_csv(table)


def _mapped(raw: dict[str, Any], stamp: Stamp, fmt: CurFormat, key: str, row: int) -> Any:
    try:
        return to_focus(legacy.fold(raw) if fmt == "legacy" else raw, stamp)
    except ValueProblem as exc:
        raise DeliveryRejected(key, row, str(exc)) from None


async def record_failure(database: Database, delivery_id: uuid.UUID, exc: Exception) -> None:
    """Mark the attempt failed with the reason shown to the caller (never credentials)."""
    if isinstance(exc, NephosError):
        message, details = exc.message, {"code": exc.code, **exc.details}
    else:
        log.exception("ingest failed", extra={"delivery_id": str(delivery_id)})
        message, details = f"internal error: {type(exc).__name__}", {"code": "internal_error"}
    async with database.transaction() as session:
        delivery = await session.get(Delivery, delivery_id)
        if delivery is not None:
            delivery.status, delivery.finished_at = DeliveryStatus.FAILED, utcnow()
            delivery.error, delivery.error_details = message, details
