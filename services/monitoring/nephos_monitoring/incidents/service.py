"""Incidents from alert events (a JetStream consumer of our own stream) and the
operator's actions; every change writes a timeline row and an event in the outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.monitoring import (
    AlertFired,
    AlertResolved,
    IncidentOpened,
    IncidentResolved,
    IncidentUpdated,
)
from nephos_common.db import utcnow
from nephos_common.errors import Conflict, NotFound
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Incident,
    IncidentAlert,
    IncidentComment,
    IncidentEvent,
)

SOURCE = "monitoring"
SUBJECT = "monitoring.alert.>"
DURABLE = "monitoring-incidents"


def _ref(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "asset_id": incident.asset_id,
        "status": incident.status,
        "severity": incident.severity,
        "assignee": incident.assignee,
        "opened_at": incident.opened_at,
    }


def _timeline(
    session: AsyncSession,
    incident: Incident,
    kind: str,
    actor: str | None,
    at: datetime,
    **detail: Any,
) -> None:
    session.add(
        IncidentEvent(
            id=uuid.uuid4(), incident_id=incident.id, kind=kind, actor=actor, detail=detail, at=at
        )
    )


def updated(incident: Incident, change: str, actor: str | None) -> Envelope:
    return IncidentUpdated(**_ref(incident), change=change, actor=actor).envelope(
        tenant=incident.tenant, source=SOURCE
    )


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
    """Open an incident for the target or join its open one; a replayed event is a no-op."""
    if await session.get(IncidentAlert, alert.alert_id) is not None:
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
        _timeline(session, incident, "opened", None, now, severity=alert.severity, **detail)
        await session.flush()
        ref = _ref(incident)
        return [
            IncidentOpened(**ref, alert_id=alert.alert_id).envelope(tenant=tenant, source=SOURCE)
        ]
    if SEVERITY_RANK.get(alert.severity, 0) > SEVERITY_RANK.get(incident.severity, 0):
        incident.severity = alert.severity
    _timeline(session, incident, "alert_joined", None, now, severity=alert.severity, **detail)
    await session.flush()
    return [updated(incident, "alert_joined", None)]


async def alert_resolved(
    session: AsyncSession, tenant: str, alert: AlertResolved
) -> list[Envelope]:
    link = await session.get(IncidentAlert, alert.alert_id, with_for_update=True)
    if link is None or link.resolved_at is not None:
        return []
    link.resolved_at = alert.resolved_at
    incident = await session.get(Incident, link.incident_id)
    if incident is None or incident.tenant != tenant or incident.status not in OPEN_STATUSES:
        return []
    detail = {"alert_id": str(alert.alert_id), "reason": alert.reason}
    _timeline(session, incident, "alert_resolved", None, utcnow(), **detail)
    await session.flush()
    return [updated(incident, "alert_resolved", None)]


async def get(session: AsyncSession, tenant: str, incident_id: uuid.UUID) -> Incident:
    incident = await session.get(Incident, incident_id, with_for_update=True)
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
    _timeline(session, incident, "acknowledged", actor, now)
    return [updated(incident, "acknowledged", actor)]


async def assign(
    session: AsyncSession, incident: Incident, actor: str, assignee: str
) -> list[Envelope]:
    _require_open(incident)
    incident.assignee = assignee
    _timeline(session, incident, "assigned", actor, utcnow(), assignee=assignee)
    return [updated(incident, "assigned", actor)]


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
    _timeline(session, incident, "commented", actor, now, comment_id=str(comment_id))
    return [updated(incident, "commented", actor)]


async def resolve(session: AsyncSession, incident: Incident, actor: str) -> list[Envelope]:
    _require_open(incident)
    now = utcnow()
    incident.status, incident.resolved_at = "resolved", now
    _timeline(session, incident, "resolved", actor, now)
    return [
        IncidentResolved(**_ref(incident), resolved_at=now, actor=actor).envelope(
            tenant=incident.tenant, source=SOURCE
        )
    ]
