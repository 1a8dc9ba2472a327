"""S3 access for billing ingest through aiobotocore, with clear errors.

Credentials come with the ingest request and live only in the client built
here for its duration: they are never stored, logged or returned. S3 failures
become the service's own errors, so a caller sees ``s3_access_denied`` rather
than a 500.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from nephos_common.errors import InvalidInput, NephosError, NotFound, Unavailable

CHUNK_BYTES = 1 << 20
DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled"}
MISSING = {"NoSuchKey", "NoSuchBucket", "404", "NotFound"}


@dataclass(frozen=True)
class S3Access:
    """Where and as whom to read; ``repr`` never shows the secret."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str = "us-east-1"
    endpoint_url: str | None = None


def s3_error(exc: Exception, bucket: str, key: str) -> NephosError:
    """The service's error for a failed S3 call on ``s3://bucket/key``."""
    where = f"s3://{bucket}/{key}"
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in MISSING:
            return NotFound(f"{where} does not exist", code="s3_object_not_found", object=where)
        if code in DENIED:
            return InvalidInput(f"S3 refused access to {where} ({code})",
                                code="s3_access_denied", object=where)  # fmt: skip
        return Unavailable(f"S3 answered {code} for {where}", code="s3_unavailable")
    return Unavailable(f"S3 is unreachable: {type(exc).__name__}", code="s3_unavailable")


class S3Reader:
    """The few S3 reads ingest needs, on one client."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    async def etag(self, key: str) -> str:
        try:
            head = await self._client.head_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, self.bucket, key) from None
        return str(head["ETag"]).strip('"')

    async def json(self, key: str) -> tuple[Any, str]:
        """The parsed JSON document at ``key`` and its ETag."""
        try:
            answer = await self._client.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                raw = await body.read()
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, self.bucket, key) from None
        try:
            return json.loads(raw), str(answer["ETag"]).strip('"')
        except ValueError:
            raise InvalidInput(f"s3://{self.bucket}/{key} is not JSON",
                               code="invalid_manifest") from None  # fmt: skip

    async def chunks(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes as they arrive, ``CHUNK_BYTES`` at most at a time."""
        try:
            answer = await self._client.get_object(Bucket=self.bucket, Key=key)
            async with answer["Body"] as body:
                while chunk := await body.read(CHUNK_BYTES):
                    yield chunk
        except (ClientError, BotoCoreError) as exc:
            raise s3_error(exc, self.bucket, key) from None


@asynccontextmanager
async def open_reader(access: S3Access, bucket: str) -> AsyncIterator[S3Reader]:
    """An S3 reader for the length of one ingest (botocore's ``standard`` retries)."""
    config = AioConfig(retries={"mode": "standard", "max_attempts": 4},
                       connect_timeout=10, read_timeout=60)  # fmt: skip
    session: Any = get_session()
    async with session.create_client(
        "s3",
        region_name=access.region,
        endpoint_url=access.endpoint_url,
        aws_access_key_id=access.access_key_id,
        aws_secret_access_key=access.secret_access_key,
        aws_session_token=access.session_token,
        config=config,
    ) as client:
        yield S3Reader(client, bucket)
