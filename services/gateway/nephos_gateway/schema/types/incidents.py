"""Incidents: tickets opened by firing alerts, with their timeline and comments, and the
company's incident preferences.

An incident read alone or returned by a mutation carries its details; one
read in a list resolves them through the request's batch loader, so a page
of incidents costs one more call for all their timelines, not one each.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.monitoring import IncidentQuery
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.common import UserError
from nephos_gateway.schema.types.monitoring import AlertSeverity

if TYPE_CHECKING:
    from nephos_gateway.schema.types.assets import Asset

Info = strawberry.Info[GatewayContext]


@strawberry.enum
class IncidentStatus(enum.Enum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@strawberry.type(description="One thing that happened to an incident.")
class IncidentTimelineEntry:
    kind: str = strawberry.field(
        description="opened, alert_joined, alert_resolved, acknowledged, assigned, commented, "
        "resolved or escalated."
    )
    actor: str | None = strawberry.field(description="Who did it; null for monitoring itself.")
    detail: JSON
    at: datetime


@strawberry.type
class IncidentComment:
    id: strawberry.ID
    author: str
    text: str
    created_at: datetime


@strawberry.type(description="A ticket opened by a firing alert; at most one open per asset.")
class Incident:
    id: strawberry.ID
    asset_id: strawberry.ID
    title: str
    status: IncidentStatus
    severity: AlertSeverity
    assignee: str | None
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    known: strawberry.Private[m.IncidentDetail | None] = None

    @strawberry.field(description="The asset in the inventory; null if it is gone from it.")
    async def asset(
        self, info: Info
    ) -> Annotated[Asset, strawberry.lazy("nephos_gateway.schema.types.assets")] | None:
        from nephos_gateway.schema.types.assets import Asset

        found = await info.context.loaders.assets.load(str(self.asset_id))
        return Asset.of(found) if found else None

    @strawberry.field(description="The alerts that opened or joined it, oldest first.")
    async def alert_ids(self, info: Info) -> list[strawberry.ID]:
        detail = await self._detail(info)
        return [strawberry.ID(a) for a in detail.alert_ids] if detail else []

    @strawberry.field(description="Everything that happened to it, oldest first.")
    async def timeline(self, info: Info) -> list[IncidentTimelineEntry]:
        detail = await self._detail(info)
        entries = detail.timeline if detail else []
        return [
            IncidentTimelineEntry(kind=e.kind, actor=e.actor, detail=JSON(e.detail), at=e.at)
            for e in entries
        ]

    @strawberry.field(description="Oldest first.")
    async def comments(self, info: Info) -> list[IncidentComment]:
        detail = await self._detail(info)
        return [
            IncidentComment(
                id=strawberry.ID(c.id), author=c.author, text=c.text, created_at=c.created_at
            )
            for c in (detail.comments if detail else [])
        ]

    async def _detail(self, info: Info) -> m.IncidentDetail | None:
        if self.known is None:
            self.known = await info.context.monitoring_batch.incident.load(str(self.id))
        return self.known

    @classmethod
    def of(cls, i: m.Incident) -> Incident:
        return cls(
            id=strawberry.ID(i.id),
            asset_id=strawberry.ID(i.asset_id),
            title=i.title,
            status=IncidentStatus(i.status),
            severity=AlertSeverity(i.severity),
            assignee=i.assignee,
            opened_at=i.opened_at,
            acknowledged_at=i.acknowledged_at,
            resolved_at=i.resolved_at,
            known=i if isinstance(i, m.IncidentDetail) else None,
        )


@strawberry.input(description="Every given condition must hold.")
class IncidentFilter:
    status: list[IncidentStatus] | None = strawberry.field(
        default=None, description="Any of these; all statuses when left out."
    )
    assignee: str | None = None
    asset_id: strawberry.ID | None = None

    def query(self) -> IncidentQuery | None:
        """The service's filter; None when the asset id can name no asset (nothing matches)."""
        asset_ids: tuple[str, ...] = ()
        if self.asset_id is not None:
            asset = canonical_id(str(self.asset_id))
            if asset is None:
                return None
            asset_ids = (asset,)
        statuses = tuple(s.value for s in self.status or ())
        return IncidentQuery(statuses=statuses, assignee=self.assignee, asset_ids=asset_ids)


@strawberry.type
class IncidentPayload:
    incident: Incident | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The company's incident defaults.")
class IncidentPreferences:
    auto_resolve: bool = strawberry.field(
        description="Resolve an incident when all its alerts have resolved."
    )
    escalation_policy_id: strawberry.ID | None = strawberry.field(
        description="Followed by incidents whose rule names no policy; null: no escalation."
    )

    @classmethod
    def of(cls, p: m.IncidentPreferences) -> IncidentPreferences:
        policy = p.escalation_policy_id
        return cls(
            auto_resolve=p.auto_resolve,
            escalation_policy_id=strawberry.ID(policy) if policy else None,
        )


@strawberry.input(description="Both preferences; what is left out goes back to its default.")
class IncidentPreferencesInput:
    auto_resolve: bool = True
    escalation_policy_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the company's policies; null: no escalation."
    )

    def body(self) -> dict[str, Any]:
        policy = self.escalation_policy_id
        return {
            "auto_resolve": self.auto_resolve,
            "escalation_policy_id": str(policy) if policy is not None else None,
        }


PREFERENCES_INPUT_OF_CODE = {"unknown_escalation_policy": "input.escalationPolicyId"}
"""Service codes of refused preferences and the input they are about."""


@strawberry.type
class IncidentPreferencesPayload:
    preferences: IncidentPreferences | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
