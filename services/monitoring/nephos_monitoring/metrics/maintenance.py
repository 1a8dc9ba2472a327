"""Periodic storage upkeep: partitions created ahead, expired ones and rollups dropped."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import delete

from nephos_common.db import Database, utcnow
from nephos_common.tasks import stop_if_cancelled
from nephos_monitoring.metrics import partitions
from nephos_monitoring.metrics.tables import ROLLUP_1H
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
        cutoff = now - timedelta(days=settings.rollup_retention_days)
        gone = await session.execute(delete(ROLLUP_1H).where(ROLLUP_1H.c.bucket < cutoff))
    deleted = int(getattr(gone, "rowcount", 0) or 0)
    return MaintenanceReport(created=created, dropped=dropped, rollups_deleted=deleted)


async def run_maintenance(app: FastAPI) -> None:
    """Background worker: one pass at start, then every ``maintenance_interval_seconds``."""
    settings: Settings = app.state.settings
    while True:
        try:
            report = await maintain(app.state.database, settings, utcnow())
            if report.created or report.dropped:
                changes = {"created_partitions": report.created, "dropped": report.dropped}
                log.info("metric partitions maintained", extra=changes)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            stop_if_cancelled()
            log.warning("metric maintenance failed", extra={"error": str(exc)})
        await asyncio.sleep(settings.maintenance_interval_seconds)
