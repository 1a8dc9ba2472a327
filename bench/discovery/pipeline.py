"""Our full discovery run, measured in a process of its own (``bench.child``).

The real ``DiscoveryWorker`` executes a queued run: verify the account, collect
every unit concurrently and write each into PostgreSQL (assets, history,
outbox, service-group membership) as the service does.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import func, select

from bench.discovery.ours import KEYS
from nephos_asset.accounts.connect import credential_context
from nephos_asset.accounts.models import CloudAccount
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


async def _queue_run(db: Database, box: SecretBox, endpoint: str, regions: list[str]) -> uuid.UUID:
    """An account (as the API would store it) and a queued run for the worker to take."""
    account_id = uuid.uuid4()
    account = CloudAccount(
        id=account_id, tenant=TENANT, name="bench", provider="aws", auth_method="access_key",
        endpoint_url=endpoint, regions=regions, sealed_credentials=b"",
    )  # fmt: skip
    account.sealed_credentials = box.seal(KEYS, context=credential_context(account))
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
            select(Asset.native_type, func.count()).group_by(Asset.native_type)
        )
        versions = await session.scalar(select(func.count()).select_from(AssetVersion))
        events = await session.scalar(select(func.count()).select_from(MESSAGING.outbox))
    return {
        "status": run.status,
        "error": run.error,
        "units_failed": run.units_failed,
        "api_calls": run.api_calls,
        "found": {str(t): int(n) for t, n in by_type.all()},
        "rows": {"assets": run.assets_created, "asset_versions": versions, "outbox": events},
    }


async def pipeline(
    endpoint: str, regions: list[str], database_url: str, concurrency: int, max_attempts: int
) -> dict[str, Any]:
    """One full discovery run by the real worker into ``database_url``; timed end to end."""
    load_all()
    db = Database(database_url, pool_size=4)
    box = SecretBox(SecretBox.generate_key())
    # The relay is only nudged (``wake``) during a run; it is never started here.
    relay = OutboxRelay(db, MESSAGING, NatsConnection("nats://127.0.0.1:4222"))
    worker = DiscoveryWorker(
        database=db, tables=MESSAGING, box=box, relay=relay,
        concurrency=concurrency, max_attempts=max_attempts,
    )  # fmt: skip
    try:
        run_id = await _queue_run(db, box, endpoint, regions)
        await db.ping()
        started, cpu = time.perf_counter(), time.process_time()
        await worker.execute(run_id)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        written = await _written(db, run_id)
    finally:
        await db.dispose()
    if written["status"] != RunStatus.SUCCEEDED:
        raise RuntimeError(f"run ended {written['status']}: {written['error']}")
    # verify() runs before any unit, outside the per-unit call counters the run sums up.
    written["api_calls"] = {**written["api_calls"], "sts.GetCallerIdentity": 1}
    return {"seconds": elapsed, "cpu": cpu, **written}
