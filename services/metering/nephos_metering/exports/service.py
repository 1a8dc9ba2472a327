"""FOCUS 1.2 export of one company's billing period, as CSV or Parquet.

The file is produced while it is sent: the rows come from a server-side cursor
in its own read transaction (the request's session is gone once streaming
starts), so an export of any size needs the memory of one batch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from enum import StrEnum

from nephos_common.db import Database
from nephos_common.errors import InvalidInput
from nephos_metering.costs.service import day_start
from nephos_metering.exports import repository, writers


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


MEDIA_TYPES = {ExportFormat.CSV: "text/csv", ExportFormat.PARQUET: "application/vnd.apache.parquet"}


def billing_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day; anything else is the caller's error."""
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise InvalidInput("billing_period must be YYYY-MM", code="invalid_period",
                           field="billing_period") from None  # fmt: skip


def file_name(tenant: str, first: date, kind: ExportFormat) -> str:
    return f"focus-1.2-{tenant}-{first:%Y-%m}.{kind.value}"


async def focus_file(
    database: Database, tenant: str, first: date, kind: ExportFormat
) -> AsyncIterator[bytes]:
    async with database.transaction() as session:
        batches = repository.period_rows(session, tenant, day_start(first))
        chunks = (
            writers.csv_file(batches) if kind is ExportFormat.CSV else writers.parquet_file(batches)
        )
        async for chunk in chunks:
            if chunk:
                yield chunk
