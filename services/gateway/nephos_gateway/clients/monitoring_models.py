"""The monitoring service's REST answers as the gateway reads them.

Defined here, not imported from the service (see ``asset_models``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Target(_Answer):
    """An asset monitoring watches, with its status worked out by the service."""

    asset_id: str
    account_id: str
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None = None
    state: str
    tags: dict[str, Any] = Field(default_factory=dict)
    status: str = "no_data"
    last_seen: datetime | None = None


class TargetList(_Answer):
    items: list[Target]


class Scope(_Answer):
    """What a rule applies to: one asset, every target with some tags, or a category."""

    kind: str
    asset_id: str | None = None
    tags: dict[str, str] | None = None
    category: str | None = None


class Rule(_Answer):
    id: str
    name: str
    metric: str
    operator: str
    threshold: float
    for_seconds: int
    severity: str
    scope: Scope
    enabled: bool
    created_at: datetime
    updated_at: datetime


class RuleList(_Answer):
    items: list[Rule]


class Alert(_Answer):
    id: str
    rule_id: str
    asset_id: str
    metric: str
    severity: str
    state: str
    started_at: datetime
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    last_value: float


class AlertList(_Answer):
    items: list[Alert]


class Overview(_Answer):
    targets_total: int
    by_status: dict[str, int]
    cpu_histogram: dict[str, int]
    firing_alerts: int
