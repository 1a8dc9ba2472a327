"""Every query on maintenance windows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_monitoring.maintenance.models import MaintenanceWindow
from nephos_monitoring.maintenance.schedule import is_on

MAX_WINDOWS = 1000


async def get(session: AsyncSession, tenant: str, window_id: uuid.UUID) -> MaintenanceWindow:
    window = await session.get(MaintenanceWindow, window_id)
    if window is None or window.tenant != tenant:
        raise NotFound("no such maintenance window", code="maintenance_window_not_found")
    return window


async def listed(session: AsyncSession, tenant: str) -> list[MaintenanceWindow]:
    query = (
        select(MaintenanceWindow)
        .where(MaintenanceWindow.tenant == tenant)
        .order_by(MaintenanceWindow.created_at, MaintenanceWindow.id)
        .limit(MAX_WINDOWS)
    )
    return list(await session.scalars(query))


async def on_now(session: AsyncSession, tenant: str, now: datetime) -> list[MaintenanceWindow]:
    """The tenant's windows that are on at ``now`` (schedules are checked in Python:
    weekly ones depend on each window's time zone)."""
    return [w for w in await listed(session, tenant) if is_on(w.schedule, w.timezone, now)]
