"""Shapes of recommendations; savings are exact decimal strings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

StatusIn = Literal["open", "dismissed"]
KindName = Literal[
    "idle_server", "oversized_server", "unattached_volume", "old_snapshot",
    "unused_public_ip", "commitment_coverage",
]  # fmt: skip


class RecommendationOut(BaseModel):
    id: uuid.UUID
    kind: KindName
    asset_id: uuid.UUID | None
    provider: str | None
    native_type: str | None
    resource_id: str | None
    reason: str
    details: dict[str, Any]
    monthly_saving: str
    currency: str | None
    status: StatusIn
    computed_at: datetime


class SavingTotal(BaseModel):
    kind: KindName
    currency: str | None
    count: int
    monthly_saving: str


class RecommendationPage(BaseModel):
    items: list[RecommendationOut]
    next_cursor: str | None
    totals: list[SavingTotal]
    """Over every recommendation the filters keep, not only this page."""
    computed_at: datetime | None


class StatusChange(BaseModel):
    status: StatusIn


class RefreshResult(BaseModel):
    computed_at: datetime
    found: int
