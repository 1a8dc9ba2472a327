"""Channel and delivery bodies. SMTP credentials go in, never out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class WebhookConfig(BaseModel):
    """A JSON POST of the alert event to ``url``."""

    kind: Literal["webhook"] = "webhook"
    url: HttpUrl


class SlackConfig(BaseModel):
    """A Slack-compatible incoming webhook: ``{"text": ...}``."""

    kind: Literal["slack"] = "slack"
    url: HttpUrl


class EmailConfig(BaseModel):
    kind: Literal["email"] = "email"
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = Field(min_length=3, max_length=320)
    to: list[str] = Field(min_length=1, max_length=50)
    starttls: bool = False


ChannelConfig = Annotated[WebhookConfig | SlackConfig | EmailConfig, Field(discriminator="kind")]


class SmtpCredentials(BaseModel):
    username: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1000)


class ChannelCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    config: ChannelConfig
    credentials: SmtpCredentials | None = Field(
        default=None, description="Email channels only; stored, never returned."
    )


class ChannelOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: Literal["webhook", "slack", "email"]
    config: dict[str, Any] = Field(
        description="As set, except a webhook URL, shown as its host only: its path is its secret."
    )
    has_credentials: bool
    created_at: datetime


class ChannelList(BaseModel):
    items: list[ChannelOut]


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    channel_id: uuid.UUID
    event_type: str
    alert_id: uuid.UUID
    status: Literal["pending", "delivered", "failed", "suppressed"]
    suppressed_reason: str | None = None
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
