"""Our full Azure discovery run, measured in a process of its own (``bench.child``).

As ``bench.discovery.pipeline`` does for AWS: an Azure account stored as the
API registers it (service-principal secret sealed, ARM and token endpoints
pointing at the stand-in, no regions given) and a queued run, executed by the
real ``DiscoveryWorker`` into a fresh, migrated database.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from bench.azure.shared import SUBSCRIPTION_CALLS, found_key
from bench.worker_run import new_account, timed_run
from nephos_asset.accounts.schemas import AzureCredentials


async def pipeline(
    url: str, credentials: dict[str, str], database_url: str, concurrency: int, max_attempts: int
) -> dict[str, Any]:
    """One full discovery run by the real worker into ``database_url``; timed end to end."""
    # The worker imports the Azure SDK on a process's first Azure account: a once-per-process
    # cost (seconds), kept out of the timed run and reported on its own.
    started = time.perf_counter()
    importlib.import_module("nephos_asset.collectors.azure")
    import_seconds = time.perf_counter() - started
    secret = AzureCredentials.model_validate(credentials)  # the API's own validation
    account = new_account(
        name="bench-azure", provider="azure", auth_method=secret.auth_method,
        endpoint_url=url, auth_endpoint_url=url, regions=None,
    )  # fmt: skip
    result = await timed_run(
        database_url, account, secret.sealed_form(),
        concurrency=concurrency, max_attempts=max_attempts,
    )  # fmt: skip
    result["found"] = {found_key(r, t): n for r, t, n in result.pop("found_by_region")}
    # verify() and regions() run before any unit, outside the per-unit counters the run sums.
    result["api_calls"] = {**SUBSCRIPTION_CALLS, **result["api_calls"]}
    result["import_seconds"] = import_seconds
    return result
