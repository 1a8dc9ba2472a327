"""Shapes of discovery runs as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class UnitFailureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    region: str
    native_type: str
    error_code: str
    error_message: str


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    trigger: str
    status: str
    error: str | None
    units_total: int
    units_done: int
    units_failed: int
    assets_found: int
    assets_created: int
    assets_changed: int
    assets_deleted: int
    api_calls: dict[str, int]
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    failures: list[UnitFailureOut] = []


class RunList(BaseModel):
    items: list[RunOut]
