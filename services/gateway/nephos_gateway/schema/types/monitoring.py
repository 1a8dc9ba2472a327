"""Monitoring: the overview, targets and their status, alert rules and alerts.

A target or alert names its asset by id; ``asset`` resolves through the
request's asset loader (one batch read for a whole list). ``Asset.status``
and ``Asset.alerts`` go the other way, through the monitoring loaders (see
``schema.context``): two monitoring calls per request, whatever the list.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from nephos_gateway.clients import monitoring_models as m

if TYPE_CHECKING:
    from nephos_gateway.schema.types.assets import Asset, Tag

_ASSETS = "nephos_gateway.schema.types.assets"


@strawberry.enum(description="How a target is doing, from its alerts and its latest points.")
class TargetStatus(enum.Enum):
    NORMAL = "normal"
    WARNING = "warning"
    CRITICAL = "critical"
    NO_DATA = "no_data"
    STOPPED = "stopped"


@strawberry.enum
class AlertState(enum.Enum):
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


@strawberry.enum
class AlertSeverity(enum.Enum):
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.enum(description="A threshold on points, or an alarm when points stop arriving.")
class AlertRuleKind(enum.Enum):
    THRESHOLD = "threshold"
    NO_DATA = "no_data"


@strawberry.enum(description="How a point is compared with a rule's threshold.")
class AlertOperator(enum.Enum):
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


@strawberry.type
class TargetStatusCount:
    status: TargetStatus
    count: int


@strawberry.type(description="Servers whose latest fresh CPU reading falls in a band.")
class CpuBand:
    band: str = strawberry.field(description="Percent range, e.g. 0-20; 100 % is in 80-100.")
    count: int


@strawberry.type(description="The monitoring dashboard of the company.")
class MonitoringOverview:
    targets_total: int
    by_status: list[TargetStatusCount]
    cpu_histogram: list[CpuBand]
    firing_alerts: int

    @classmethod
    def of(cls, o: m.Overview) -> MonitoringOverview:
        known = {s.value for s in TargetStatus}
        return cls(
            targets_total=o.targets_total,
            by_status=[
                TargetStatusCount(status=TargetStatus(s), count=n)
                for s, n in o.by_status.items()
                if s in known
            ],
            cpu_histogram=[CpuBand(band=b, count=n) for b, n in o.cpu_histogram.items()],
            firing_alerts=o.firing_alerts,
        )

    @classmethod
    def empty(cls) -> MonitoringOverview:
        """Of a set of assets monitoring knows nothing about."""
        return cls.of(m.Overview(targets_total=0, by_status={}, cpu_histogram={}, firing_alerts=0))


def target_status(value: str) -> TargetStatus:
    """The service's status; one this gateway does not know yet reads as NO_DATA."""
    try:
        return TargetStatus(value)
    except ValueError:
        return TargetStatus.NO_DATA


@strawberry.type(description="An asset monitoring watches, with its status.")
class MonitoringTarget:
    asset_id: strawberry.ID
    account_id: strawberry.ID
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None
    state: str
    status: TargetStatus
    last_seen: datetime | None = strawberry.field(description="When its latest point was taken.")

    @strawberry.field(description="The asset in the inventory; null if it is gone from it.")
    async def asset(
        self, info: strawberry.Info
    ) -> Annotated[Asset, strawberry.lazy(_ASSETS)] | None:
        from nephos_gateway.schema.types.assets import Asset

        found = await info.context.loaders.assets.load(str(self.asset_id))
        return Asset.of(found) if found else None

    @classmethod
    def of(cls, t: m.Target) -> MonitoringTarget:
        return cls(
            asset_id=strawberry.ID(t.asset_id),
            account_id=strawberry.ID(t.account_id),
            provider=t.provider,
            region=t.region,
            category=t.category,
            native_type=t.native_type,
            native_id=t.native_id,
            name=t.name,
            state=t.state,
            status=target_status(t.status),
            last_seen=t.last_seen,
        )


@strawberry.type(description="What a rule applies to; only the fields of its kind are set.")
class AlertRuleScope:
    kind: str = strawberry.field(description="asset, tags, category or service_group.")
    asset_id: strawberry.ID | None
    tags: list[Annotated[Tag, strawberry.lazy(_ASSETS)]] | None
    category: str | None
    service_group_id: strawberry.ID | None = None


@strawberry.type(description="A threshold rule, evaluated on every point that arrives.")
class AlertRule:
    id: strawberry.ID
    name: str
    kind: AlertRuleKind
    metric: str
    operator: AlertOperator
    threshold: float
    for_seconds: int = strawberry.field(description="How long it must hold before firing.")
    no_data_seconds: int | None = strawberry.field(
        description="No-data rules: silence this long fires."
    )
    severity: AlertSeverity
    scope: AlertRuleScope
    enabled: bool
    channel_ids: list[strawberry.ID] = strawberry.field(description="Notified on fire and resolve.")
    escalation_policy_id: strawberry.ID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: m.Rule) -> AlertRule:
        from nephos_gateway.schema.types.assets import Tag

        s = r.scope
        tags = [Tag(key=k, value=v) for k, v in sorted(s.tags.items())] if s.tags else None
        return cls(
            id=strawberry.ID(r.id),
            name=r.name,
            kind=AlertRuleKind(r.kind),
            metric=r.metric,
            operator=AlertOperator(r.operator),
            threshold=r.threshold,
            for_seconds=r.for_seconds,
            no_data_seconds=r.no_data_seconds,
            severity=AlertSeverity(r.severity),
            scope=AlertRuleScope(
                kind=s.kind,
                asset_id=strawberry.ID(s.asset_id) if s.asset_id else None,
                tags=tags,
                category=s.category,
                service_group_id=strawberry.ID(s.group_id) if s.group_id else None,
            ),
            enabled=r.enabled,
            channel_ids=[strawberry.ID(c) for c in r.channel_ids],
            escalation_policy_id=(
                strawberry.ID(r.escalation_policy_id) if r.escalation_policy_id else None
            ),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


@strawberry.type(description="One rule breached by one asset: pending, firing, then resolved.")
class Alert:
    id: strawberry.ID
    rule_id: strawberry.ID
    asset_id: strawberry.ID
    metric: str
    severity: AlertSeverity
    state: AlertState
    started_at: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    last_value: float = strawberry.field(description="The latest point evaluated by the rule.")

    @strawberry.field(description="Null if the rule has been deleted since.")
    async def rule(self, info: strawberry.Info) -> AlertRule | None:
        found = await info.context.monitoring_loaders.rule.load(str(self.rule_id))
        return AlertRule.of(found) if found else None

    @strawberry.field(description="The asset in the inventory; null if it is gone from it.")
    async def asset(
        self, info: strawberry.Info
    ) -> Annotated[Asset, strawberry.lazy(_ASSETS)] | None:
        from nephos_gateway.schema.types.assets import Asset

        found = await info.context.loaders.assets.load(str(self.asset_id))
        return Asset.of(found) if found else None

    @classmethod
    def of(cls, a: m.Alert) -> Alert:
        return cls(
            id=strawberry.ID(a.id),
            rule_id=strawberry.ID(a.rule_id),
            asset_id=strawberry.ID(a.asset_id),
            metric=a.metric,
            severity=AlertSeverity(a.severity),
            state=AlertState(a.state),
            started_at=a.started_at,
            fired_at=a.fired_at,
            resolved_at=a.resolved_at,
            last_value=a.last_value,
        )
