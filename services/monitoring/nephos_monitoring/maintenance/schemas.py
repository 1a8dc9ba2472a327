"""Maintenance window bodies."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class AssetsScope(BaseModel):
    kind: Literal["assets"] = "assets"
    asset_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class TagScope(BaseModel):
    """Targets carrying every one of these tags."""

    kind: Literal["tags"] = "tags"
    tags: dict[str, str] = Field(min_length=1, max_length=20)


class ServiceGroupScope(BaseModel):
    kind: Literal["service_group"] = "service_group"
    group_id: uuid.UUID


Scope = Annotated[AssetsScope | TagScope | ServiceGroupScope, Field(discriminator="kind")]


class OnceSchedule(BaseModel):
    """One stretch of time; times without an offset are read in the window's time zone."""

    kind: Literal["once"] = "once"
    starts_at: datetime
    ends_at: datetime


class WeeklySchedule(BaseModel):
    """Every week on these days, from a local start time, for a duration."""

    kind: Literal["weekly"] = "weekly"
    days: list[Day] = Field(min_length=1, max_length=7)
    start: time
    duration_minutes: int = Field(ge=1, le=7 * 24 * 60)


Schedule = Annotated[OnceSchedule | WeeklySchedule, Field(discriminator="kind")]


class MaintenanceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scope: Scope
    schedule: Schedule
    timezone: str = Field(default="UTC", max_length=64, examples=["Asia/Seoul"])
    comment: str = Field(default="", max_length=2000)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _once_ends_after_start(self) -> Self:
        s = self.schedule
        if isinstance(s, OnceSchedule):
            zone = ZoneInfo(self.timezone)
            start = s.starts_at if s.starts_at.tzinfo else s.starts_at.replace(tzinfo=zone)
            end = s.ends_at if s.ends_at.tzinfo else s.ends_at.replace(tzinfo=zone)
            if end <= start:
                raise ValueError("ends_at must be after starts_at")
        return self


class MaintenanceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    scope: dict[str, Any]
    schedule: dict[str, Any]
    timezone: str
    created_by: str
    comment: str
    created_at: datetime
    active: bool = False


class MaintenanceList(BaseModel):
    items: list[MaintenanceOut]
