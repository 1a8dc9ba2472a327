"""Starting discovery runs: a run row and its job are written in one transaction,
so a requested run is never lost and never queued twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts.models import CloudAccount
from nephos_asset.discovery.models import DiscoveryRun, RunStatus
from nephos_common.contracts.asset import DiscoveryRequested
from nephos_common.db import utcnow
from nephos_common.errors import Conflict
from nephos_common.messaging import outbox
from nephos_common.messaging.tables import MessagingTables

SOURCE = "asset"
STALE_AFTER = timedelta(hours=1)


async def request_run(
    session: AsyncSession, tables: MessagingTables, account: CloudAccount, *, trigger: str
) -> DiscoveryRun:
    """Queue a run unless one is already queued or running (and not stale)."""
    active = await session.scalar(
        select(DiscoveryRun.id).where(
            DiscoveryRun.account_id == account.id,
            DiscoveryRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            DiscoveryRun.requested_at > utcnow() - STALE_AFTER,
        )
    )
    if active is not None:
        raise Conflict(
            "a discovery run of this account is already in progress",
            code="discovery_in_progress",
            run_id=str(active),
        )
    run = DiscoveryRun(
        id=uuid.uuid4(), tenant=account.tenant, account_id=account.id, trigger=trigger,
        status=RunStatus.QUEUED, api_calls={}, requested_at=utcnow(),
    )  # fmt: skip
    session.add(run)
    account.last_discovery_requested_at = run.requested_at
    job = DiscoveryRequested(run_id=run.id, account_id=account.id)
    await outbox.record(session, tables, [job.envelope(tenant=account.tenant, source=SOURCE)])
    await session.flush()
    return run
