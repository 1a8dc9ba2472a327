"""Notification channels (webhook, Slack, e-mail) and the escalation policies that page them.

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
