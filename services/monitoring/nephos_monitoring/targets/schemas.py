"""Response bodies of the targets routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

TargetStatus = Literal["normal", "warning", "critical", "no_data", "stopped"]


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    asset_id: uuid.UUID
    account_id: uuid.UUID
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None
    state: str
    tags: dict[str, Any]
    status: TargetStatus = "no_data"
    last_seen: datetime | None = None


class TargetList(BaseModel):
    items: list[TargetOut]
