"""Rule changes. Removing or disabling a rule ends its open alerts, with events."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.errors import InvalidInput
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts import events, repository
from nephos_monitoring.alerts.models import AlertRule
from nephos_monitoring.alerts.schemas import RuleCreate, RuleUpdate
from nephos_monitoring.escalation.repository import check_policy
from nephos_monitoring.notifications.enqueue import announce
from nephos_monitoring.notifications.router import check_channels

CLEARABLE = frozenset({"auto_resolve_incidents", "escalation_policy_id"})
"""Fields that an update may set back to null (null: the tenant's default decides)."""
THRESHOLD_ONLY = frozenset({"operator", "threshold", "for_seconds"})


async def create(session: AsyncSession, tenant: str, data: RuleCreate) -> AlertRule:
    await check_channels(session, tenant, data.channel_ids)
    await check_policy(session, tenant, data.escalation_policy_id)
    values = data.model_dump(mode="json")
    if data.kind == "no_data":
        values.update(operator="gt", threshold=float(values["no_data_seconds"]), for_seconds=0)
    rule = AlertRule(id=uuid.uuid4(), tenant=tenant, **values)
    session.add(rule)
    await session.flush()
    await session.refresh(rule)
    return rule


def _check_kind(rule: AlertRule, changes: dict[str, object]) -> None:
    if rule.kind == "no_data" and THRESHOLD_ONLY & {k for k, v in changes.items() if v is not None}:
        raise InvalidInput(
            "a no-data rule has no threshold, operator or for-duration", code="not_a_threshold_rule"
        )
    if rule.kind == "threshold" and changes.get("no_data_seconds") is not None:
        raise InvalidInput("only no-data rules have no_data_seconds", code="not_a_no_data_rule")


async def update(
    session: AsyncSession, tables: MessagingTables, rule: AlertRule, data: RuleUpdate
) -> AlertRule:
    changes = data.model_dump(mode="json", exclude_unset=True)
    _check_kind(rule, changes)
    if data.channel_ids is not None:
        await check_channels(session, rule.tenant, data.channel_ids)
    await check_policy(session, rule.tenant, data.escalation_policy_id)
    for key, value in changes.items():
        if value is not None or key in CLEARABLE:
            setattr(rule, key, value)
    if rule.kind == "no_data" and data.no_data_seconds is not None:
        rule.threshold = float(data.no_data_seconds)
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
