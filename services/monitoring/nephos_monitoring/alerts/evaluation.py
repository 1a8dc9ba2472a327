"""Rule evaluation as points arrive: the pending -> firing -> resolved state machine.

For each rule and target, the new points are walked in time order. A breach
opens a pending alert stamped with the breach time; the alert fires once a
breach is seen ``for_seconds`` after that stamp (at once when it is zero); a
point that no longer breaches drops a pending alert and resolves a firing
one. Points not newer than the alert's last point are ignored, so late or
replayed points cannot re-trigger it. No-data rules fire from a timer
(``alerts.no_data``); here a point that arrives only resolves them.
"""

from __future__ import annotations

import operator as op
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.messaging.envelope import Envelope
from nephos_monitoring.alerts import events, repository
from nephos_monitoring.alerts.models import Alert, AlertRule
from nephos_monitoring.alerts.suppression import Suppressor
from nephos_monitoring.groups import repository as memberships
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.targets import repository as targets
from nephos_monitoring.targets.models import Target

COMPARE: dict[str, Callable[[float, float], bool]] = {
    "gt": op.gt,
    "ge": op.ge,
    "lt": op.lt,
    "le": op.le,
}


NO_GROUPS: frozenset[uuid.UUID] = frozenset()


def in_scope(rule: AlertRule, target: Target, groups: frozenset[uuid.UUID] = NO_GROUPS) -> bool:
    """``groups``: the service groups the target belongs to (for group-scoped rules)."""
    scope = rule.scope
    if scope["kind"] == "asset":
        return str(target.asset_id) == str(scope["asset_id"])
    if scope["kind"] == "tags":
        return all(target.tags.get(k) == v for k, v in scope["tags"].items())
    if scope["kind"] == "service_group":
        return uuid.UUID(str(scope["group_id"])) in groups
    return bool(target.category == scope["category"])


def open_alert(rule: AlertRule, asset_id: uuid.UUID, point: Point) -> Alert:
    return Alert(
        id=uuid.uuid4(),
        tenant=rule.tenant,
        rule_id=rule.id,
        asset_id=asset_id,
        metric=rule.metric,
        severity=rule.severity,
        state="pending",
        started_at=point.ts,
        last_value=point.value,
        last_ts=point.ts,
    )


def step(rule: AlertRule, alert: Alert | None, point: Point) -> tuple[Alert | None, str | None]:
    """Apply one point; returns the open alert afterwards (or None) and what happened."""
    if alert is not None and point.ts <= alert.last_ts:
        return alert, None
    breach = COMPARE[rule.operator](point.value, rule.threshold)
    created = alert is None
    if alert is None:
        if not breach:
            return None, None
        alert = open_alert(rule, point.asset_id, point)
    elif not breach:
        alert.last_value, alert.last_ts = point.value, point.ts
        if alert.state == "pending":
            return None, "cancelled"
        alert.state, alert.resolved_at = "resolved", point.ts
        return None, "resolved"
    alert.last_value, alert.last_ts = point.value, point.ts
    held = point.ts - alert.started_at >= timedelta(seconds=rule.for_seconds)
    if alert.state == "pending" and held:
        alert.state, alert.fired_at = "firing", point.ts
        return alert, "fired"
    return alert, "opened" if created else "held"


async def evaluate(session: AsyncSession, tenant: str, new: Sequence[Point]) -> list[Envelope]:
    """Run every matching enabled rule over newly stored points; returns events to record."""
    series = _by_series(new)
    asset_ids = sorted({a for a, _ in series})
    metrics = sorted({m for _, m in series})
    rules = await repository.enabled_rules(session, tenant, metrics, asset_ids)
    if not rules:
        return []
    found = await targets.by_ids(session, tenant, asset_ids)
    watched = {a: t for a, t in found.items() if t.monitored}
    groups = await memberships.groups_of(session, tenant, list(watched))
    alerts = await repository.open_alerts(
        session, tenant, rule_ids=[r.id for r in rules], asset_ids=list(watched)
    )
    walk = _Walk(session, Suppressor(session, tenant))
    out: list[Envelope] = []
    for rule in rules:
        for target in _candidates(rule, watched):
            points = series.get((target.asset_id, rule.metric))
            member_of = groups.get(target.asset_id, NO_GROUPS)
            if points and in_scope(rule, target, member_of):
                alert = alerts.pop((rule.id, target.asset_id), None)
                out.extend(await walk.run(rule, target, member_of, alert, points))
    await session.flush()
    return out


def _candidates(rule: AlertRule, watched: dict[uuid.UUID, Target]) -> list[Target]:
    """The targets worth a scope check: an asset-scoped rule (the common case, and
    thousands of them) looks at its own target only, not at every target of the batch."""
    if rule.scope["kind"] != "asset":
        return list(watched.values())
    target = watched.get(uuid.UUID(str(rule.scope["asset_id"])))
    return [target] if target is not None else []


class _Walk:
    def __init__(self, session: AsyncSession, suppressor: Suppressor) -> None:
        self._session = session
        self._suppressor = suppressor

    async def run(
        self,
        rule: AlertRule,
        target: Target,
        groups: frozenset[uuid.UUID],
        alert: Alert | None,
        points: Sequence[Point],
    ) -> list[Envelope]:
        """Walk one series through one rule; an alert that ends is flushed at once, so
        that the next episode's row never meets it in the open-alert unique index."""
        if rule.kind == "no_data":
            return await self._data_arrived(rule, target, groups, alert, points)
        session = self._session
        out: list[Envelope] = []
        for point in points:
            before = alert
            alert, what = step(rule, alert, point)
            if what in ("opened", "fired") and alert is not None:
                session.add(alert)
            if what == "fired" and alert is not None:
                await self._suppressor.on_fired(rule, alert, target.tags, groups)
                out.append(events.fired(rule, alert))
            elif what == "cancelled" and before is not None:
                await _forget(session, before)
            elif what == "resolved" and before is not None:
                await self._suppressor.on_resolved(before, target.tags, groups)
                await session.flush()
                out.append(events.resolved(rule, before, before.last_value, "condition_cleared"))
        return out

    async def _data_arrived(
        self,
        rule: AlertRule,
        target: Target,
        groups: frozenset[uuid.UUID],
        alert: Alert | None,
        points: Sequence[Point],
    ) -> list[Envelope]:
        """A no-data alert resolves as soon as a point newer than its silence arrives."""
        newest = points[-1]
        if alert is None or newest.ts <= alert.started_at:
            return []
        alert.state, alert.resolved_at = "resolved", newest.ts
        alert.last_value, alert.last_ts = newest.value, newest.ts
        await self._suppressor.on_resolved(alert, target.tags, groups)
        await self._session.flush()
        return [events.resolved(rule, alert, newest.value, "data_received")]


async def _forget(session: AsyncSession, alert: Alert) -> None:
    """A pending alert that never fired leaves no trace: it was not an incident."""
    if alert in session.new:
        session.expunge(alert)
    elif alert in session:
        await session.delete(alert)
        await session.flush()


def _by_series(points: Sequence[Point]) -> dict[tuple[uuid.UUID, str], list[Point]]:
    series: dict[tuple[uuid.UUID, str], list[Point]] = defaultdict(list)
    for p in sorted(points, key=lambda p: p.ts):
        series[(p.asset_id, p.metric)].append(p)
    return series


async def close_for_targets(
    session: AsyncSession, tenant: str, asset_ids: Sequence[uuid.UUID], reason: str, at: datetime
) -> list[Envelope]:
    """Deleted or stopped targets: drop pending alerts, resolve firing ones."""
    if not asset_ids:
        return []
    alerts = await repository.open_alerts(session, tenant, asset_ids=asset_ids)
    rules = {r.id: r for r in await repository.list_rules(session, tenant)}
    return await _close(session, list(alerts.values()), rules, reason, at)


async def close_left_group(
    session: AsyncSession,
    tenant: str,
    group_id: uuid.UUID,
    asset_ids: Sequence[uuid.UUID] | None,
    at: datetime,
) -> list[Envelope]:
    """Targets that left a service group (``None``: the group is gone) are out of the
    scope of its rules: their open alerts of those rules end."""
    rules = {
        r.id: r
        for r in await repository.list_rules(session, tenant)
        if r.scope.get("kind") == "service_group" and str(r.scope.get("group_id")) == str(group_id)
    }
    if not rules or asset_ids == []:
        return []
    alerts = await repository.open_alerts(
        session, tenant, rule_ids=list(rules), asset_ids=asset_ids
    )
    return await _close(session, list(alerts.values()), rules, "left_service_group", at)


async def _close(
    session: AsyncSession,
    alerts: Sequence[Alert],
    rules: dict[uuid.UUID, AlertRule],
    reason: str,
    at: datetime,
) -> list[Envelope]:
    out = []
    for alert in alerts:
        if alert.state == "pending":
            await _forget(session, alert)
            continue
        alert.state, alert.resolved_at = "resolved", at
        out.append(events.resolved(rules[alert.rule_id], alert, None, reason))
    await session.flush()
    return out
