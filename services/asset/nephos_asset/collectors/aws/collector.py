"""The AWS collector: verify an account, list its regions, collect units.

A unit is one resource type in one region (S3: once per account, region
``global``). ``collect`` never raises for provider errors: a denied or
unreachable unit comes back with ``complete=False`` and the error, so the
inventory retires nothing for it while other units proceed.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any

import jmespath
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from nephos_asset.collectors.aws.access import AwsAccess
from nephos_asset.collectors.aws.clients import ClientPool, api_call_counter
from nephos_asset.collectors.aws.fields import Item
from nephos_asset.collectors.aws.spec import ResourceSpec
from nephos_asset.collectors.aws.specs import SPECS, SPECS_BY_TYPE
from nephos_asset.collectors.base import UnitKey, UnitResult
from nephos_asset.collectors.errors import InvalidCredentialsError
from nephos_asset.collectors.readers import ClosingCollector, collect_concurrently

logger = logging.getLogger(__name__)

GLOBAL_REGION = "global"
# Answers meaning "these credentials are no good", as opposed to a missing permission.
AUTH_ERROR_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "AuthFailure",
        "UnrecognizedClientException",
        "ExpiredToken",
        "InvalidAccessKeyId",
    }
)


def _error_of(exc: Exception) -> tuple[str, str]:
    """(code, message) of a provider error, never containing credentials."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return str(error.get("Code", "Unknown")), str(error.get("Message", exc))
    return type(exc).__name__, str(exc)


class AwsCollector(ClosingCollector):
    """Discovers one AWS account; use as ``async with AwsCollector(access) as c``.

    Clients are shared per (service, region) during the collector's life and
    closed on exit.
    """

    provider = "aws"

    def __init__(self, access: AwsAccess, *, max_attempts: int = 5, pool_size: int = 32) -> None:
        self.access = access
        self._pool = ClientPool(access, max_attempts=max_attempts, max_pool_connections=pool_size)

    async def aclose(self) -> None:
        """Close every client opened during the run."""
        await self._pool.aclose()

    async def verify(self) -> str:
        """Check the credentials (and role) with STS; return the account id."""
        try:
            sts = await self._pool.client("sts", self.access.default_region)
            identity = await sts.get_caller_identity()
        except NoCredentialsError as exc:
            raise InvalidCredentialsError("no AWS credentials were found") from exc
        except ClientError as exc:
            code, message = _error_of(exc)
            if code in AUTH_ERROR_CODES:
                raise InvalidCredentialsError(f"{code}: {message}") from exc
            raise
        return str(identity["Account"])

    async def regions(self) -> list[str]:
        """Regions enabled for the account (moto ignores filters: it lists all)."""
        ec2 = await self._pool.client("ec2", self.access.default_region)
        answer = await ec2.describe_regions(AllRegions=False)
        return sorted(r["RegionName"] for r in answer.get("Regions", []))

    def units(self, regions: Iterable[str]) -> list[UnitKey]:
        """Each global type once, then every regional type in every region.

        Global units come first because they are the long ones (S3 reads each
        bucket's region and tags); started last, they were the run's tail.
        """
        regions = list(regions)
        regional = [UnitKey(r, s.native_type) for r in regions for s in SPECS if not s.is_global]
        return [UnitKey(GLOBAL_REGION, s.native_type) for s in SPECS if s.is_global] + regional

    async def collect(self, unit: UnitKey) -> UnitResult:
        """List one unit fully, or report why not (never raises for provider errors)."""
        spec = SPECS_BY_TYPE[unit.native_type]
        result = UnitResult(key=unit)
        calls: Counter[str] = Counter()
        token = api_call_counter.set(calls)
        try:
            items = await self._list(spec, self._client_region(unit))
            result.assets = [spec.normalise(item, unit.region) for item in items]
            result.complete = True
        except (ClientError, BotoCoreError) as exc:
            result.error_code, result.error_message = _error_of(exc)
            logger.warning(
                "aws unit %s/%s incomplete: %s", unit.region, unit.native_type, result.error_code
            )
        finally:
            api_call_counter.reset(token)
        result.api_calls = dict(calls)
        return result

    async def collect_all(
        self, units: Iterable[UnitKey], concurrency: int = 16
    ) -> AsyncIterator[UnitResult]:
        """Collect units at most ``concurrency`` at a time, yielding as each finishes."""
        async for result in collect_concurrently(self.collect, units, concurrency):
            yield result

    def _client_region(self, unit: UnitKey) -> str:
        return self.access.default_region if unit.region == GLOBAL_REGION else unit.region

    async def _list(self, spec: ResourceSpec, region: str) -> list[Item]:
        """Every item of every page (or of the single answer), enriched if needed."""
        client = await self._pool.client(spec.service, region)
        method = xform_name(spec.operation)
        if spec.paginated:
            pages: Any = client.get_paginator(method).paginate(**spec.params)
            items = [item async for page in pages for item in self._items(spec, page)]
        else:
            items = self._items(spec, await getattr(client, method)(**spec.params))
        if spec.enrich is not None:
            await spec.enrich(self._pool, region, items)
        return items

    @staticmethod
    def _items(spec: ResourceSpec, page: dict[str, Any]) -> list[Item]:
        return list(jmespath.search(spec.result_path, page) or [])
