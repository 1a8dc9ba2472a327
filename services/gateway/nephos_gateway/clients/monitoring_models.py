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
    group_id: str | None = None


class Rule(_Answer):
    id: str
    name: str
    kind: str = "threshold"
    metric: str
    operator: str
    threshold: float
    for_seconds: int
    severity: str
    scope: Scope
    enabled: bool
    no_data_seconds: int | None = None
    channel_ids: list[str] = Field(default_factory=list)
    escalation_policy_id: str | None = None
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


class GroupOverview(Overview):
    group_id: str


class GroupOverviewList(_Answer):
    items: list[GroupOverview]


class Incident(_Answer):
    id: str
    asset_id: str
    title: str
    status: str
    severity: str
    assignee: str | None = None
    opened_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


class IncidentList(_Answer):
    items: list[Incident]


class TimelineEntry(_Answer):
    kind: str
    actor: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    at: datetime


class Comment(_Answer):
    id: str
    author: str
    text: str
    created_at: datetime


class IncidentDetail(Incident):
    alert_ids: list[str]
    timeline: list[TimelineEntry]
    comments: list[Comment]


class IncidentDetailList(_Answer):
    items: list[IncidentDetail]


class Silence(_Answer):
    id: str
    matchers: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime
    active: bool = False


class SilenceList(_Answer):
    items: list[Silence]


class MaintenanceWindow(_Answer):
    id: str
    name: str
    scope: dict[str, Any]
    schedule: dict[str, Any]
    timezone: str
    created_by: str
    comment: str
    created_at: datetime
    active: bool = False


class MaintenanceWindowList(_Answer):
    items: list[MaintenanceWindow]


class Channel(_Answer):
    id: str
    name: str
    kind: str
    config: dict[str, Any]
    has_credentials: bool
    created_at: datetime


class ChannelList(_Answer):
    items: list[Channel]


class EscalationStep(_Answer):
    channel_ids: list[str]
    wait_minutes: int


class EscalationPolicy(_Answer):
    id: str
    name: str
    steps: list[EscalationStep]
    created_at: datetime


class EscalationPolicyList(_Answer):
    items: list[EscalationPolicy]


class IncidentPreferences(_Answer):
    """The company's incident defaults; the service answers its defaults until set."""

    auto_resolve: bool = True
    escalation_policy_id: str | None = None


class DeliveryAttempt(_Answer):
    number: int
    at: datetime
    ok: bool
    status_code: int | None = None
    error: str | None = None


class Delivery(_Answer):
    """One alert event sent (or suppressed) to one channel, with every attempt."""

    id: str
    channel_id: str
    event_type: str
    alert_id: str
    status: str
    suppressed_reason: str | None = None
    attempts: list[DeliveryAttempt]
    next_attempt_at: datetime | None = None
    created_at: datetime
    delivered_at: datetime | None = None


class DeliveryList(_Answer):
    items: list[Delivery]


class CollectionJob(_Answer):
    """One queued collection of an account's metrics, with its progress."""

    id: str
    account_id: str
    provider: str
    slot: datetime
    trigger: str
    status: str
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    targets: int
    api_calls: int
    points_stored: int
    error: str | None = None


class CollectionJobList(_Answer):
    items: list[CollectionJob]


class SeriesPoint(_Answer):
    ts: datetime
    avg: float
    min: float
    max: float


class Series(_Answer):
    asset_id: str
    metric: str
    start: datetime
    end: datetime
    resolution: str
    points: list[SeriesPoint]


class SeriesList(_Answer):
    items: list[Series]


class LatestPoint(_Answer):
    asset_id: str
    metric: str
    ts: datetime
    value: float


class LatestList(_Answer):
    items: list[LatestPoint]
