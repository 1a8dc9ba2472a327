"""Summarise finished UTC days of every server and publish ``monitoring.utilisation.daily``.

The summary and its outbox event are written in one transaction with a row
in ``utilisation_days`` that claims the (server, day) pair, so an event is
published exactly once per pair however many replicas run this, and a crash
before commit loses neither. Event ids are derived from the pair too, so
even a re-published event is dropped by JetStream as a duplicate.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from fastapi import FastAPI

from nephos_common.contracts.monitoring import UtilisationDaily
from nephos_common.db import Database, utcnow
from nephos_common.messaging import outbox
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import run_every
from nephos_monitoring.settings import Settings
from nephos_monitoring.utilisation import repository
from nephos_monitoring.utilisation.repository import DayStats

SOURCE = "monitoring"
_EVENT_IDS = uuid.UUID("5b0f3c53-1d0e-4a43-9a52-6f7d0c1f1d01")
CLOUD_PROVIDERS = frozenset({"aws", "azure", "gcp"})


def event_of(day: date, stats: DayStats) -> Envelope:
    cloud_account = stats.account_id if stats.provider in CLOUD_PROVIDERS else None
    contract = UtilisationDaily(
        asset_id=stats.asset_id,
        account_id=cloud_account,
        provider=stats.provider,
        native_id=stats.native_id,
        category=stats.category,
        day=day,
        samples=stats.samples,
        cpu_avg=stats.cpu_avg,
        cpu_p95=stats.cpu_p95,
        cpu_max=stats.cpu_max,
        network_in_bytes=stats.network_in_bytes,
        network_out_bytes=stats.network_out_bytes,
    )
    envelope = contract.envelope(tenant=stats.tenant, source=SOURCE)
    key = f"{stats.tenant}/{stats.asset_id}/{day.isoformat()}"
    return envelope.model_copy(update={"id": uuid.uuid5(_EVENT_IDS, key)})


async def summarise_day(database: Database, tables: MessagingTables, day: date) -> int:
    """Publish the day's summary of every server not yet summarised; returns how many."""
    async with database.transaction() as session:
        found = await repository.unsummarised(session, day)
        claimed = await repository.mark(session, day, found)
        events = [event_of(day, s) for s in found if (s.tenant, s.asset_id) in claimed]
        await outbox.record(session, tables, events)
    return len(events)


async def summarise_finished_days(
    database: Database, tables: MessagingTables, today: date, lookback_days: int
) -> int:
    """Yesterday and the days before it back to ``lookback_days`` (late points, downtime)."""
    days = [today - timedelta(days=d) for d in range(lookback_days, 0, -1)]
    return sum([await summarise_day(database, tables, day) for day in days])


async def run_utilisation(app: FastAPI) -> None:
    """Background worker: every ``utilisation_interval_seconds``, summarise finished days."""
    settings: Settings = app.state.settings
    await run_every(
        settings.utilisation_interval_seconds,
        lambda: summarise_finished_days(
            app.state.database, app.state.tables, utcnow().date(),
            settings.utilisation_lookback_days,
        ),
        what="utilisation summary",
        wake=app.state.relay.wake,
    )  # fmt: skip
