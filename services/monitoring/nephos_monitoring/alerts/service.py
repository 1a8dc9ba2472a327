"""Rule changes. Removing or disabling a rule ends its open alerts, with events."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts import events, repository
from nephos_monitoring.alerts.models import AlertRule
from nephos_monitoring.alerts.schemas import RuleCreate, RuleUpdate
from nephos_monitoring.notifications.enqueue import announce
from nephos_monitoring.notifications.router import check_channels


async def create(session: AsyncSession, tenant: str, data: RuleCreate) -> AlertRule:
    await check_channels(session, tenant, data.channel_ids)
    rule = AlertRule(id=uuid.uuid4(), tenant=tenant, **data.model_dump(mode="json"))
    session.add(rule)
    await session.flush()
    await session.refresh(rule)
    return rule


async def update(
    session: AsyncSession, tables: MessagingTables, rule: AlertRule, data: RuleUpdate
) -> AlertRule:
    if data.channel_ids is not None:
        await check_channels(session, rule.tenant, data.channel_ids)
    for key, value in data.model_dump(mode="json", exclude_unset=True).items():
        if value is not None:
            setattr(rule, key, value)
    if not rule.enabled:
        await announce(session, tables, await _close_alerts(session, rule, "rule_disabled"))
    await session.flush()
    await session.refresh(rule)
    return rule


async def delete(session: AsyncSession, tables: MessagingTables, rule: AlertRule) -> None:
    await announce(session, tables, await _close_alerts(session, rule, "rule_deleted"))
    await session.delete(rule)
    await session.flush()


async def _close_alerts(session: AsyncSession, rule: AlertRule, reason: str) -> list[Envelope]:
    """Resolve the rule's firing alerts (announced) and drop its pending ones."""
    alerts = await repository.open_alerts(session, rule.tenant, rule_ids=[rule.id])
    out = []
    now = utcnow()
    for alert in alerts.values():
        if alert.state == "pending":
            await session.delete(alert)
            continue
        alert.state, alert.resolved_at = "resolved", now
        out.append(events.resolved(rule, alert, None, reason))
    await session.flush()
    return out
