"""A target's status for the dashboard: the worst firing alert, or whether data flows.

Precedence: stopped (not alarmed), critical, warning, no data, normal.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_monitoring.alerts.repository import firing, severities_by_asset
from nephos_monitoring.metrics.series import Latest, latest_values
from nephos_monitoring.targets.models import Target


def status_of(
    target: Target, severities: set[str], last_seen: datetime | None, fresh_after: datetime
) -> str:
    if target.state == "stopped":
        return "stopped"
    for severity in ("critical", "warning"):
        if severity in severities:
            return severity
    if last_seen is None or last_seen < fresh_after:
        return "no_data"
    return "normal"


def statuses_of(
    targets: Sequence[Target], severities: dict[uuid.UUID, set[str]], latest: Latest,
    fresh_after: datetime,
) -> dict[uuid.UUID, tuple[str, datetime | None]]:  # fmt: skip
    """Status and newest point time of each target, from reads already made."""
    seen: dict[uuid.UUID, datetime] = {}
    for (asset_id, _), (ts, _) in latest.items():
        if asset_id not in seen or seen[asset_id] < ts:
            seen[asset_id] = ts
    return {
        t.asset_id: (
            status_of(t, severities.get(t.asset_id, set()), seen.get(t.asset_id), fresh_after),
            seen.get(t.asset_id),
        )
        for t in targets
    }


async def statuses(
    session: AsyncSession, tenant: str, targets: Sequence[Target], no_data_after: float
) -> dict[uuid.UUID, tuple[str, datetime | None]]:
    """Status and newest point time of each target."""
    severities = severities_by_asset(await firing(session, tenant))
    latest = await latest_values(session, tenant)
    return statuses_of(targets, severities, latest, utcnow() - timedelta(seconds=no_data_after))
