"""Escalation: an incident that follows a policy pages its first step when it opens;
while nobody acknowledges it, each step's wait over pages the next step (a delivery
to its channels, an ``escalated`` timeline row, an ``incident.updated`` event). It
stops on acknowledge or resolve, and after the last step.

The policy is the rule's, else the tenant's default (incident preferences).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_monitoring.alerts.models import AlertRule
from nephos_monitoring.escalation import repository
from nephos_monitoring.escalation.models import EscalationPolicy, IncidentEscalation
from nephos_monitoring.escalation.schemas import PolicyIn
from nephos_monitoring.incidents import timeline
from nephos_monitoring.incidents.models import Incident, IncidentAlert, IncidentPreferences
from nephos_monitoring.notifications.enqueue import queue_to_channels
from nephos_monitoring.notifications.router import check_channels

ESCALATED = "escalated"


async def policy_for(
    session: AsyncSession, tenant: str, rule_id: uuid.UUID
) -> EscalationPolicy | None:
    rule = await session.get(AlertRule, rule_id)
    policy_id = rule.escalation_policy_id if rule is not None and rule.tenant == tenant else None
    if policy_id is None:
        preferences = await session.get(IncidentPreferences, tenant)
        policy_id = preferences.escalation_policy_id if preferences is not None else None
    if policy_id is None:
        return None
    policy = await session.get(EscalationPolicy, policy_id)
    return policy if policy is not None and policy.tenant == tenant else None


async def _apply(session: AsyncSession, policy: EscalationPolicy, data: PolicyIn) -> None:
    """Steps may only page this tenant's channels."""
    channel_ids = sorted({c for step in data.steps for c in step.channel_ids})
    await check_channels(session, policy.tenant, channel_ids)
    policy.name = data.name
    policy.steps = [step.model_dump(mode="json") for step in data.steps]


async def create_policy(session: AsyncSession, tenant: str, data: PolicyIn) -> EscalationPolicy:
    policy = EscalationPolicy(id=uuid.uuid4(), tenant=tenant)
    await _apply(session, policy, data)
    session.add(policy)
    await session.flush()
    await session.refresh(policy)
    return policy


async def replace_policy(
    session: AsyncSession, policy: EscalationPolicy, data: PolicyIn
) -> EscalationPolicy:
    """Incidents already escalating keep their current step's wait, then follow the new
    steps (stopping if there are fewer)."""
    await _apply(session, policy, data)
    await session.flush()
    return policy


def _channels(policy: EscalationPolicy, step: int) -> list[uuid.UUID]:
    return [uuid.UUID(str(c)) for c in policy.steps[step]["channel_ids"]]


async def start(
    session: AsyncSession,
    incident: Incident,
    rule_id: uuid.UUID,
    alert_id: uuid.UUID,
    opened: Envelope,
) -> None:
    """A new incident: page the first step with the ``incident.opened`` event."""
    policy = await policy_for(session, incident.tenant, rule_id)
    if policy is None:
        return
    session.add(
        IncidentEscalation(
            incident_id=incident.id,
            tenant=incident.tenant,
            policy_id=policy.id,
            step=0,
            step_started_at=incident.opened_at,
            step_wait_minutes=int(policy.steps[0]["wait_minutes"]),
            done=False,
        )
    )
    await queue_to_channels(session, opened, _channels(policy, 0), alert_id)


async def _first_alert(session: AsyncSession, incident: Incident) -> uuid.UUID | None:
    return await session.scalar(
        select(IncidentAlert.alert_id)
        .where(IncidentAlert.incident_id == incident.id)
        .order_by(IncidentAlert.joined_at)
        .limit(1)
    )


async def advance(session: AsyncSession, row: IncidentEscalation, now: datetime) -> list[Envelope]:
    """The current step's wait is over: page the next step, or stop."""
    incident = await session.get(Incident, row.incident_id, with_for_update=True)
    policy = await session.get(EscalationPolicy, row.policy_id)
    following = row.step + 1
    if (
        incident is None
        or policy is None
        or incident.status != "open"
        or following >= len(policy.steps)
    ):
        row.done = True
        return []
    alert_id = await _first_alert(session, incident)
    row.step, row.step_started_at = following, now
    row.step_wait_minutes = int(policy.steps[following]["wait_minutes"])
    channels = _channels(policy, following)
    detail = {"step": following + 1, "channel_ids": [str(c) for c in channels]}
    timeline.add(session, incident, ESCALATED, None, now, **detail)
    event = timeline.updated(incident, ESCALATED, None)
    if alert_id is not None:
        await queue_to_channels(session, event, channels, alert_id)
    return [event]


async def advance_due(session: AsyncSession, minute_seconds: float) -> list[Envelope]:
    now = utcnow()
    out: list[Envelope] = []
    for row in await repository.due(session, now, minute_seconds):
        out.extend(await advance(session, row, now))
    await session.flush()
    return out
