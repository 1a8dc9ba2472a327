"""Savings recommendations, largest monthly saving first, with totals per kind.

The service pages them by cursor, so the connection follows its pages
(``paging.fetch_page``); its totals cover every page the filter keeps.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import metering_models as m
from nephos_gateway.schema.paging import Page
from nephos_gateway.schema.types.common import PageInfo, UserError


@strawberry.enum
class RecommendationKind(enum.Enum):
    IDLE_SERVER = "idle_server"
    OVERSIZED_SERVER = "oversized_server"
    UNATTACHED_VOLUME = "unattached_volume"
    OLD_SNAPSHOT = "old_snapshot"
    UNUSED_PUBLIC_IP = "unused_public_ip"
    COMMITMENT_COVERAGE = "commitment_coverage"


@strawberry.enum(description="OPEN, or DISMISSED (kept through recomputation).")
class RecommendationStatus(enum.Enum):
    OPEN = "open"
    DISMISSED = "dismissed"


@strawberry.type
class Recommendation:
    id: strawberry.ID
    kind: RecommendationKind
    asset_id: strawberry.ID | None
    provider: str | None
    native_type: str | None
    resource_id: str | None
    reason: str
    details: JSON
    monthly_saving: Decimal
    currency: str | None
    status: RecommendationStatus
    computed_at: datetime

    @classmethod
    def of(cls, r: m.Recommendation) -> Recommendation:
        return cls(
            id=strawberry.ID(r.id),
            kind=RecommendationKind(r.kind),
            asset_id=strawberry.ID(r.asset_id) if r.asset_id else None,
            provider=r.provider,
            native_type=r.native_type,
            resource_id=r.resource_id,
            reason=r.reason,
            details=JSON(r.details),
            monthly_saving=r.monthly_saving,
            currency=r.currency,
            status=RecommendationStatus(r.status),
            computed_at=r.computed_at,
        )


@strawberry.type(description="What the recommendations of one kind would save a month.")
class SavingTotal:
    kind: RecommendationKind
    currency: str | None
    count: int
    monthly_saving: Decimal


@strawberry.type
class RecommendationEdge:
    cursor: str
    node: Recommendation


@strawberry.type
class RecommendationConnection:
    edges: list[RecommendationEdge]
    page_info: PageInfo
    totals: list[SavingTotal] = strawberry.field(description="Over every page, not only this one.")
    computed_at: datetime | None = strawberry.field(description="Null before the first run.")

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[Recommendation]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(
        cls, page: Page[m.Recommendation], last: m.RecommendationPage
    ) -> RecommendationConnection:
        totals = [
            SavingTotal(
                kind=RecommendationKind(t.kind),
                currency=t.currency,
                count=t.count,
                monthly_saving=t.monthly_saving,
            )
            for t in last.totals
        ]
        return cls(
            edges=[RecommendationEdge(cursor=c, node=Recommendation.of(r)) for c, r in page.edges],
            page_info=page.page_info,
            totals=totals,
            computed_at=last.computed_at,
        )


@strawberry.type
class RecommendationPayload:
    recommendation: Recommendation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RefreshRecommendationsPayload:
    computed_at: datetime | None = strawberry.field(
        default=None, description="When this computation ran; the list's computedAt now."
    )
    found: int | None = strawberry.field(
        default=None, description="Recommendations the computation found."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)
