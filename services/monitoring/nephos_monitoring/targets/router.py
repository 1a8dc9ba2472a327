"""HTTP routes of targets: what monitoring watches, with each one's status."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository
from nephos_monitoring.targets.schemas import TargetList, TargetOut
from nephos_monitoring.targets.status import statuses

router = APIRouter(tags=["targets"])


@router.get("/targets", response_model=TargetList)
async def list_targets(
    request: Request,
    category: str | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> TargetList:
    """Present targets (deleted assets are left out), by name."""
    settings: Settings = request.app.state.settings
    targets = await repository.list_present(session, principal.tenant, category=category)
    found = await statuses(session, principal.tenant, targets, settings.no_data_after_seconds)
    items = []
    for target in targets:
        status, last_seen = found[target.asset_id]
        out = TargetOut.model_validate(target)
        items.append(out.model_copy(update={"status": status, "last_seen": last_seen}))
    return TargetList(items=items)
