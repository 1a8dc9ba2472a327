"""Per-source ingest schedules: any replica may tick; row locks make sure each
due source gets exactly one run."""

from __future__ import annotations

from nephos_common.db import Database, utcnow
from nephos_common.errors import Conflict
from nephos_common.messaging.outbox import OutboxRelay
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import run_every
from nephos_metering.sources import repository
from nephos_metering.sources.service import is_due, request_run


async def queue_due_runs(database: Database, tables: MessagingTables) -> int:
    """Queue a run for every enabled source whose time has come; returns how many."""
    queued = 0
    async with database.transaction() as session:
        now = utcnow()
        for source in await repository.scheduled_for_update(session):
            if not is_due(source, now):
                continue
            try:
                async with session.begin_nested():
                    await request_run(session, tables, source, trigger="schedule")
                queued += 1
            except Conflict:
                source.last_run_requested_at = now
    return queued


async def run_scheduler(
    database: Database, tables: MessagingTables, relay: OutboxRelay, interval: float
) -> None:
    await run_every(
        interval,
        lambda: queue_due_runs(database, tables),
        what="ingest scheduler tick",
        wake=relay.wake,
    )
