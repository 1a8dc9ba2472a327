"""Why an alert that fires notifies nobody: a silence or a maintenance window holds
for it now (then it opens no incident either), or its rule keeps firing and
resolving on its target (flapping).

Both are decided when the alert fires and kept on the row, so that its resolution
is handled the same way: people who were not told it fired are not told it
resolved. A silence that starts while an alert fires also covers its resolution.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_monitoring.alerts.models import Alert, AlertRule
from nephos_monitoring.maintenance import repository as maintenance
from nephos_monitoring.maintenance.models import MaintenanceWindow
from nephos_monitoring.silences import repository as silences
from nephos_monitoring.silences.models import Silence


def silence_matches(matchers: Mapping[str, Any], alert: Alert, tags: Mapping[str, Any]) -> bool:
    if "rule_id" in matchers and str(alert.rule_id) != str(matchers["rule_id"]):
        return False
    if "asset_id" in matchers and str(alert.asset_id) != str(matchers["asset_id"]):
        return False
    if "severity" in matchers and alert.severity != matchers["severity"]:
        return False
    return all(tags.get(k) == v for k, v in (matchers.get("tags") or {}).items())


def window_covers(
    scope: Mapping[str, Any],
    asset_id: uuid.UUID,
    tags: Mapping[str, Any],
    groups: frozenset[uuid.UUID],
) -> bool:
    if scope["kind"] == "assets":
        return str(asset_id) in {str(a) for a in scope["asset_ids"]}
    if scope["kind"] == "tags":
        return all(tags.get(k) == v for k, v in scope["tags"].items())
    return uuid.UUID(str(scope["group_id"])) in groups


async def flapping(session: AsyncSession, rule: AlertRule, alert: Alert) -> bool:
    """More than ``flap_max_changes`` fire/resolve changes of this rule on this target
    within ``flap_window_seconds`` before this firing (by point time), this one included."""
    assert alert.fired_at is not None
    since = alert.fired_at - timedelta(seconds=rule.flap_window_seconds)
    fired = func.count().filter(Alert.fired_at >= since)
    resolved = func.count().filter(Alert.resolved_at >= since)
    row = (
        await session.execute(
            select(fired, resolved).where(
                Alert.rule_id == rule.id,
                Alert.asset_id == alert.asset_id,
                Alert.id != alert.id,
                or_(Alert.fired_at >= since, Alert.resolved_at >= since),
            )
        )
    ).one()
    return int(row[0]) + int(row[1]) + 1 > rule.flap_max_changes


class Suppressor:
    """One per evaluation: the tenant's active silences and windows are read once."""

    def __init__(self, session: AsyncSession, tenant: str, now: datetime | None = None) -> None:
        self._session = session
        self._tenant = tenant
        self._now = now or utcnow()
        self._loaded: tuple[list[Silence], list[MaintenanceWindow]] | None = None

    async def _active(self) -> tuple[list[Silence], list[MaintenanceWindow]]:
        if self._loaded is None:
            found = await silences.active(self._session, self._tenant, self._now)
            on = await maintenance.on_now(self._session, self._tenant, self._now)
            self._loaded = (found, on)
        return self._loaded

    async def silenced_by(
        self, alert: Alert, tags: Mapping[str, Any], groups: frozenset[uuid.UUID]
    ) -> list[dict[str, str]]:
        found, windows = await self._active()
        out = [
            {"kind": "silence", "id": str(s.id)}
            for s in found
            if silence_matches(s.matchers, alert, tags)
        ]
        out += [
            {"kind": "maintenance", "id": str(w.id)}
            for w in windows
            if window_covers(w.scope, alert.asset_id, tags, groups)
        ]
        return out

    async def on_fired(
        self,
        rule: AlertRule,
        alert: Alert,
        tags: Mapping[str, Any],
        groups: frozenset[uuid.UUID],
    ) -> None:
        alert.silenced_by = await self.silenced_by(alert, tags, groups)
        alert.flapping = await flapping(self._session, rule, alert)

    async def on_resolved(
        self, alert: Alert, tags: Mapping[str, Any], groups: frozenset[uuid.UUID]
    ) -> None:
        now = await self.silenced_by(alert, tags, groups)
        kept = list(alert.silenced_by or [])
        alert.silenced_by = kept + [s for s in now if s not in kept]
