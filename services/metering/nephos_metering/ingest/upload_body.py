"""The bytes of an upload request: a multipart ``file`` field or the raw body.

Both arrive as chunks, never read whole: the raw body straight from the
connection, a multipart file from the parser's spooled temporary file.
"""

from __future__ import annotations

import posixpath
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from starlette.datastructures import UploadFile

from nephos_common.errors import InvalidInput
from nephos_metering.ingest.spool import CHUNK_BYTES, SpooledFile, spooled, too_large

DEFAULT_NAME = "upload"


def file_name(given: str | None) -> str:
    """The last path segment only: a name for messages, never a path on this machine."""
    name = posixpath.basename((given or "").replace("\\", "/")).strip()
    return name[:255] or DEFAULT_NAME


def _check_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)


async def _read(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK_BYTES):
        yield chunk


@asynccontextmanager
async def received(request: Request, name: str | None, limit: int) -> AsyncIterator[SpooledFile]:
    """The uploaded file on disk for the length of the block."""
    _check_declared_size(request, limit)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=5) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise InvalidInput("the multipart body has no file field", code="no_file")
            async with spooled(_read(part), file_name(part.filename or name), limit) as found:
                yield found
        return
    async with spooled(request.stream(), file_name(name), limit) as found:
        yield found
