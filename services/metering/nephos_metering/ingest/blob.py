"""Azure Blob Storage access for billing ingest through azure-storage-blob, with clear errors.

A container SAS token is the credential: it lives in the client built here
for one ingest and is never logged or returned. Downloads go in ranged
chunks of ``chunk_bytes`` (the SDK's first request included), so a file of
any size is held one chunk at a time; chunks after the first are asked with
``If-Match`` on the first one's ETag, so a file rewritten mid-read fails the
ingest instead of mixing two versions. Storage failures become the service's
own errors: ``blob_access_denied``, ``blob_not_found``, ``blob_unavailable``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    ResourceNotFoundError,
)
from azure.storage.blob.aio import ContainerClient, ExponentialRetry

from nephos_common.errors import InvalidInput, NephosError, NotFound, Unavailable

CHUNK_BYTES = 4 << 20
DENIED_STATUS = {401, 403}


@dataclass(frozen=True)
class BlobAccess:
    """Where and with which SAS to read; ``repr`` never shows the token."""

    endpoint: str
    container: str
    sas_token: str = field(repr=False)
    chunk_bytes: int = CHUNK_BYTES


@dataclass(frozen=True)
class BlobEntry:
    name: str
    etag: str
    last_modified: datetime
    size: int


def blob_error(exc: Exception, access: BlobAccess, name: str | None = None) -> NephosError:
    """The service's error for a failed Blob Storage call (never the SAS itself)."""
    where = f"{access.endpoint.rstrip('/')}/{access.container}" + (f"/{name}" if name else "")
    status = getattr(exc, "status_code", None)
    error_code = getattr(exc, "error_code", None)
    code = str(getattr(error_code, "value", error_code) or "")
    if isinstance(exc, ClientAuthenticationError) or status in DENIED_STATUS:
        return InvalidInput(f"Azure Storage refused the SAS token for {where} ({code or status}); "
                            "check it grants read and list on the container and has not expired",
                            code="blob_access_denied", object=where)  # fmt: skip
    if isinstance(exc, ResourceNotFoundError):
        return NotFound(f"{where} does not exist ({code or 404})", code="blob_not_found",
                        object=where)  # fmt: skip
    reason = f"answered {code or status}" if status else f"is unreachable: {type(exc).__name__}"
    return Unavailable(f"Azure Storage {reason} for {where}", code="blob_unavailable")


class BlobReader:
    """The few Blob Storage reads an export ingest needs, on one container client."""

    def __init__(self, client: ContainerClient, access: BlobAccess) -> None:
        self._client = client
        self.access = access

    async def list(self, prefix: str) -> list[BlobEntry]:
        """Every blob whose name starts with ``prefix``, following every listing page."""
        try:
            return [
                BlobEntry(b.name, str(b.etag).strip('"'), b.last_modified, int(b.size or 0))
                async for b in self._client.list_blobs(name_starts_with=prefix)
            ]
        except AzureError as exc:
            raise blob_error(exc, self.access) from None

    async def json(self, name: str) -> Any:
        """The parsed JSON document at ``name`` (a manifest: small, read whole)."""
        try:
            download = await self._client.download_blob(name)
            raw = await download.readall()
        except AzureError as exc:
            raise blob_error(exc, self.access, name) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise InvalidInput(f"{name} is not JSON", code="invalid_manifest", file=name) from None

    async def chunks(self, name: str) -> AsyncIterator[bytes]:
        """The blob's bytes as they arrive, one ranged chunk at a time."""
        try:
            download = await self._client.download_blob(name)
            async for chunk in download.chunks():
                yield chunk
        except AzureError as exc:
            raise blob_error(exc, self.access, name) from None


@asynccontextmanager
async def open_container(access: BlobAccess) -> AsyncIterator[BlobReader]:
    """A reader of one container for the length of one ingest, with short retries."""
    retry = ExponentialRetry(initial_backoff=1, increment_base=2, retry_total=3)
    client = ContainerClient(
        access.endpoint, access.container, credential=access.sas_token, retry_policy=retry,
        max_single_get_size=access.chunk_bytes, max_chunk_get_size=access.chunk_bytes,
        connection_timeout=10, read_timeout=60,
    )  # fmt: skip
    async with client:
        yield BlobReader(client, access)
