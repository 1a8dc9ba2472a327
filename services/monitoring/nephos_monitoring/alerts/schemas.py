"""Request and response bodies of rules and alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from nephos_monitoring.metrics.schemas import METRIC_NAME

Operator = Literal["gt", "ge", "lt", "le"]
Severity = Literal["warning", "critical"]


class AssetScope(BaseModel):
    kind: Literal["asset"] = "asset"
    asset_id: uuid.UUID


class TagScope(BaseModel):
    """Targets carrying every one of these tags (key and value)."""

    kind: Literal["tags"] = "tags"
    tags: dict[str, str] = Field(min_length=1)


class CategoryScope(BaseModel):
    kind: Literal["category"] = "category"
    category: Literal["server", "database", "cache", "load_balancer"]


Scope = Annotated[AssetScope | TagScope | CategoryScope, Field(discriminator="kind")]


class RuleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    metric: str = Field(pattern=METRIC_NAME)
    operator: Operator = "gt"
    threshold: float = Field(allow_inf_nan=False)
    for_seconds: int = Field(default=0, ge=0, le=86_400)
    severity: Severity = "warning"
    scope: Scope
    enabled: bool = True
    channel_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class RuleUpdate(BaseModel):
    """Fields to change; open alerts follow the new definition from the next point on."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    operator: Operator | None = None
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    for_seconds: int | None = Field(default=None, ge=0, le=86_400)
    severity: Severity | None = None
    scope: Scope | None = None
    enabled: bool | None = None
    channel_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    metric: str
    operator: Operator
    threshold: float
    for_seconds: int
    severity: Severity
    scope: Scope
    enabled: bool
    channel_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime


class RuleList(BaseModel):
    items: list[RuleOut]


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: uuid.UUID
    asset_id: uuid.UUID
    metric: str
    severity: Severity
    state: Literal["pending", "firing", "resolved"]
    started_at: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    last_value: float


class AlertList(BaseModel):
    items: list[AlertOut]
