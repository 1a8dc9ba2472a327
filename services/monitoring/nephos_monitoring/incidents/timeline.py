"""What every change to an incident writes: a timeline row and an outbox event.
Shared by the operator's actions, the alert consumer and the escalation worker."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.monitoring import IncidentResolved, IncidentUpdated
from nephos_common.messaging.envelope import Envelope
from nephos_monitoring.incidents.models import Incident, IncidentEvent

SOURCE = "monitoring"


def ref(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "asset_id": incident.asset_id,
        "status": incident.status,
        "severity": incident.severity,
        "assignee": incident.assignee,
        "opened_at": incident.opened_at,
    }


def add(
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
    return IncidentUpdated(**ref(incident), change=change, actor=actor).envelope(
        tenant=incident.tenant, source=SOURCE
    )


def resolve(
    session: AsyncSession, incident: Incident, actor: str | None, at: datetime, **detail: Any
) -> list[Envelope]:
    """Resolve an open incident (by an operator, or when its last alert resolved)."""
    incident.status, incident.resolved_at = "resolved", at
    add(session, incident, "resolved", actor, at, **detail)
    return [
        IncidentResolved(**ref(incident), resolved_at=at, actor=actor).envelope(
            tenant=incident.tenant, source=SOURCE
        )
    ]
