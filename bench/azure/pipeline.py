"""Our full Azure discovery run, measured in a process of its own (``bench.child``).

As ``bench.discovery.pipeline`` does for AWS: an Azure account stored as the
API registers it (service-principal secret sealed, ARM and token endpoints
pointing at the stand-in, no regions given) and a queued run, executed by the
real ``DiscoveryWorker`` into a fresh, migrated database.
"""

from __future__ import annotations

import importlib
import time
import uuid
from typing import Any

from sqlalchemy import func, select

from bench.azure.shared import SUBSCRIPTION_CALLS, found_key
from nephos_asset.accounts.connect import credential_context
from nephos_asset.accounts.models import CloudAccount
from nephos_asset.accounts.schemas import AzureCredentials
from nephos_asset.db import MESSAGING
from nephos_asset.discovery.models import DiscoveryRun, RunStatus
from nephos_asset.discovery.worker import DiscoveryWorker
from nephos_asset.inventory.models import Asset, AssetVersion
from nephos_asset.models import load_all
from nephos_common.crypto import SecretBox
from nephos_common.db import Database
from nephos_common.messaging.nats import NatsConnection
from nephos_common.messaging.outbox import OutboxRelay

TENANT = "bench"


async def _queue_run(
    db: Database, box: SecretBox, url: str, credentials: dict[str, str]
) -> uuid.UUID:
    """An Azure account (as the API would store it) and a queued run for the worker."""
    secret = AzureCredentials.model_validate(credentials)  # the API's own validation
    account_id = uuid.uuid4()
    account = CloudAccount(
        id=account_id, tenant=TENANT, name="bench-azure", provider="azure",
        auth_method=secret.auth_method, endpoint_url=url, auth_endpoint_url=url,
        regions=None, sealed_credentials=b"",
    )  # fmt: skip
    account.sealed_credentials = box.seal(secret.sealed_form(), context=credential_context(account))
    run = DiscoveryRun(tenant=TENANT, account_id=account_id, trigger="manual")
    async with db.transaction() as session:
        session.add(account)
        await session.flush()
        session.add(run)
    return run.id


async def _written(db: Database, run_id: uuid.UUID) -> dict[str, Any]:
    async with db.sessions() as session:
        run = await session.get(DiscoveryRun, run_id)
        assert run is not None
        by_type = await session.execute(
            select(Asset.region, Asset.native_type, func.count())
            .group_by(Asset.region, Asset.native_type)
        )  # fmt: skip
        versions = await session.scalar(select(func.count()).select_from(AssetVersion))
        events = await session.scalar(select(func.count()).select_from(MESSAGING.outbox))
    return {
        "status": run.status,
        "error": run.error,
        "api_calls": run.api_calls,
        "found": {found_key(str(r), str(t)): int(n) for r, t, n in by_type.all()},
        "rows": {"assets": run.assets_created, "asset_versions": versions, "outbox": events},
    }


async def pipeline(
    url: str, credentials: dict[str, str], database_url: str, concurrency: int, max_attempts: int
) -> dict[str, Any]:
    """One full discovery run by the real worker into ``database_url``; timed end to end."""
    load_all()
    # The worker imports the Azure SDK on a process's first Azure account: a once-per-process
    # cost (seconds), kept out of the timed run and reported on its own.
    started = time.perf_counter()
    importlib.import_module("nephos_asset.collectors.azure")
    import_seconds = time.perf_counter() - started
    db = Database(database_url, pool_size=4)
    box = SecretBox(SecretBox.generate_key())
    # The relay is only nudged (``wake``) during a run; it is never started here.
    relay = OutboxRelay(db, MESSAGING, NatsConnection("nats://127.0.0.1:4222"))
    worker = DiscoveryWorker(
        database=db, tables=MESSAGING, box=box, relay=relay,
        concurrency=concurrency, max_attempts=max_attempts,
    )  # fmt: skip
    try:
        run_id = await _queue_run(db, box, url, credentials)
        await db.ping()
        started, cpu = time.perf_counter(), time.process_time()
        await worker.execute(run_id)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        written = await _written(db, run_id)
    finally:
        await db.dispose()
    if written["status"] != RunStatus.SUCCEEDED:
        raise RuntimeError(f"run ended {written['status']}: {written['error']}")
    # verify() and regions() run before any unit, outside the per-unit counters the run sums.
    written["api_calls"] = {**SUBSCRIPTION_CALLS, **written["api_calls"]}
    return {"seconds": elapsed, "cpu": cpu, "import_seconds": import_seconds, **written}
