"""Escalation policy bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Step(BaseModel):
    channel_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)
    wait_minutes: int = Field(
        ge=1, le=24 * 60, description="Unacknowledged this long, the next step is paged."
    )


class PolicyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    steps: list[Step] = Field(min_length=1, max_length=10)


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    steps: list[Step]
    created_at: datetime


class PolicyList(BaseModel):
    items: list[PolicyOut]
