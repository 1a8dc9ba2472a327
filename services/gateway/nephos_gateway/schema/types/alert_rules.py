"""Inputs and payloads of alert rule changes; the rule itself is in ``monitoring``.

Inputs name fields the GraphQL way and are turned into the service's body
here; the service validates them and its problems come back as
``userErrors`` on the input's paths (``input.scope.assetId``).
"""

from __future__ import annotations

from typing import Any

import strawberry

from nephos_gateway.schema.types.common import UserError
from nephos_gateway.schema.types.monitoring import (
    AlertOperator,
    AlertRule,
    AlertRuleKind,
    AlertSeverity,
)


@strawberry.input(description="A tag that must be present with exactly this value.")
class TagInput:
    key: str
    value: str


def tag_map(tags: list[TagInput]) -> dict[str, str]:
    return {t.key: t.value for t in tags}


def given(value: Any) -> bool:
    """Whether a field of a one-of input was the one given."""
    return value is not strawberry.UNSET and value is not None


@strawberry.input(one_of=True, description="Exactly one: what the rule applies to.")
class AlertRuleScopeInput:
    asset_id: strawberry.ID | None = strawberry.UNSET
    tags: list[TagInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Targets carrying every one of these tags."
    )
    category: str | None = strawberry.field(
        default=strawberry.UNSET, description="server, database, cache or load_balancer."
    )
    service_group_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The group's members, as they come and go."
    )

    def body(self) -> dict[str, Any]:
        if given(self.asset_id):
            return {"kind": "asset", "asset_id": str(self.asset_id)}
        if given(self.tags):
            return {"kind": "tags", "tags": tag_map(self.tags or [])}
        if given(self.service_group_id):
            return {"kind": "service_group", "group_id": str(self.service_group_id)}
        return {"kind": "category", "category": self.category}


@strawberry.input(description="A threshold rule (threshold) or a no-data rule (noDataSeconds).")
class CreateAlertRuleInput:
    name: str
    metric: str = strawberry.field(description="e.g. cpu_percent.")
    scope: AlertRuleScopeInput
    kind: AlertRuleKind = AlertRuleKind.THRESHOLD
    operator: AlertOperator = AlertOperator.GT
    threshold: float | None = None
    for_seconds: int = 0
    no_data_seconds: int | None = None
    severity: AlertSeverity = AlertSeverity.WARNING
    enabled: bool = True
    channel_ids: list[strawberry.ID] | None = None
    escalation_policy_id: strawberry.ID | None = None
    auto_resolve_incidents: bool | None = strawberry.field(
        default=None, description="Null: the company's incident preference decides."
    )

    def body(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "metric": self.metric,
            "scope": self.scope.body(),
            "kind": self.kind.value,
            "operator": self.operator.value,
            "threshold": self.threshold,
            "for_seconds": self.for_seconds,
            "no_data_seconds": self.no_data_seconds,
            "severity": self.severity.value,
            "enabled": self.enabled,
            "channel_ids": _ids(self.channel_ids),
            "escalation_policy_id": _id(self.escalation_policy_id),
            "auto_resolve_incidents": self.auto_resolve_incidents,
        }
        return {k: v for k, v in given.items() if v is not None}


@strawberry.input(
    description="Only the fields given change; open alerts follow from the next point."
)
class UpdateAlertRuleInput:
    name: str | None = strawberry.UNSET
    operator: AlertOperator | None = strawberry.UNSET
    threshold: float | None = strawberry.UNSET
    for_seconds: int | None = strawberry.UNSET
    no_data_seconds: int | None = strawberry.UNSET
    severity: AlertSeverity | None = strawberry.UNSET
    scope: AlertRuleScopeInput | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    channel_ids: list[strawberry.ID] | None = strawberry.UNSET
    escalation_policy_id: strawberry.ID | None = strawberry.UNSET
    auto_resolve_incidents: bool | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "operator": _value(self.operator),
            "threshold": self.threshold,
            "for_seconds": self.for_seconds,
            "no_data_seconds": self.no_data_seconds,
            "severity": _value(self.severity),
            "scope": self.scope.body() if self.scope else self.scope,
            "enabled": self.enabled,
            "channel_ids": _ids(self.channel_ids) if self.channel_ids else self.channel_ids,
            "escalation_policy_id": _id(self.escalation_policy_id),
            "auto_resolve_incidents": self.auto_resolve_incidents,
        }
        return {k: v for k, v in given.items() if v is not strawberry.UNSET}


def _value(choice: Any) -> Any:
    """An enum's value; null and unset stay as they are."""
    return choice.value if choice else choice


def _id(value: strawberry.ID | None) -> Any:
    return str(value) if value else value


def _ids(values: list[strawberry.ID] | None) -> list[str] | None:
    return [str(v) for v in values] if values is not None else None


@strawberry.type
class AlertRulePayload:
    alert_rule: AlertRule | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteAlertRulePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
