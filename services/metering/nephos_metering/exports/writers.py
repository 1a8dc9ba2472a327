"""FOCUS files written batch by batch, each batch's bytes handed on as soon as written.

Neither writer ever holds the whole file: each batch of rows becomes one Arrow
table, written as CSV text or as one Parquet row group into a buffer that is
drained at once.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyarrow import csv

from nephos_metering.exports.columns import COLUMNS, SCHEMA, ExportRow

Batches = AsyncIterator[list[ExportRow]]


def _as_csv_text(table: pa.Table) -> pa.Table:
    """Timestamps as ISO 8601 with ``Z``, decimals as exact fixed-point text: the
    forms FOCUS readers parse without guessing."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            # FOCUS writes whole seconds; a bill has no finer charge period bounds.
            seconds = pc.cast(column, pa.timestamp("s", tz="UTC"), safe=False)
            column = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
        elif pa.types.is_decimal(field.type):
            column = pc.cast(column, pa.string())
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _csv_chunk(batch: list[ExportRow], header: bool) -> bytes:
    out = io.BytesIO()
    csv.write_csv(_as_csv_text(_table(batch)), out, csv.WriteOptions(include_header=header))
    return out.getvalue()


async def csv_file(batches: Batches) -> AsyncIterator[bytes]:
    header = True
    async for batch in batches:
        yield _csv_chunk(batch, header)
        header = False
    if header:
        yield _csv_chunk([], True)


class _Drain(io.RawIOBase):
    """A write-only sink whose bytes are taken away after each row group."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        taken = b"".join(self._chunks)
        self._chunks.clear()
        return taken


def _table(batch: list[ExportRow]) -> pa.Table:
    arrays = [pa.array([c.get(row) for row in batch], type=c.type) for c in COLUMNS]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


async def parquet_file(batches: Batches) -> AsyncIterator[bytes]:
    sink = _Drain()
    writer = pq.ParquetWriter(sink, SCHEMA, compression="zstd")
    try:
        async for batch in batches:
            writer.write_table(_table(batch))
            yield sink.take()
    except BaseException:
        writer.close()
        raise
    writer.close()
    yield sink.take()
