"""Maintenance window changes: the caller's tenant and name are stamped."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal
from nephos_monitoring.maintenance.models import MaintenanceWindow
from nephos_monitoring.maintenance.schemas import MaintenanceIn


def _apply(window: MaintenanceWindow, data: MaintenanceIn) -> None:
    window.name = data.name
    window.scope = data.scope.model_dump(mode="json")
    window.schedule = data.schedule.model_dump(mode="json")
    window.timezone = data.timezone
    window.comment = data.comment


async def create(
    session: AsyncSession, principal: Principal, data: MaintenanceIn
) -> MaintenanceWindow:
    window = MaintenanceWindow(
        id=uuid.uuid4(), tenant=principal.tenant, created_by=principal.subject
    )
    _apply(window, data)
    session.add(window)
    await session.flush()
    await session.refresh(window)
    return window


async def replace(
    session: AsyncSession, window: MaintenanceWindow, data: MaintenanceIn
) -> MaintenanceWindow:
    _apply(window, data)
    await session.flush()
    return window
