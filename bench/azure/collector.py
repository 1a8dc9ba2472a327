"""Our Azure collector alone, measured in a process of its own (``bench.child``).

It does what a discovery run does before writing anything: verify the
subscription, list its locations, collect every unit, and throws the results
away, to separate collection from the database writes measured by
``bench.azure.pipeline``. It imports only the Azure collector, so its peak
memory is the collector's (azure-mgmt clients included), not the service's.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench.azure.shared import SUBSCRIPTION_CALLS, found_key
from nephos_asset.collectors.azure import AzureAccess, AzureCollector


async def collector_only(
    url: str, credentials: dict[str, str], concurrency: int, max_attempts: int
) -> dict[str, Any]:
    """Verify, list locations, collect every unit; keep only counts."""
    access = AzureAccess(
        tenant_id=credentials["tenant_id"],
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        subscription_id=credentials["subscription_id"],
        base_url=url,
        authority_url=url,
    )
    calls: Counter[str] = Counter(SUBSCRIPTION_CALLS)
    found: Counter[str] = Counter()
    failed: list[str] = []
    started, cpu = time.perf_counter(), time.process_time()
    async with AzureCollector(access, max_attempts=max_attempts) as collector:
        await collector.verify()
        units = collector.units(await collector.regions())
        async for result in collector.collect_all(units, concurrency):
            calls.update(result.api_calls)
            found.update(found_key(a.region, a.native_type) for a in result.assets)
            if not result.complete:
                failed.append(f"{result.key.native_type}: {result.error_code}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if failed:
        raise RuntimeError(f"units incomplete: {failed}")
    return {"seconds": elapsed, "cpu": cpu, "api_calls": dict(calls), "found": dict(found)}
