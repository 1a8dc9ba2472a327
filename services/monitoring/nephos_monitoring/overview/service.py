"""Overviews worked out from one read of the tenant's targets, statuses, CPU and alerts.

The read is shared: the overview of every service group of a page comes from
the same rows as the tenant's own, each group keeping only its members.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_monitoring.alerts.repository import firing, severities_by_asset
from nephos_monitoring.metrics.series import Latest, latest_values
from nephos_monitoring.targets import repository
from nephos_monitoring.targets.models import Target
from nephos_monitoring.targets.status import statuses_of

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


@dataclass(frozen=True)
class Snapshot:
    """What every overview of a tenant is computed from, read once."""

    targets: list[Target]
    status: dict[uuid.UUID, tuple[str, datetime | None]]
    cpu: Latest
    firing: list[uuid.UUID]
    """The asset of each firing alert."""
    fresh_after: datetime

    def overview(self, members: Collection[uuid.UUID] | None = None) -> Overview:
        """The whole tenant's overview, or only that of these assets."""
        targets = [t for t in self.targets if members is None or t.asset_id in members]
        shown = {t.asset_id for t in targets}
        by_status = Counter(self.status[t.asset_id][0] for t in targets)
        bands = Counter(band(v) for v in self._fresh_cpu(targets))
        return Overview(
            targets_total=len(targets),
            by_status={s: by_status.get(s, 0) for s in STATUSES},
            cpu_histogram={b: bands.get(b, 0) for b in BANDS},
            firing_alerts=self._firing(shown if members is not None else None),
        )

    def _firing(self, shown: set[uuid.UUID] | None) -> int:
        """The tenant's firing alerts, or those on the assets shown."""
        return sum(1 for asset_id in self.firing if shown is None or asset_id in shown)

    def _fresh_cpu(self, targets: list[Target]) -> list[float]:
        """Latest CPU readings of monitored servers, if recent enough to show."""
        readings = [
            self.cpu.get((t.asset_id, CPU_METRIC))
            for t in targets
            if t.category == "server" and t.monitored
        ]
        return [r[1] for r in readings if r is not None and r[0] >= self.fresh_after]


async def snapshot(session: AsyncSession, tenant: str, no_data_after: float) -> Snapshot:
    """Three reads: the targets, every series' newest point and the firing alerts; the
    statuses, CPU readings and alert counts all come from them."""
    targets = await repository.list_present(session, tenant)
    latest = await latest_values(session, tenant)
    alerts = await firing(session, tenant)
    fresh_after = utcnow() - timedelta(seconds=no_data_after)
    return Snapshot(
        targets=targets,
        status=statuses_of(targets, severities_by_asset(alerts), latest, fresh_after),
        cpu={key: point for key, point in latest.items() if key[1] == CPU_METRIC},
        firing=[asset_id for asset_id, _ in alerts],
        fresh_after=fresh_after,
    )
