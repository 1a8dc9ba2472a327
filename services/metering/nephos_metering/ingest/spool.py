"""An uploaded billing file, streamed to a temporary file as it arrives.

The body is never held whole in memory: each chunk is hashed, counted against
the size limit and written out. What the file is (gzip CSV, Parquet, plain
CSV) is told by its first bytes, not by its name or content type, which
clients often get wrong.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from nephos_common.errors import NephosError

UploadKind = Literal["csv_gzip", "parquet", "csv"]
CHUNK_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"


class UploadTooLarge(NephosError):
    status_code = 413
    code = "upload_too_large"


@dataclass(frozen=True)
class SpooledFile:
    path: str
    name: str
    size: int
    sha256: str
    kind: UploadKind


def kind_of(head: bytes) -> UploadKind:
    if head.startswith(GZIP_MAGIC):
        return "csv_gzip"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    return "csv"


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(f"the file is larger than {limit} bytes", limit=limit)


@asynccontextmanager
async def spooled(
    chunks: AsyncIterator[bytes], name: str, limit: int
) -> AsyncIterator[SpooledFile]:
    """The body on disk for the length of the block, then removed."""
    handle, path = tempfile.mkstemp(prefix="nephos-upload-")
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                if len(head) < len(PARQUET_MAGIC):
                    head += chunk[: len(PARQUET_MAGIC)]
                digest.update(chunk)
                out.write(chunk)
        yield SpooledFile(path, name, size, digest.hexdigest(), kind_of(head))
    finally:
        os.unlink(path)


async def file_chunks(path: str) -> AsyncIterator[bytes]:
    """A spooled file's bytes, ``CHUNK_BYTES`` at a time."""
    with open(path, "rb") as source:  # noqa: ASYNC230 - local temporary file
        while chunk := source.read(CHUNK_BYTES):
            yield chunk
