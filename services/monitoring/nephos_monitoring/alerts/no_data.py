"""No-data rules, checked on a timer: a target in scope that has had no point of the
rule's metric for ``no_data_seconds`` fires; a point arriving resolves it (at once,
in ``evaluation``; the timer is the safety net).

Silence is counted from the newest point of the series, or from the rule's creation
when the series never had one, so a new rule gives every target its full grace.
Stopped and deleted targets are not watched (a stopped server sends nothing by design).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database, utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables
from nephos_common.tasks import run_every
from nephos_monitoring.alerts import events, repository
from nephos_monitoring.alerts.evaluation import NO_GROUPS, in_scope
from nephos_monitoring.alerts.models import Alert, AlertRule
from nephos_monitoring.alerts.suppression import Suppressor
from nephos_monitoring.groups import repository as memberships
from nephos_monitoring.metrics.series import latest_values
from nephos_monitoring.notifications.enqueue import announce
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository as targets
from nephos_monitoring.targets.models import Target


def _fired(rule: AlertRule, target: Target, since: datetime, now: datetime) -> Alert:
    quiet = (now - since).total_seconds()
    return Alert(
        id=uuid.uuid4(),
        tenant=rule.tenant,
        rule_id=rule.id,
        asset_id=target.asset_id,
        metric=rule.metric,
        severity=rule.severity,
        state="firing",
        started_at=since,
        fired_at=now,
        last_value=quiet,
        last_ts=now,
    )


async def check_tenant(session: AsyncSession, tenant: str, now: datetime) -> list[Envelope]:
    """Fire the no-data alerts of one tenant that are due; returns the events."""
    rules = await repository.no_data_rules(session, tenant)
    watched = [t for t in await targets.list_present(session, tenant) if t.monitored]
    if not rules or not watched:
        return []
    groups = await memberships.groups_of(session, tenant, [t.asset_id for t in watched])
    latest = await latest_values(session, tenant)
    alerts = await repository.open_alerts(session, tenant, rule_ids=[r.id for r in rules])
    suppressor = Suppressor(session, tenant, now)
    out: list[Envelope] = []
    for rule in rules:
        assert rule.no_data_seconds is not None
        for target in watched:
            member_of = groups.get(target.asset_id, NO_GROUPS)
            if (rule.id, target.asset_id) in alerts or not in_scope(rule, target, member_of):
                continue
            seen = latest.get((target.asset_id, rule.metric))
            since = seen[0] if seen else rule.created_at
            if (now - since).total_seconds() <= rule.no_data_seconds:
                continue
            alert = _fired(rule, target, since, now)
            session.add(alert)
            await suppressor.on_fired(rule, alert, target.tags, member_of)
            out.append(events.fired(rule, alert))
    await session.flush()
    return out


async def check_once(database: Database, tables: MessagingTables) -> int:
    """One pass over every tenant with no-data rules, a transaction per tenant."""
    async with database.transaction() as session:
        tenants = await repository.no_data_tenants(session)
    fired = 0
    for tenant in tenants:
        async with database.transaction() as session:
            fired += await announce(session, tables, await check_tenant(session, tenant, utcnow()))
    return fired


async def run_no_data(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    await run_every(
        settings.no_data_poll_seconds,
        lambda: check_once(app.state.database, app.state.tables),
        what="no-data check",
        wake=app.state.relay.wake,
    )
