"""The escalation timer: pages the next step of unacknowledged incidents whose step
wait is over. Rows are claimed skip-locked, so replicas share the work."""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.db import Database
from nephos_common.messaging.outbox import record
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import run_every
from nephos_monitoring.escalation.service import advance_due
from nephos_monitoring.settings import Settings


async def run_once(database: Database, tables: MessagingTables, minute_seconds: float) -> int:
    async with database.transaction() as session:
        return await record(session, tables, await advance_due(session, minute_seconds))


async def run_escalations(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    await run_every(
        settings.escalation_poll_seconds,
        lambda: run_once(app.state.database, app.state.tables, settings.escalation_minute_seconds),
        what="escalation round",
        wake=app.state.relay.wake,
    )
