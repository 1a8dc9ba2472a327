"""Every collection interval, a job for each account that has targets.

Any replica may tick: the interval's slot is part of each job's unique key,
so of several replicas ticking in the same interval only the first queues
an account's job and the others find it queued.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from nephos_common.db import Database, utcnow
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import run_every
from nephos_monitoring.collection import repository
from nephos_monitoring.collection.jobs import request_job
from nephos_monitoring.settings import Settings


def slot_of(now: datetime, interval: float) -> datetime:
    """The start of the interval ``now`` falls in: the same on every replica."""
    seconds = int(now.timestamp() // interval * interval)
    return datetime.fromtimestamp(seconds, UTC)


async def queue_due_jobs(
    database: Database, tables: MessagingTables, now: datetime, interval: float
) -> int:
    """Queue this interval's job of every account with targets; returns how many were new."""
    slot = slot_of(now, interval)
    queued = 0
    async with database.transaction() as session:
        for tenant, account_id, provider in await repository.accounts_with_targets(session):
            job = await request_job(
                session, tables, tenant, account_id, provider, slot=slot, trigger="schedule"
            )
            queued += job is not None
    return queued


async def run_collection_scheduler(app: FastAPI) -> None:
    """Background worker: ticks five times per ``collection_interval_seconds``, so a
    new interval's jobs are queued soon after it starts, whichever replica ticks first."""
    settings: Settings = app.state.settings
    interval = settings.collection_interval_seconds
    try:
        await run_every(
            interval / 5,
            lambda: queue_due_jobs(app.state.database, app.state.tables, utcnow(), interval),
            what="collection scheduler tick",
            wake=app.state.relay.wake,
        )
    finally:
        await app.state.cloud_sessions.close()
