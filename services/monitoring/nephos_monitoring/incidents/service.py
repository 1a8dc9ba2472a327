"""Incidents from alert events (a JetStream consumer of our own stream) and the
operator's actions; every change writes a timeline row and an event in the outbox."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.monitoring import (
    AlertFired,
    AlertResolved,
    IncidentOpened,
)
from nephos_common.db import utcnow
from nephos_common.errors import Conflict, NotFound
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts.models import Alert, AlertRule
from nephos_monitoring.escalation import service as escalation
from nephos_monitoring.incidents import timeline
from nephos_monitoring.incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Incident,
    IncidentAlert,
    IncidentComment,
    IncidentPreferences,
)

SOURCE = timeline.SOURCE
SUBJECT = "monitoring.alert.>"
DURABLE = "monitoring-incidents"


class IncidentsConsumer:
    def __init__(self, tables: MessagingTables) -> None:
        self._tables = tables

    async def handle(self, session: AsyncSession, envelope: Envelope) -> None:
        if envelope.type == AlertFired.event_type:
            events = await alert_fired(session, envelope.tenant, AlertFired.parse(envelope))
        elif envelope.type == AlertResolved.event_type:
            events = await alert_resolved(session, envelope.tenant, AlertResolved.parse(envelope))
        else:
            return
        await record(session, self._tables, events)


async def alert_fired(session: AsyncSession, tenant: str, alert: AlertFired) -> list[Envelope]:
    """Open an incident for the target or join its open one; a replayed event is a no-op,
    and so is an alert fired under a silence or a maintenance window."""
    if await session.get(IncidentAlert, alert.alert_id) is not None:
        return []
    if await _silenced(session, alert.alert_id):
        return []
    now = utcnow()
    new_id = await session.scalar(
        insert(Incident)
        .values(
            id=uuid.uuid4(),
            tenant=tenant,
            asset_id=alert.asset_id,
            title=f"{alert.rule_name} on {alert.asset_id}",
            status="open",
            severity=alert.severity,
            opened_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=["tenant", "asset_id"],
            index_where=text("status IN ('open', 'acknowledged')"),
        )
        .returning(Incident.id)
    )
    opened = new_id is not None
    incident = await session.scalar(
        select(Incident)
        .where(
            Incident.tenant == tenant,
            Incident.asset_id == alert.asset_id,
            Incident.status.in_(OPEN_STATUSES),
        )
        .with_for_update()
    )
    assert incident is not None
    joined = await session.scalar(
        insert(IncidentAlert)
        .values(
            alert_id=alert.alert_id, incident_id=incident.id, severity=alert.severity, joined_at=now
        )
        .on_conflict_do_nothing()
        .returning(IncidentAlert.alert_id)
    )
    if joined is None:
        return []
    detail = {"alert_id": str(alert.alert_id), "rule": alert.rule_name, "value": alert.value}
    if opened:
        timeline.add(session, incident, "opened", None, now, severity=alert.severity, **detail)
        await session.flush()
        ref = timeline.ref(incident)
        event = IncidentOpened(**ref, alert_id=alert.alert_id).envelope(
            tenant=tenant, source=SOURCE
        )
        await escalation.start(session, incident, alert.rule_id, alert.alert_id, event)
        return [event]
    if SEVERITY_RANK.get(alert.severity, 0) > SEVERITY_RANK.get(incident.severity, 0):
        incident.severity = alert.severity
    timeline.add(session, incident, "alert_joined", None, now, severity=alert.severity, **detail)
    await session.flush()
    return [timeline.updated(incident, "alert_joined", None)]


async def alert_resolved(
    session: AsyncSession, tenant: str, alert: AlertResolved
) -> list[Envelope]:
    link = await session.get(IncidentAlert, alert.alert_id, with_for_update=True)
    if link is None or link.resolved_at is not None:
        return []
    link.resolved_at = alert.resolved_at
    incident = await session.get(Incident, link.incident_id, with_for_update=True)
    if incident is None or incident.tenant != tenant or incident.status not in OPEN_STATUSES:
        return []
    detail = {"alert_id": str(alert.alert_id), "reason": alert.reason}
    timeline.add(session, incident, "alert_resolved", None, utcnow(), **detail)
    await session.flush()
    out = [timeline.updated(incident, "alert_resolved", None)]
    if await _all_resolved(session, incident) and await _auto_resolves(session, tenant, alert):
        # A later instant than the row above, so the timeline reads in order.
        out += timeline.resolve(session, incident, None, utcnow(), reason="all_alerts_resolved")
        await session.flush()
    return out


async def _silenced(session: AsyncSession, alert_id: uuid.UUID) -> bool:
    row = await session.get(Alert, alert_id)
    return row is not None and bool(row.silenced_by)


async def _all_resolved(session: AsyncSession, incident: Incident) -> bool:
    still = await session.scalar(
        select(func.count()).where(
            IncidentAlert.incident_id == incident.id, IncidentAlert.resolved_at.is_(None)
        )
    )
    return not still


async def _auto_resolves(session: AsyncSession, tenant: str, alert: AlertResolved) -> bool:
    """The rule's choice if it made one, else the tenant's preference (default on)."""
    rule = await session.get(AlertRule, alert.rule_id)
    if rule is not None and rule.tenant == tenant and rule.auto_resolve_incidents is not None:
        return rule.auto_resolve_incidents
    preferences = await session.get(IncidentPreferences, tenant)
    return preferences is None or preferences.auto_resolve


async def get(
    session: AsyncSession, tenant: str, incident_id: uuid.UUID, *, for_update: bool = True
) -> Incident:
    """The company's incident, locked for a change unless only read (``for_update=False``)."""
    incident = await session.get(Incident, incident_id, with_for_update=for_update)
    if incident is None or incident.tenant != tenant:
        raise NotFound("no such incident")
    return incident


def _require_open(incident: Incident) -> None:
    if incident.status not in OPEN_STATUSES:
        raise Conflict("the incident is resolved", code="incident_resolved")


async def acknowledge(session: AsyncSession, incident: Incident, actor: str) -> list[Envelope]:
    _require_open(incident)
    if incident.status == "acknowledged":
        return []
    now = utcnow()
    incident.status, incident.acknowledged_at = "acknowledged", now
    timeline.add(session, incident, "acknowledged", actor, now)
    return [timeline.updated(incident, "acknowledged", actor)]


async def assign(
    session: AsyncSession, incident: Incident, actor: str, assignee: str
) -> list[Envelope]:
    _require_open(incident)
    incident.assignee = assignee
    timeline.add(session, incident, "assigned", actor, utcnow(), assignee=assignee)
    return [timeline.updated(incident, "assigned", actor)]


async def comment(
    session: AsyncSession, incident: Incident, actor: str, body: str
) -> list[Envelope]:
    now = utcnow()
    comment_id = uuid.uuid4()
    session.add(
        IncidentComment(
            id=comment_id, incident_id=incident.id, author=actor, text=body, created_at=now
        )
    )
    timeline.add(session, incident, "commented", actor, now, comment_id=str(comment_id))
    return [timeline.updated(incident, "commented", actor)]


async def resolve(session: AsyncSession, incident: Incident, actor: str) -> list[Envelope]:
    _require_open(incident)
    return timeline.resolve(session, incident, actor, utcnow())
