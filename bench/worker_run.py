"""One full discovery run by the real ``DiscoveryWorker``, timed: shared by the AWS and
Azure benches, which differ only in the account they store and how they count."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import func, select

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


async def _queue_run(
    db: Database, box: SecretBox, account: CloudAccount, secret: dict[str, Any]
) -> uuid.UUID:
    """The account as the API would store it (secret sealed) and a queued run for the worker."""
    account.sealed_credentials = box.seal(secret, context=credential_context(account))
    run = DiscoveryRun(tenant=TENANT, account_id=account.id, trigger="manual")
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
        "units_failed": run.units_failed,
        "api_calls": run.api_calls,
        "found_by_region": [(str(r), str(t), int(n)) for r, t, n in by_type.all()],
        "rows": {"assets": run.assets_created, "asset_versions": versions, "outbox": events},
    }


def new_account(**fields: Any) -> CloudAccount:
    return CloudAccount(id=uuid.uuid4(), tenant=TENANT, sealed_credentials=b"", **fields)


async def timed_run(
    database_url: str,
    account: CloudAccount,
    secret: dict[str, Any],
    *,
    concurrency: int,
    max_attempts: int,
) -> dict[str, Any]:
    """Queue a run for ``account`` and time ``worker.execute`` end to end."""
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
        run_id = await _queue_run(db, box, account, secret)
        await db.ping()
        started, cpu = time.perf_counter(), time.process_time()
        await worker.execute(run_id)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        written = await _written(db, run_id)
    finally:
        await db.dispose()
    if written["status"] != RunStatus.SUCCEEDED:
        raise RuntimeError(f"run ended {written['status']}: {written['error']}")
    return {"seconds": elapsed, "cpu": cpu, **written}
