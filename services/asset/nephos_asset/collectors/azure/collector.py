"""The Azure collector: verify a subscription, list its locations, collect units.

ARM lists resources per subscription, not per region, so a unit is one
resource type across the whole subscription (region ``global``); each asset
carries its own location, and the inventory scopes cleanup of a global unit
to (account, type) across regions. ``collect`` never raises for provider
errors: a denied provider (403) or a listing still throttled after the
retries (429) comes back with ``complete=False`` and ARM's error code, so the
inventory retires nothing for that unit while the others proceed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError
from azure.core.rest import HttpRequest

from nephos_asset.collectors.azure.access import AzureAccess
from nephos_asset.collectors.azure.clients import ClientPool, api_call_counter
from nephos_asset.collectors.azure.fields import Item
from nephos_asset.collectors.azure.spec import ResourceSpec
from nephos_asset.collectors.azure.specs import SPECS, SPECS_BY_TYPE
from nephos_asset.collectors.base import GLOBAL_REGION, UnitKey, UnitResult
from nephos_asset.collectors.errors import InvalidCredentialsError
from nephos_asset.collectors.readers import ClosingCollector, collect_concurrently

logger = logging.getLogger(__name__)

SUBSCRIPTIONS_API_VERSION = "2022-12-01"
# Per-parent listings (databases of each server) in flight at once within one unit.
CHILD_CONCURRENCY = 8
# What a refused subscription read means: credentials unusable for this account.
_REFUSED = {401, 403, 404}


def _error_of(exc: Exception) -> tuple[str, str]:
    """(code, message) of an Azure error: ARM's own code when the answer has one."""
    if isinstance(exc, HttpResponseError) and exc.error is not None and exc.error.code:
        return str(exc.error.code), str(exc.error.message or exc.message)
    if isinstance(exc, HttpResponseError) and exc.status_code:
        return f"HTTP{exc.status_code}", str(exc.message)
    return type(exc).__name__, str(getattr(exc, "message", None) or exc)


class AzureCollector(ClosingCollector):
    """Discovers one Azure subscription; use as ``async with AzureCollector(access) as c``.

    ``max_attempts`` mirrors the AWS collector's argument: the first try plus
    ``max_attempts - 1`` retries.
    """

    provider = "azure"

    def __init__(self, access: AzureAccess, *, max_attempts: int = 4) -> None:
        self.access = access
        self._pool = ClientPool(access, retry_total=max(0, max_attempts - 1))

    async def aclose(self) -> None:
        """Close every client and the credential."""
        await self._pool.aclose()

    async def verify(self) -> str:
        """Read the subscription; return its id, or raise ``InvalidCredentialsError``."""
        path = f"/subscriptions/{self.access.subscription_id}"
        body = await self._get_subscription_level(path, refusal_is_invalid=True)
        return str(body["subscriptionId"])

    async def regions(self) -> list[str]:
        """The subscription's physical locations (informational: units are global)."""
        body = await self._get_subscription_level(
            f"/subscriptions/{self.access.subscription_id}/locations"
        )
        return sorted(
            loc["name"]
            for loc in body.get("value", [])
            if (loc.get("metadata") or {}).get("regionType", "Physical") == "Physical"
        )

    def units(self, regions: Iterable[str]) -> list[UnitKey]:
        """One subscription-wide unit per type; ``regions`` does not split Azure listings."""
        return [UnitKey(GLOBAL_REGION, spec.native_type) for spec in SPECS]

    async def collect(self, unit: UnitKey) -> UnitResult:
        """List one unit fully, or report why not (never raises for provider errors)."""
        spec = SPECS_BY_TYPE[unit.native_type]
        result = UnitResult(key=unit)
        calls: Counter[str] = Counter()
        token = api_call_counter.set(calls)
        try:
            items = await self._list(spec)
            result.assets = [spec.normalise(item) for item in items]
            result.complete = True
        except (AzureError, ValueError) as exc:
            result.error_code, result.error_message = _error_of(exc)
            logger.warning("azure unit %s incomplete: %s", unit.native_type, result.error_code)
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

    async def _list(self, spec: ResourceSpec) -> list[Item]:
        """The spec's items: listed, expanded to children or nested items, filtered, enriched."""
        items = await self._pool.list_items(spec.client, spec.operation, **spec.params)
        if spec.children is not None:
            items = await self._children(spec, items)
        if spec.nested is not None:
            items = [child for parent in items for child in spec.nested(parent)]
        items = [item for item in items if spec.keep(item)]
        if spec.enrich is not None:
            await spec.enrich(self._pool, items)
        return items

    async def _children(self, spec: ResourceSpec, parents: list[Item]) -> list[Item]:
        """One child listing per parent, a few at a time, in the parents' order."""
        assert spec.children is not None
        child = spec.children
        limit = asyncio.Semaphore(CHILD_CONCURRENCY)

        async def of(parent: Item) -> list[Item]:
            async with limit:
                return await self._pool.list_items(
                    spec.client, child.operation, *child.args(parent), **child.params
                )

        pages = await asyncio.gather(*(of(p) for p in parents))
        return [item for page in pages for item in page]

    async def _get_subscription_level(self, path: str, *, refusal_is_invalid: bool = False) -> Item:
        """GET a subscription-level ARM path (no SDK here has a subscriptions client).

        azure-mgmt-resource 24+ no longer ships ``SubscriptionClient``, so the
        resource client's ``send_request`` carries the call through the same
        pipeline (auth, retries, logging) as every other request.
        """
        request = HttpRequest("GET", f"{self.access.arm_url}{path}",
                              params={"api-version": SUBSCRIPTIONS_API_VERSION})  # fmt: skip
        try:
            client = self._pool.client("resource")
        except ValueError as exc:  # no usable credential configured
            raise InvalidCredentialsError(str(exc)) from exc
        try:
            response = await client.send_request(request)
        except ClientAuthenticationError as exc:
            raise InvalidCredentialsError(_error_of(exc)[1]) from exc
        if refusal_is_invalid and response.status_code in _REFUSED:
            error = (response.json() or {}).get("error", {})
            code = error.get("code", f"HTTP{response.status_code}")
            raise InvalidCredentialsError(f"{code}: {error.get('message', '')}".strip())
        response.raise_for_status()
        body: Item = response.json()
        return body
