"""Periodic storage upkeep: partitions created ahead, expired ones and rollups dropped
(each rollup resolution after its own retention), old finished collection jobs forgotten."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import delete

from nephos_common.db import Database, utcnow
from nephos_common.tasks import run_every
from nephos_monitoring.collection import repository as collection_jobs
from nephos_monitoring.metrics import partitions
from nephos_monitoring.metrics.tables import ROLLUPS
from nephos_monitoring.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class MaintenanceReport:
    created: list[str]
    dropped: list[str]
    rollups_deleted: int


async def maintain(database: Database, settings: Settings, now: datetime) -> MaintenanceReport:
    today = now.date()
    ahead = [today + timedelta(days=d) for d in range(settings.partitions_ahead_days + 1)]
    async with database.transaction() as session:
        created = await partitions.ensure(session, ahead)
        first_kept = today - timedelta(days=settings.raw_retention_days)
        dropped = await partitions.drop_before(session, first_kept)
        deleted = 0
        for resolution, days in _rollup_retention(settings).items():
            table = ROLLUPS[resolution]
            cutoff = now - timedelta(days=days)
            gone = await session.execute(delete(table).where(table.c.bucket < cutoff))
            deleted += int(getattr(gone, "rowcount", 0) or 0)
        keep_jobs = timedelta(days=settings.collection_job_retention_days)
        await collection_jobs.prune_finished(session, now - keep_jobs)
    return MaintenanceReport(created=created, dropped=dropped, rollups_deleted=deleted)


def _rollup_retention(settings: Settings) -> dict[str, int]:
    """Days each rollup is kept: coarser ones longer, for long-range views."""
    return {
        "5m": settings.rollup_5m_retention_days,
        "1h": settings.rollup_retention_days,
        "1d": settings.rollup_1d_retention_days,
    }


async def run_maintenance(app: FastAPI) -> None:
    """Background worker: one pass at start, then every ``maintenance_interval_seconds``."""
    settings: Settings = app.state.settings

    async def tick() -> None:
        report = await maintain(app.state.database, settings, utcnow())
        if report.created or report.dropped:
            changes = {"created_partitions": report.created, "dropped": report.dropped}
            log.info("metric partitions maintained", extra=changes)

    await run_every(settings.maintenance_interval_seconds, tick, what="metric maintenance")
