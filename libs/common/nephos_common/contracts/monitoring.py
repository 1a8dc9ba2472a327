"""Events the monitoring service publishes about alerts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from nephos_common.messaging.envelope import Contract
from nephos_common.messaging.nats import StreamSpec

EVENTS_STREAM = StreamSpec(name="MONITORING", subjects=("monitoring.>",))


class AlertRef(Contract):
    """Which alert, rule and asset an event is about; one alert per (rule, asset) episode."""

    alert_id: uuid.UUID
    rule_id: uuid.UUID
    rule_name: str
    asset_id: uuid.UUID
    metric: str
    severity: str


class AlertFired(AlertRef):
    """The condition held for the rule's whole for-duration."""

    event_type: ClassVar[str] = "monitoring.alert.fired"

    value: float
    threshold: float
    operator: str
    started_at: datetime
    fired_at: datetime


class AlertResolved(AlertRef):
    """A firing alert's condition no longer holds (or its rule or asset went away)."""

    event_type: ClassVar[str] = "monitoring.alert.resolved"

    value: float | None
    resolved_at: datetime
    reason: str


class IncidentRef(Contract):
    """Which incident an event is about and its state after the change."""

    incident_id: uuid.UUID
    asset_id: uuid.UUID
    status: str
    severity: str
    assignee: str | None
    opened_at: datetime


class IncidentOpened(IncidentRef):
    """A firing alert found no open incident on its target and opened one."""

    event_type: ClassVar[str] = "monitoring.incident.opened"

    alert_id: uuid.UUID


class IncidentUpdated(IncidentRef):
    """An alert joined, the incident was acknowledged, assigned or commented on."""

    event_type: ClassVar[str] = "monitoring.incident.updated"

    change: str
    actor: str | None


class IncidentResolved(IncidentRef):
    """An operator resolved the incident; the next firing alert opens a new one."""

    event_type: ClassVar[str] = "monitoring.incident.resolved"

    resolved_at: datetime
    actor: str | None


class UtilisationDaily(Contract):
    """One server's utilisation over one UTC day; metering reads it for rightsizing.

    ``None`` where the day had no point of that metric.
    """

    event_type: ClassVar[str] = "monitoring.utilisation.daily"

    asset_id: uuid.UUID
    account_id: uuid.UUID | None
    provider: str
    native_id: str
    category: str
    day: date
    samples: int
    cpu_avg: float | None
    cpu_p95: float | None
    cpu_max: float | None
    network_in_bytes: float | None
    network_out_bytes: float | None
