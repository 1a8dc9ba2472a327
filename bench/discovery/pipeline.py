"""Our full discovery run, measured in a process of its own (``bench.child``).

The real ``DiscoveryWorker`` executes a queued run: verify the account, collect
every unit concurrently and write each into PostgreSQL (assets, history,
outbox, service-group membership) as the service does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.discovery.ours import KEYS
from bench.worker_run import new_account, timed_run


async def pipeline(
    endpoint: str, regions: list[str], database_url: str, concurrency: int, max_attempts: int
) -> dict[str, Any]:
    """One full discovery run by the real worker into ``database_url``; timed end to end."""
    account = new_account(
        name="bench", provider="aws", auth_method="access_key",
        endpoint_url=endpoint, regions=regions,
    )  # fmt: skip
    result = await timed_run(
        database_url, account, dict(KEYS), concurrency=concurrency, max_attempts=max_attempts
    )
    found: Counter[str] = Counter()
    for _, native_type, n in result.pop("found_by_region"):
        found[native_type] += n
    result["found"] = dict(found)
    # verify() runs before any unit, outside the per-unit call counters the run sums up.
    result["api_calls"] = {**result["api_calls"], "sts.GetCallerIdentity": 1}
    return result
