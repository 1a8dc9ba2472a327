"""Notification channels (webhook, Slack, e-mail), the escalation policies that page them,
and the log of deliveries to them.

SMTP credentials go in and are never returned: a channel only says whether
it has some.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.schema.types.alert_rules import given
from nephos_gateway.schema.types.common import UserError


@strawberry.enum
class NotificationChannelKind(enum.Enum):
    WEBHOOK = "webhook"
    SLACK = "slack"
    EMAIL = "email"


@strawberry.type
class NotificationChannel:
    id: strawberry.ID
    name: str
    kind: NotificationChannelKind
    config: JSON = strawberry.field(description="url, or host, port, sender, to, starttls.")
    has_credentials: bool
    created_at: datetime

    @classmethod
    def of(cls, c: m.Channel) -> NotificationChannel:
        return cls(
            id=strawberry.ID(c.id),
            name=c.name,
            kind=NotificationChannelKind(c.kind),
            config=JSON(c.config),
            has_credentials=c.has_credentials,
            created_at=c.created_at,
        )


@strawberry.input(description="A JSON POST of each alert event (webhook) or a Slack message.")
class UrlChannelInput:
    url: str


@strawberry.input
class EmailChannelInput:
    host: str
    sender: str
    to: list[str]
    port: int = 25
    starttls: bool = False


@strawberry.input(one_of=True, description="Exactly one: where notifications go.")
class NotificationChannelConfigInput:
    webhook: UrlChannelInput | None = strawberry.UNSET
    slack: UrlChannelInput | None = strawberry.UNSET
    email: EmailChannelInput | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        if given(self.email):
            e = self.email
            assert e
            found = {"host": e.host, "port": e.port, "sender": e.sender, "to": e.to}
            return {"kind": "email", **found, "starttls": e.starttls}
        kind, url = ("webhook", self.webhook) if given(self.webhook) else ("slack", self.slack)
        return {"kind": kind, "url": url.url if url else ""}


@strawberry.input(description="E-mail channels only; stored encrypted, never returned.")
class SmtpCredentialsInput:
    username: str
    password: str


@strawberry.input
class CreateNotificationChannelInput:
    name: str
    config: NotificationChannelConfigInput
    credentials: SmtpCredentialsInput | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "config": self.config.body()}
        if self.credentials is not None:
            c = self.credentials
            body["credentials"] = {"username": c.username, "password": c.password}
        return body


@strawberry.type
class NotificationChannelPayload:
    notification_channel: NotificationChannel | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteNotificationChannelPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Unacknowledged for waitMinutes, the incident pages the next step.")
class EscalationStep:
    channel_ids: list[strawberry.ID]
    wait_minutes: int


@strawberry.type
class EscalationPolicy:
    id: strawberry.ID
    name: str
    steps: list[EscalationStep]
    created_at: datetime

    @classmethod
    def of(cls, p: m.EscalationPolicy) -> EscalationPolicy:
        steps = [
            EscalationStep(
                channel_ids=[strawberry.ID(c) for c in s.channel_ids], wait_minutes=s.wait_minutes
            )
            for s in p.steps
        ]
        return cls(id=strawberry.ID(p.id), name=p.name, steps=steps, created_at=p.created_at)


@strawberry.input(description="Unacknowledged for waitMinutes, the incident pages the next step.")
class EscalationStepInput:
    channel_ids: list[strawberry.ID] = strawberry.field(
        description="1 to 20 of the company's channels, paged together."
    )
    wait_minutes: int = strawberry.field(description="1 to 1440.")


@strawberry.input(description="The whole policy; an update replaces its name and every step.")
class EscalationPolicyInput:
    name: str
    steps: list[EscalationStepInput] = strawberry.field(description="1 to 10, paged in order.")

    def body(self) -> dict[str, Any]:
        steps = [
            {"channel_ids": [str(c) for c in s.channel_ids], "wait_minutes": s.wait_minutes}
            for s in self.steps
        ]
        return {"name": self.name, "steps": steps}


POLICY_INPUT_OF_CODE = {"unknown_channels": "input.steps"}
"""Service codes of a refused policy and the input they are about."""


@strawberry.type
class EscalationPolicyPayload:
    escalation_policy: EscalationPolicy | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteEscalationPolicyPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.enum
class NotificationDeliveryStatus(enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


@strawberry.type(description="One try at sending a notification.")
class NotificationDeliveryAttempt:
    number: int
    at: datetime
    ok: bool
    status_code: int | None = strawberry.field(
        description="The receiver's HTTP status; null for e-mail or when nothing answered."
    )
    error: str | None

    @classmethod
    def of(cls, a: m.DeliveryAttempt) -> NotificationDeliveryAttempt:
        return cls(number=a.number, at=a.at, ok=a.ok, status_code=a.status_code, error=a.error)


@strawberry.type(description="One alert or incident event sent to one channel, with every try.")
class NotificationDelivery:
    id: strawberry.ID
    channel_id: strawberry.ID
    event_type: str = strawberry.field(description="e.g. monitoring.alert.fired.")
    alert_id: strawberry.ID
    status: NotificationDeliveryStatus
    suppressed_reason: str | None = strawberry.field(
        description="Why it was never sent (silenced, flapping); SUPPRESSED only."
    )
    attempts: list[NotificationDeliveryAttempt] = strawberry.field(description="Oldest first.")
    next_attempt_at: datetime | None = strawberry.field(description="PENDING only.")
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: m.Delivery) -> NotificationDelivery:
        return cls(
            id=strawberry.ID(d.id),
            channel_id=strawberry.ID(d.channel_id),
            event_type=d.event_type,
            alert_id=strawberry.ID(d.alert_id),
            status=NotificationDeliveryStatus(d.status),
            suppressed_reason=d.suppressed_reason,
            attempts=[NotificationDeliveryAttempt.of(a) for a in d.attempts],
            next_attempt_at=d.next_attempt_at,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
        )
