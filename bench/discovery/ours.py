"""Our collector alone, measured in a process of its own (``bench.child``).

It collects every unit as a discovery run does (verify included) and throws
the results away, to separate collection from the database writes measured
by ``bench.discovery.pipeline``. It imports only the AWS collector, so its
peak memory is the collector's, not the whole service's.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from nephos_asset.collectors.aws import AwsAccess, AwsCollector

KEYS = {"access_key_id": "testing", "secret_access_key": "testing"}


async def collector_only(
    endpoint: str, regions: list[str], concurrency: int, max_attempts: int
) -> dict[str, Any]:
    """Collect every unit as a run would (verify included); keep only counts."""
    access = AwsAccess(**KEYS, endpoint_url=endpoint)
    calls: Counter[str] = Counter()
    found: Counter[str] = Counter()
    failed: list[str] = []
    started, cpu = time.perf_counter(), time.process_time()
    async with AwsCollector(access, max_attempts=max_attempts) as collector:
        await collector.verify()
        calls["sts.GetCallerIdentity"] += 1  # verify() runs outside any unit's counter
        async for result in collector.collect_all(collector.units(regions), concurrency):
            calls.update(result.api_calls)
            found[result.key.native_type] += len(result.assets)
            if not result.complete:
                failed.append(f"{result.key.region}/{result.key.native_type}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": elapsed, "cpu": cpu, "api_calls": dict(calls), "found": dict(found),
        "failed": failed,
    }  # fmt: skip
