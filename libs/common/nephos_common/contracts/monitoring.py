"""Events the monitoring service publishes about alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
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
