"""Streaming readers of billing data files: gzip CSV and Parquet, batch by batch.

Memory stays flat whatever the file size. CSV is inflated chunk by chunk as it
arrives from S3 and cut into records without ever holding the file; Parquet
needs random access (its footer comes last), so it is spooled to a temporary
file and read one record batch at a time. Errors name the data row (1-based,
header excluded; row 0 is the header) so a refused delivery says where it broke.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import gzip
import os
import tempfile
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nephos_metering.ingest.spool import file_chunks

Row = dict[str, Any]
Chunks = AsyncIterator[bytes]
Rename = Callable[[str], str]


class FileProblem(Exception):
    """The file itself is unreadable at ``row`` (0 = header)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


def check_header(names: list[str], required: frozenset[str]) -> None:
    missing = sorted(required.difference(names))
    if missing:
        raise FileProblem(0, f"header lacks mandatory columns: {', '.join(missing)}")
    if len(set(names)) != len(names):
        raise FileProblem(0, "header repeats a column name")


class _RecordSplitter:
    """Cuts CSV text into whole records; a newline inside quotes does not end one.

    A newline ends a record only when the quotes seen since the record began are
    balanced, which holds for RFC 4180 quoting (an escaped quote is two quotes).
    """

    def __init__(self) -> None:
        self._tail = ""
        self._parts: list[str] = []
        self._quotes = 0

    def feed(self, text: str) -> Iterator[str]:
        *lines, self._tail = (self._tail + text).split("\n")
        for line in lines:
            self._parts.append(line)
            self._quotes += line.count('"')
            if self._quotes % 2 == 0:
                yield "\n".join(self._parts)
                self._parts, self._quotes = [], 0

    def finish(self) -> Iterator[str]:
        if self._tail:
            yield from self.feed("\n")
        if self._parts:
            raise ValueError("the file ends inside a quoted value")


async def _inflate(chunks: Chunks) -> AsyncIterator[str]:
    """gzip bytes to text, incrementally; a stream that stops early is an error."""
    inflater = zlib.decompressobj(wbits=31)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    async for chunk in chunks:
        data = chunk
        while data:
            yield decoder.decode(inflater.decompress(data))
            # A gzip file may hold several members back to back.
            data = inflater.unused_data if inflater.eof else b""
            if data:
                inflater = zlib.decompressobj(wbits=31)
    if not inflater.eof:
        raise EOFError("the gzip stream is truncated")
    yield decoder.decode(b"", final=True)


async def _decode(chunks: Chunks) -> AsyncIterator[str]:
    """Plain UTF-8 bytes to text, incrementally (a BOM is dropped)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    async for chunk in chunks:
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


async def csv_gzip_batches(
    chunks: Chunks, required: frozenset[str], batch_rows: int, rename: Rename | None = None
) -> AsyncGenerator[list[Row]]:
    """Rows of a gzip CSV as dicts (header names as keys), ``batch_rows`` at a time."""
    async for batch in _csv_batches(_inflate(chunks), required, batch_rows, rename):
        yield batch


async def csv_plain_batches(
    chunks: Chunks, required: frozenset[str], batch_rows: int, rename: Rename | None = None
) -> AsyncGenerator[list[Row]]:
    """Rows of an uncompressed CSV, as ``csv_gzip_batches``."""
    async for batch in _csv_batches(_decode(chunks), required, batch_rows, rename):
        yield batch


async def _csv_batches(
    texts: AsyncIterator[str], required: frozenset[str], batch_rows: int, rename: Rename | None
) -> AsyncIterator[list[Row]]:
    splitter = _RecordSplitter()
    header: list[str] | None = None
    batch: list[Row] = []
    done = 0
    try:
        async for text in texts:
            for fields in csv.reader(splitter.feed(text), strict=True):
                if header is None:
                    header = [rename(n) if rename else n for n in fields]
                    check_header(header, required)
                    continue
                if not fields:
                    continue
                if len(fields) != len(header):
                    row = done + len(batch) + 1
                    raise FileProblem(row, f"has {len(fields)} values, header has {len(header)}")
                batch.append(dict(zip(header, fields, strict=True)))
                if len(batch) >= batch_rows:
                    yield batch
                    done, batch = done + len(batch), []
        for fields in csv.reader(splitter.finish(), strict=True):
            if fields and header is not None:
                batch.append(dict(zip(header, fields, strict=True)))
    except (EOFError, zlib.error, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise FileProblem(done + len(batch) + 1, f"is unreadable: {exc}") from None
    if header is None:
        raise FileProblem(0, "the file has no header")
    if batch:
        yield batch


async def _spool(chunks: Chunks, path: str) -> None:
    with open(path, "wb") as out:  # noqa: ASYNC230 - small sequential writes of S3 chunks
        async for chunk in chunks:
            out.write(chunk)


def _open_parquet(path: str, required: frozenset[str], rename: Rename | None) -> pq.ParquetFile:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileProblem(0, f"is not a readable Parquet file: {exc}") from None
    names = [rename(n) if rename else n for n in parquet.schema_arrow.names]
    check_header(names, required)
    return parquet


@asynccontextmanager
async def spooled(chunks: Chunks, suffix: str) -> AsyncIterator[str]:
    """The stream written to a temporary file, for readers that need a real file."""
    handle, path = tempfile.mkstemp(prefix="nephos-cur-", suffix=suffix)
    os.close(handle)
    try:
        await _spool(chunks, path)
        yield path
    finally:
        os.unlink(path)


async def parquet_batches(
    chunks: Chunks, required: frozenset[str], batch_rows: int, rename: Rename | None = None
) -> AsyncIterator[list[Row]]:
    """Rows of a Parquet file as dicts, one record batch at a time (see module doc)."""
    async with spooled(chunks, ".parquet") as path:
        async for rows in parquet_file_batches(path, required, batch_rows, rename):
            yield rows


async def csv_gzip_record_batches(
    path: str, required: frozenset[str], block_bytes: int = 2 << 20
) -> AsyncIterator[tuple[int, pa.RecordBatch]]:
    """A gzip CSV on disk as Arrow record batches of text, with the number of rows
    before each, read off the event loop. Arrow's parser holds about fifteen times
    ``block_bytes``, and its own threads would compete with PostgreSQL for the cores
    while the COPY runs: one thread, blocks of 2 MiB.

    Every value stays text, as in ``csv_gzip_batches``: inferred types would turn
    money into doubles. Where Arrow stops (a broken file, or a record longer than
    its block), ``csv_gzip_batches`` reads on from that row: it names the row of a
    broken file and reads what Arrow could not.
    """
    header = await asyncio.to_thread(_gzip_csv_header, path)
    check_header(header, required)
    done = 0
    try:
        reader = await asyncio.to_thread(_arrow_csv_reader, path, header, block_bytes)
        while (batch := await asyncio.to_thread(_next_batch, reader)) is not None:
            yield done, batch
            done += batch.num_rows
    except (pa.ArrowException, OSError, EOFError, zlib.error):
        async for rest in _read_on(path, header, required, done):
            yield rest


async def _read_on(
    path: str, header: list[str], required: frozenset[str], done: int
) -> AsyncIterator[tuple[int, pa.RecordBatch]]:
    """The rows after the first ``done``, read by ``csv_gzip_batches``."""
    schema = pa.schema([(name, pa.string()) for name in header])
    seen = 0
    async for rows in csv_gzip_batches(file_chunks(path), required, 10_000):
        fresh = rows[max(0, done - seen) :]
        if fresh:
            yield max(done, seen), pa.RecordBatch.from_pylist(fresh, schema=schema)
        seen += len(rows)


def _gzip_csv_header(path: str) -> list[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
            return next(csv.reader(text, strict=True), [])
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise FileProblem(0, f"is unreadable: {exc}") from None


def _arrow_csv_reader(path: str, header: list[str], block_bytes: int) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        pa.input_stream(path, compression="gzip"),
        read_options=pacsv.ReadOptions(block_size=block_bytes, encoding="utf8", use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )  # fmt: skip


def _next_batch(reader: pacsv.CSVStreamingReader) -> pa.RecordBatch | None:
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


async def parquet_file_batches(
    path: str, required: frozenset[str], batch_rows: int, rename: Rename | None = None
) -> AsyncGenerator[list[Row]]:
    """Rows of a Parquet file already on disk as dicts, one record batch at a time."""
    async for _, batch in parquet_record_batches(path, required, batch_rows, rename):
        rows = batch.to_pylist()
        if rename is not None:
            rows = [{rename(k): v for k, v in row.items()} for row in rows]
        yield rows


async def parquet_record_batches(
    path: str, required: frozenset[str], batch_rows: int, rename: Rename | None = None
) -> AsyncGenerator[tuple[int, pa.RecordBatch]]:
    """The record batches of a Parquet file on disk, with the number of rows before each."""
    parquet = await asyncio.to_thread(_open_parquet, path, required, rename)
    batches = parquet.iter_batches(batch_size=batch_rows)
    done = 0
    while True:
        try:
            batch = await asyncio.to_thread(next, batches, None)
        except (pa.ArrowException, OSError) as exc:
            raise FileProblem(done + 1, f"is unreadable: {exc}") from None
        if batch is None:
            return
        yield done, batch
        done += batch.num_rows
