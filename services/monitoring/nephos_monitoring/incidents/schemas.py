"""Incident bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "acknowledged", "resolved"]


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    asset_id: uuid.UUID
    title: str
    status: Status
    severity: str
    assignee: str | None
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class TimelineEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    actor: str | None
    detail: dict[str, Any]
    at: datetime


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    author: str
    text: str
    created_at: datetime


class IncidentDetail(IncidentOut):
    alert_ids: list[uuid.UUID]
    timeline: list[TimelineEntry]
    comments: list[CommentOut]


class IncidentList(BaseModel):
    items: list[IncidentOut]


class AssignBody(BaseModel):
    assignee: str = Field(min_length=1, max_length=200)


class CommentBody(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


class PreferencesIn(BaseModel):
    auto_resolve: bool = Field(
        default=True, description="Resolve an incident when all its alerts have resolved."
    )
    escalation_policy_id: uuid.UUID | None = Field(
        default=None, description="Followed by incidents whose rule names no policy."
    )


class PreferencesOut(PreferencesIn):
    model_config = ConfigDict(from_attributes=True)


class IncidentDetailList(BaseModel):
    items: list[IncidentDetail]
