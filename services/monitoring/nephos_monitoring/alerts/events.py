"""Alert events, built from the rule and the alert they are about."""

from __future__ import annotations

from nephos_common.contracts.monitoring import AlertFired, AlertResolved
from nephos_common.messaging.envelope import Envelope
from nephos_monitoring.alerts.models import Alert, AlertRule

SOURCE = "monitoring"


def fired(rule: AlertRule, alert: Alert) -> Envelope:
    assert alert.fired_at is not None
    return AlertFired(
        alert_id=alert.id,
        rule_id=rule.id,
        rule_name=rule.name,
        asset_id=alert.asset_id,
        metric=rule.metric,
        severity=alert.severity,
        value=alert.last_value,
        threshold=rule.threshold,
        operator=rule.operator,
        started_at=alert.started_at,
        fired_at=alert.fired_at,
    ).envelope(tenant=rule.tenant, source=SOURCE)


def resolved(rule: AlertRule, alert: Alert, value: float | None, reason: str) -> Envelope:
    assert alert.resolved_at is not None
    return AlertResolved(
        alert_id=alert.id,
        rule_id=rule.id,
        rule_name=rule.name,
        asset_id=alert.asset_id,
        metric=rule.metric,
        severity=alert.severity,
        value=value,
        resolved_at=alert.resolved_at,
        reason=reason,
    ).envelope(tenant=rule.tenant, source=SOURCE)
