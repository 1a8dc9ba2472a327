"""Maintenance window routes: viewers read, operators create, change and delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency, utcnow
from nephos_monitoring.maintenance import repository, service
from nephos_monitoring.maintenance.models import MaintenanceWindow
from nephos_monitoring.maintenance.schedule import is_on
from nephos_monitoring.maintenance.schemas import MaintenanceIn, MaintenanceList, MaintenanceOut

router = APIRouter(tags=["maintenance"])


def _out(window: MaintenanceWindow) -> MaintenanceOut:
    out = MaintenanceOut.model_validate(window)
    return out.model_copy(update={"active": is_on(window.schedule, window.timezone, utcnow())})


@router.post(
    "/maintenance-windows", status_code=status.HTTP_201_CREATED, response_model=MaintenanceOut
)
async def create_window(
    data: MaintenanceIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> MaintenanceOut:
    return _out(await service.create(session, principal, data))


@router.get("/maintenance-windows", response_model=MaintenanceList)
async def list_windows(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> MaintenanceList:
    return MaintenanceList(
        items=[_out(w) for w in await repository.listed(session, principal.tenant)]
    )


@router.get("/maintenance-windows/{window_id}", response_model=MaintenanceOut)
async def get_window(
    window_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> MaintenanceOut:
    return _out(await repository.get(session, principal.tenant, window_id))


@router.put("/maintenance-windows/{window_id}", response_model=MaintenanceOut)
async def replace_window(
    window_id: uuid.UUID,
    data: MaintenanceIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> MaintenanceOut:
    window = await repository.get(session, principal.tenant, window_id)
    return _out(await service.replace(session, window, data))


@router.delete("/maintenance-windows/{window_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_window(
    window_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    await session.delete(await repository.get(session, principal.tenant, window_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
