"""Ingest of an uploaded billing file: one file, one billing period, one delivery.

The file is spooled first (``spool``); its first row says which billing period
it is, and every other row must belong to the same one (the staging check).
Then it goes the way of a CUR delivery: an identical file is skipped, a
different one for the same (billing account, billing period) restates it
whole through stage, check and swap, and a broken one is refused naming the
file, the row and the column, with nothing stored changed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database, utcnow
from nephos_metering.ingest import staging
from nephos_metering.ingest.cur import COST_COLUMNS, Stamp
from nephos_metering.ingest.formats import FileFormat
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.models import Delivery, DeliveryStatus
from nephos_metering.ingest.readers import (
    FileProblem,
    Row,
    csv_gzip_batches,
    csv_plain_batches,
    parquet_file_batches,
)
from nephos_metering.ingest.service import (
    DeliveryRejected,
    IngestOutcome,
    cur_file_text,
    ingest_delivery,
    swap_in,
)
from nephos_metering.ingest.spool import SpooledFile, file_chunks
from nephos_metering.ingest.values import ValueProblem

_PERIOD_START = COST_COLUMNS.index("billing_period_start")
_PERIOD_END = COST_COLUMNS.index("billing_period_end")
_PEEK_STAMP = Stamp("", uuid.UUID(int=0), uuid.UUID(int=0))


@dataclass(frozen=True)
class Upload:
    tenant: str
    account_id: uuid.UUID
    format: FileFormat
    file: SpooledFile

    def fingerprint(self) -> str:
        """The same bytes uploaded for the same account in the same format: the same delivery."""
        parts = f"upload\n{self.account_id}\n{self.format.name}\n{self.file.sha256}"
        return hashlib.sha256(parts.encode()).hexdigest()


def batches(upload: Upload, batch_rows: int) -> AsyncGenerator[list[Row]]:
    """The file's rows, ``batch_rows`` at a time, whatever its kind."""
    spooled, fmt = upload.file, upload.format
    if spooled.kind == "parquet":
        return parquet_file_batches(spooled.path, fmt.required, batch_rows, fmt.rename)
    read = csv_gzip_batches if spooled.kind == "csv_gzip" else csv_plain_batches
    return read(file_chunks(spooled.path), fmt.required, batch_rows, fmt.rename)


def _mapped(upload: Upload, raw: Row, stamp: Stamp, row: int) -> tuple[Any, ...]:
    try:
        return upload.format.to_focus(raw, stamp)
    except ValueProblem as exc:
        raise DeliveryRejected(upload.file.name, row, str(exc)) from None


async def billing_period(upload: Upload) -> BillingPeriod:
    """The billing period of the file's first row (the header is checked on the way)."""
    reader = batches(upload, 1)
    try:
        first = await anext(reader, None)
    except FileProblem as exc:
        raise DeliveryRejected(upload.file.name, exc.row, str(exc)) from None
    finally:
        await reader.aclose()
    if not first:
        raise DeliveryRejected(upload.file.name, 1, "the file has no rows")
    row = _mapped(upload, first[0], _PEEK_STAMP, 1)
    return BillingPeriod(row[_PERIOD_START], row[_PERIOD_END])


async def ingest_upload(database: Database, upload: Upload, batch_rows: int) -> IngestOutcome:
    period = await billing_period(upload)
    return await ingest_delivery(
        database, upload.tenant, upload.fingerprint(),
        lambda session, fingerprint: _new_delivery(session, upload, period, fingerprint),
        lambda session, delivery_id: _load(session, upload, period, delivery_id, batch_rows),
    )  # fmt: skip


def _new_delivery(
    session: AsyncSession, upload: Upload, period: BillingPeriod, fingerprint: str
) -> Delivery:
    delivery = Delivery(
        id=uuid.uuid4(), tenant=upload.tenant, account_id=upload.account_id,
        source=f"upload_{upload.format.name}", bucket="", manifest_key=upload.file.name,
        files=[upload.file.name], fingerprint=fingerprint, billing_period_start=period.start,
        billing_period_end=period.end, status=DeliveryStatus.RUNNING, row_count=0,
        requested_at=utcnow(),
    )  # fmt: skip
    session.add(delivery)
    return delivery


async def _stage(
    session: AsyncSession, load: staging.Load, upload: Upload, stamp: Stamp,
    tally: staging.Tally, batch_rows: int,
) -> None:  # fmt: skip
    done = 0
    try:
        async for batch in batches(upload, batch_rows):
            rows = [_mapped(upload, raw, stamp, done + i) for i, raw in enumerate(batch, 1)]
            done += len(rows)
            tally.add(rows)
            await staging.stage(session, load, rows)
    except FileProblem as exc:
        raise DeliveryRejected(upload.file.name, exc.row, str(exc)) from None


async def _load(
    session: AsyncSession, upload: Upload, period: BillingPeriod, delivery_id: uuid.UUID,
    batch_rows: int,
) -> None:  # fmt: skip
    load = await staging.open_load(session, delivery_id)
    tally = staging.Tally()
    stamp = Stamp(upload.tenant, upload.account_id, delivery_id)
    spooled = upload.file
    if upload.format.name == "cur2" and spooled.kind != "csv":
        text = cur_file_text(spooled.path, spooled.kind, spooled.name, stamp, tally, batch_rows)
        await staging.stage_csv(session, load, stamp, period, text)
    else:
        await _stage(session, load, upload, stamp, tally, batch_rows)
    staged = await staging.check(session, load, tally, period)
    await swap_in(session, load, upload.tenant, staged, period)
