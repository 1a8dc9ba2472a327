"""Silence bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from nephos_monitoring.alerts.schemas import Severity


class Matchers(BaseModel):
    """An alert is silenced when every matcher given here matches it."""

    rule_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    tags: dict[str, str] | None = Field(default=None, min_length=1, max_length=20)
    severity: Severity | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Self:
        if not self.model_dump(exclude_none=True):
            raise ValueError("a silence needs at least one matcher (rule, asset, tags, severity)")
        return self


class SilenceIn(BaseModel):
    matchers: Matchers
    starts_at: AwareDatetime | None = Field(default=None, description="Now when left out.")
    ends_at: AwareDatetime
    comment: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.starts_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SilenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    matchers: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime
    active: bool = False


class SilenceList(BaseModel):
    items: list[SilenceOut]
