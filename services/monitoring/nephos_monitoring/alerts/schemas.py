"""Request and response bodies of rules and alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class ServiceGroupScope(BaseModel):
    """The members of a service group of the asset service, as they come and go."""

    kind: Literal["service_group"] = "service_group"
    group_id: uuid.UUID


Scope = Annotated[
    AssetScope | TagScope | CategoryScope | ServiceGroupScope, Field(discriminator="kind")
]
RuleKind = Literal["threshold", "no_data"]


class RuleCreate(BaseModel):
    """A threshold rule (``threshold``, ``operator``, ``for_seconds``) or a no-data rule
    (``kind`` no_data, ``no_data_seconds``)."""

    name: str = Field(min_length=1, max_length=200)
    kind: RuleKind = "threshold"
    metric: str = Field(pattern=METRIC_NAME)
    operator: Operator = "gt"
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    for_seconds: int = Field(default=0, ge=0, le=86_400)
    no_data_seconds: int | None = Field(default=None, ge=1, le=7 * 86_400)
    severity: Severity = "warning"
    scope: Scope
    enabled: bool = True
    channel_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    flap_max_changes: int = Field(
        default=4, ge=1, le=100, description="More fire/resolve changes than this is flapping."
    )
    flap_window_seconds: int = Field(default=600, ge=10, le=86_400)
    auto_resolve_incidents: bool | None = Field(
        default=None, description="None: the tenant's incident preference decides."
    )
    escalation_policy_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Self:
        if self.kind == "threshold" and self.threshold is None:
            raise ValueError("a threshold rule needs a threshold")
        if self.kind == "no_data" and self.no_data_seconds is None:
            raise ValueError("a no-data rule needs no_data_seconds")
        if self.kind == "no_data" and self.threshold is not None:
            raise ValueError("a no-data rule has no threshold")
        return self


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
    no_data_seconds: int | None = Field(default=None, ge=1, le=7 * 86_400)
    flap_max_changes: int | None = Field(default=None, ge=1, le=100)
    flap_window_seconds: int | None = Field(default=None, ge=10, le=86_400)
    auto_resolve_incidents: bool | None = None
    escalation_policy_id: uuid.UUID | None = None


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: RuleKind
    metric: str
    operator: Operator
    threshold: float
    for_seconds: int
    no_data_seconds: int | None
    severity: Severity
    scope: Scope
    enabled: bool
    channel_ids: list[uuid.UUID]
    flap_max_changes: int
    flap_window_seconds: int
    auto_resolve_incidents: bool | None
    escalation_policy_id: uuid.UUID | None
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
    flapping: bool
    silenced_by: list[dict[str, str]]


class AlertList(BaseModel):
    items: list[AlertOut]
