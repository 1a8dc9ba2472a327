"""Per-account discovery schedules: any replica may tick; row locks make sure
each due account gets exactly one run."""

from __future__ import annotations

from nephos_asset.accounts import repository as accounts
from nephos_asset.discovery.service import request_run
from nephos_common.db import Database, utcnow
from nephos_common.errors import Conflict
from nephos_common.messaging.outbox import OutboxRelay
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import run_every


async def queue_due_runs(database: Database, tables: MessagingTables) -> int:
    """Queue a run for every account whose interval has passed; returns how many."""
    queued = 0
    async with database.transaction() as session:
        for account in await accounts.due_for_discovery(session, utcnow()):
            try:
                async with session.begin_nested():
                    await request_run(session, tables, account, trigger="schedule")
                queued += 1
            except Conflict:
                account.last_discovery_requested_at = utcnow()
    return queued


async def run_scheduler(
    database: Database, tables: MessagingTables, relay: OutboxRelay, interval: float
) -> None:
    await run_every(
        interval,
        lambda: queue_due_runs(database, tables),
        what="discovery scheduler tick",
        wake=relay.wake,
    )
