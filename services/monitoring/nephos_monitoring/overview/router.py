"""The tenant's monitoring overview: targets by status and the portal's CPU histogram."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency, utcnow
from nephos_monitoring.alerts.repository import list_alerts
from nephos_monitoring.groups import repository as groups
from nephos_monitoring.metrics.series import latest_values
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository
from nephos_monitoring.targets.status import statuses

router = APIRouter(tags=["overview"])

CPU_METRIC = "cpu_percent"
BANDS = ("0-20", "20-40", "40-60", "60-80", "80-100")
STATUSES = ("normal", "warning", "critical", "no_data", "stopped")


class Overview(BaseModel):
    targets_total: int
    by_status: dict[str, int]
    cpu_histogram: dict[str, int]
    """Servers by their latest fresh CPU reading; 100 % falls in the last band."""
    firing_alerts: int


def band(value: float) -> str:
    index = min(max(int(value // 20), 0), len(BANDS) - 1)
    return BANDS[index]


@router.get("/overview", response_model=Overview)
async def overview(
    request: Request,
    service_group: uuid.UUID | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> Overview:
    """The tenant's targets, or only the members of one service group."""
    settings: Settings = request.app.state.settings
    targets = await repository.list_present(session, principal.tenant)
    if service_group is not None:
        members = await groups.members(session, principal.tenant, service_group)
        targets = [t for t in targets if t.asset_id in members]
    found = await statuses(session, principal.tenant, targets, settings.no_data_after_seconds)
    by_status = Counter(status for status, _ in found.values())
    cpu = await latest_values(session, principal.tenant, CPU_METRIC)
    fresh_after = utcnow() - timedelta(seconds=settings.no_data_after_seconds)
    bands = Counter(
        band(cpu[(t.asset_id, CPU_METRIC)][1])
        for t in targets
        if t.category == "server"
        and t.monitored
        and (t.asset_id, CPU_METRIC) in cpu
        and cpu[(t.asset_id, CPU_METRIC)][0] >= fresh_after
    )
    shown = {t.asset_id for t in targets}
    firing = [
        a
        for a in await list_alerts(session, principal.tenant, state="firing")
        if service_group is None or a.asset_id in shown
    ]
    return Overview(
        targets_total=len(targets),
        by_status={s: by_status.get(s, 0) for s in STATUSES},
        cpu_histogram={b: bands.get(b, 0) for b in BANDS},
        firing_alerts=len(firing),
    )
