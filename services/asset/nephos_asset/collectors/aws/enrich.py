"""Extra per-item calls for listings that lack data the inventory needs.

Kept apart from the specs because they do I/O. Each enricher edits the listed
items in place, adding the fields the spec's readers expect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from botocore.exceptions import ClientError

from nephos_asset.collectors.aws.fields import Item
from nephos_asset.collectors.aws.spec import ClientSource

_PER_UNIT_CONCURRENCY = 24
"""Per-item calls in flight for one unit (S3 makes two per bucket): enough to hide
round trips, under the client pool's 32 connections."""
_ELBV2_TAGS_BATCH = 20
# GetBucketLocation answers null for us-east-1 and the legacy "EU" for eu-west-1.
_LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


async def _gather_all(calls: list[Awaitable[None]]) -> None:
    """Run calls a few at a time; wait for all, then raise the first error.

    Waiting for all (rather than failing fast) keeps no call running against
    a client the collector may close right after the failure.
    """
    limit = asyncio.Semaphore(_PER_UNIT_CONCURRENCY)

    async def bounded(call: Awaitable[None]) -> None:
        async with limit:
            await call

    outcomes = await asyncio.gather(*(bounded(c) for c in calls), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


def bucket_region(location_constraint: str | None) -> str:
    """The region name behind a GetBucketLocation answer."""
    return _LEGACY_LOCATIONS.get(location_constraint, location_constraint) or "us-east-1"


async def _bucket_tags(s3: Any, bucket: str) -> list[dict[str, str]]:
    """A bucket's tags; ``NoSuchTagSet`` is how S3 says "no tags", not an error."""
    try:
        answer = await s3.get_bucket_tagging(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return []
        raise
    return list(answer.get("TagSet", []))


async def s3_buckets(clients: ClientSource, region: str, items: list[Item]) -> None:
    """Add ``BucketRegion`` (if ListBuckets lacked it) and ``TagSet`` to each bucket.

    Tags are read through a client of the bucket's own region, as S3 expects.
    """
    listing_client = await clients.client("s3", region)

    async def one(bucket: Item) -> None:
        if not bucket.get("BucketRegion"):
            location = await listing_client.get_bucket_location(Bucket=bucket["Name"])
            bucket["BucketRegion"] = bucket_region(location.get("LocationConstraint"))
        regional = await clients.client("s3", bucket["BucketRegion"])
        bucket["TagSet"] = await _bucket_tags(regional, bucket["Name"])

    await _gather_all([one(b) for b in items])


async def elbv2_tags(clients: ClientSource, region: str, items: list[Item]) -> None:
    """Add ``Tags`` to load balancers: DescribeTags takes 20 ARNs per call."""
    elbv2 = await clients.client("elbv2", region)
    by_arn = {lb["LoadBalancerArn"]: lb for lb in items}
    arns = list(by_arn)

    async def batch(chunk: list[str]) -> None:
        answer = await elbv2.describe_tags(ResourceArns=chunk)
        for description in answer.get("TagDescriptions", []):
            by_arn[description["ResourceArn"]]["Tags"] = description.get("Tags", [])

    chunks = [arns[i : i + _ELBV2_TAGS_BATCH] for i in range(0, len(arns), _ELBV2_TAGS_BATCH)]
    await _gather_all([batch(c) for c in chunks])
