"""Monitoring mutations: alert rules, incident actions and preferences, silences,
maintenance windows, notification channels, escalation policies and metric collection
jobs (operators and admins).

A viewer is refused with FORBIDDEN before any call, and the service checks
the role again from the internal token (its 403 is FORBIDDEN too). Domain
failures (invalid input, an unknown id, a resolved incident) come back as
``userErrors``; auth and availability failures stay GraphQL errors.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import strawberry

from nephos_gateway.clients.errors import ServiceError
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.security import IsOperator
from nephos_gateway.schema.types.alert_rules import (
    AlertRulePayload,
    CreateAlertRuleInput,
    DeleteAlertRulePayload,
    UpdateAlertRuleInput,
)
from nephos_gateway.schema.types.channels import (
    POLICY_INPUT_OF_CODE,
    CreateNotificationChannelInput,
    DeleteEscalationPolicyPayload,
    DeleteNotificationChannelPayload,
    EscalationPolicy,
    EscalationPolicyInput,
    EscalationPolicyPayload,
    NotificationChannel,
    NotificationChannelPayload,
)
from nephos_gateway.schema.types.collection_jobs import (
    MetricCollectionJob,
    StartMetricCollectionPayload,
)
from nephos_gateway.schema.types.common import UserError, user_errors
from nephos_gateway.schema.types.incidents import (
    PREFERENCES_INPUT_OF_CODE,
    Incident,
    IncidentPayload,
    IncidentPreferences,
    IncidentPreferencesInput,
    IncidentPreferencesPayload,
)
from nephos_gateway.schema.types.maintenance import (
    DeleteMaintenanceWindowPayload,
    MaintenanceWindow,
    MaintenanceWindowInput,
    MaintenanceWindowPayload,
)
from nephos_gateway.schema.types.monitoring import AlertRule
from nephos_gateway.schema.types.silences import (
    DeleteSilencePayload,
    Silence,
    SilenceInput,
    SilencePayload,
)

Info = strawberry.Info[GatewayContext]
T = TypeVar("T")


async def _attempt(call: Awaitable[T], **where: Any) -> tuple[T | None, list[UserError]]:
    """The service's answer, or the user errors of a domain failure (``where``: see
    ``user_errors``); other failures propagate as GraphQL errors."""
    try:
        return await call, []
    except ServiceError as exc:
        return None, user_errors(exc, **where)


def _argument(location: str) -> str:
    """A body field of an incident action (``body.text``) is the mutation's argument."""
    return location.removeprefix("body.")


async def _incident(call: Awaitable[Any]) -> IncidentPayload:
    found, errors = await _attempt(call, locations=_argument)
    return IncidentPayload(incident=Incident.of(found) if found else None, user_errors=errors)


async def _escalation_policy(call: Awaitable[Any], **where: Any) -> EscalationPolicyPayload:
    found, errors = await _attempt(call, fields=POLICY_INPUT_OF_CODE, **where)
    policy = EscalationPolicy.of(found) if found else None
    return EscalationPolicyPayload(escalation_policy=policy, user_errors=errors)


@strawberry.type
class MonitoringMutation:
    @strawberry.mutation(
        permission_classes=[IsOperator], description="Create an alert rule; it runs on new points."
    )
    async def create_alert_rule(self, info: Info, input: CreateAlertRuleInput) -> AlertRulePayload:
        call = info.context.monitoring.create_rule(input.body())
        rule, errors = await _attempt(call, id_field="input")
        return AlertRulePayload(alert_rule=AlertRule.of(rule) if rule else None, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Change the given fields of an alert rule."
    )
    async def update_alert_rule(
        self, info: Info, id: strawberry.ID, input: UpdateAlertRuleInput
    ) -> AlertRulePayload:
        rule, errors = await _attempt(info.context.monitoring.update_rule(str(id), input.body()))
        return AlertRulePayload(alert_rule=AlertRule.of(rule) if rule else None, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Delete an alert rule; its firing alerts are resolved first.",
    )
    async def delete_alert_rule(self, info: Info, id: strawberry.ID) -> DeleteAlertRulePayload:
        _, errors = await _attempt(info.context.monitoring.delete_rule(str(id)))
        return DeleteAlertRulePayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Acknowledge: someone is on it; escalation stops.",
    )
    async def acknowledge_incident(self, info: Info, id: strawberry.ID) -> IncidentPayload:
        return await _incident(info.context.monitoring.act_on_incident(str(id), "acknowledge"))

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Give the incident to someone."
    )
    async def assign_incident(
        self, info: Info, id: strawberry.ID, assignee: str
    ) -> IncidentPayload:
        body = {"assignee": assignee}
        return await _incident(info.context.monitoring.act_on_incident(str(id), "assign", body))

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Resolve the incident by hand."
    )
    async def resolve_incident(self, info: Info, id: strawberry.ID) -> IncidentPayload:
        return await _incident(info.context.monitoring.act_on_incident(str(id), "resolve"))

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Add a comment to the incident's timeline."
    )
    async def comment_on_incident(
        self, info: Info, id: strawberry.ID, text: str
    ) -> IncidentPayload:
        body = {"text": text}
        return await _incident(info.context.monitoring.act_on_incident(str(id), "comments", body))

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Set the company's incident defaults: auto-resolve and the policy to follow.",
    )
    async def set_incident_preferences(
        self, info: Info, input: IncidentPreferencesInput
    ) -> IncidentPreferencesPayload:
        call = info.context.monitoring.set_incident_preferences(input.body())
        found, errors = await _attempt(call, id_field="input", fields=PREFERENCES_INPUT_OF_CODE)
        preferences = IncidentPreferences.of(found) if found else None
        return IncidentPreferencesPayload(preferences=preferences, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Silence matching alerts: no notification, no incident.",
    )
    async def create_silence(self, info: Info, input: SilenceInput) -> SilencePayload:
        call = info.context.monitoring.create_silence(input.body())
        found, errors = await _attempt(call, id_field="input")
        return SilencePayload(silence=Silence.of(found) if found else None, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Replace a silence's matchers, times, comment."
    )
    async def update_silence(
        self, info: Info, id: strawberry.ID, input: SilenceInput
    ) -> SilencePayload:
        found, errors = await _attempt(
            info.context.monitoring.replace_silence(str(id), input.body())
        )
        return SilencePayload(silence=Silence.of(found) if found else None, user_errors=errors)

    @strawberry.mutation(permission_classes=[IsOperator], description="End a silence at once.")
    async def delete_silence(self, info: Info, id: strawberry.ID) -> DeleteSilencePayload:
        _, errors = await _attempt(info.context.monitoring.delete_silence(str(id)))
        return DeleteSilencePayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Plan maintenance: its alerts are silenced."
    )
    async def create_maintenance_window(
        self, info: Info, input: MaintenanceWindowInput
    ) -> MaintenanceWindowPayload:
        call = info.context.monitoring.create_maintenance_window(input.body())
        found, errors = await _attempt(call, id_field="input")
        window = MaintenanceWindow.of(found) if found else None
        return MaintenanceWindowPayload(maintenance_window=window, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Replace a maintenance window."
    )
    async def update_maintenance_window(
        self, info: Info, id: strawberry.ID, input: MaintenanceWindowInput
    ) -> MaintenanceWindowPayload:
        call = info.context.monitoring.replace_maintenance_window(str(id), input.body())
        found, errors = await _attempt(call)
        window = MaintenanceWindow.of(found) if found else None
        return MaintenanceWindowPayload(maintenance_window=window, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Delete a maintenance window."
    )
    async def delete_maintenance_window(
        self, info: Info, id: strawberry.ID
    ) -> DeleteMaintenanceWindowPayload:
        _, errors = await _attempt(info.context.monitoring.delete_maintenance_window(str(id)))
        return DeleteMaintenanceWindowPayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Add a place alerts are sent to."
    )
    async def create_notification_channel(
        self, info: Info, input: CreateNotificationChannelInput
    ) -> NotificationChannelPayload:
        call = info.context.monitoring.create_channel(input.body())
        found, errors = await _attempt(call, id_field="input")
        channel = NotificationChannel.of(found) if found else None
        return NotificationChannelPayload(notification_channel=channel, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Delete a notification channel."
    )
    async def delete_notification_channel(
        self, info: Info, id: strawberry.ID
    ) -> DeleteNotificationChannelPayload:
        _, errors = await _attempt(info.context.monitoring.delete_channel(str(id)))
        return DeleteNotificationChannelPayload(
            deleted_id=None if errors else id, user_errors=errors
        )

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Create an escalation policy; alert rules and the incident preferences "
        "may then name it.",
    )
    async def create_escalation_policy(
        self, info: Info, input: EscalationPolicyInput
    ) -> EscalationPolicyPayload:
        call = info.context.monitoring.create_escalation_policy(input.body())
        return await _escalation_policy(call, id_field="input")

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Replace a policy's name and steps; incidents escalating under it keep "
        "their current step's wait, then follow the new steps.",
    )
    async def update_escalation_policy(
        self, info: Info, id: strawberry.ID, input: EscalationPolicyInput
    ) -> EscalationPolicyPayload:
        call = info.context.monitoring.replace_escalation_policy(str(id), input.body())
        return await _escalation_policy(call)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Delete an escalation policy; rules and preferences naming it fall back "
        "to none, and escalations under it stop.",
    )
    async def delete_escalation_policy(
        self, info: Info, id: strawberry.ID
    ) -> DeleteEscalationPolicyPayload:
        _, errors = await _attempt(info.context.monitoring.delete_escalation_policy(str(id)))
        return DeleteEscalationPolicyPayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Queue a collection of the account's metrics now (it needs monitored "
        "targets); poll metricCollectionJob for its progress.",
    )
    async def start_metric_collection(
        self, info: Info, account_id: strawberry.ID
    ) -> StartMetricCollectionPayload:
        call = info.context.monitoring.start_collection(str(account_id))
        found, errors = await _attempt(call, id_field="accountId")
        job = MetricCollectionJob.of(found) if found else None
        return StartMetricCollectionPayload(job=job, user_errors=errors)
