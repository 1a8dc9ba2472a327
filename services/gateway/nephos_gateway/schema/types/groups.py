"""Service groups: named sets of assets, by tag rule, by hand, or both.

Membership is computed by the asset service (it follows the rule as
discovery sees tags change); the gateway only reads it: members as an
inventory connection filtered by group, explicit members through the asset
DataLoader, the dashboard scoped to the group.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from nephos_gateway.clients import asset_models as m
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types import asset_monitoring as monitored
from nephos_gateway.schema.types.allocation import GROUP_COST_HELP, ServiceGroupCost, group_cost
from nephos_gateway.schema.types.allocation import From as CostFrom
from nephos_gateway.schema.types.allocation import To as CostTo
from nephos_gateway.schema.types.assets import Asset, AssetConnection, AssetFilter
from nephos_gateway.schema.types.common import UserError
from nephos_gateway.schema.types.summary import AssetSummary

RULE_HELP = (
    "Tag rule, e.g. 'Team=payments AND Env=prod OR Owner': AND binds tighter than OR; "
    "Key=Value, Key!=Value (absent or different), or a bare Key (any value)."
)


@strawberry.type(description="A named set of assets: those its rule matches plus hand-picked ones.")
class ServiceGroup:
    id: strawberry.ID
    name: str
    description: str | None
    rule: str | None = strawberry.field(description=RULE_HELP)
    explicit_member_ids: list[strawberry.ID] = strawberry.field(
        description="Assets put in by hand, whatever their tags say."
    )
    member_count: int = strawberry.field(description="Current members, by rule or by hand.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="The hand-picked members, as assets.")
    async def explicit_members(self, info: strawberry.Info[GatewayContext]) -> list[Asset]:
        ids = [str(i) for i in self.explicit_member_ids]
        found = await info.context.loaders.assets.load_many(ids) if ids else []
        return [Asset.of(a) for a in found if a is not None]

    @strawberry.field(description="Current members, filtered, in pages.")
    async def members(
        self,
        info: strawberry.Info[GatewayContext],
        filter: AssetFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AssetConnection:
        query = (filter or AssetFilter()).query(group_id=str(self.id))
        return await AssetConnection.fetch(info.context, query, first, after)

    @strawberry.field(description="The asset dashboard of the group's members.")
    async def summary(self, info: strawberry.Info[GatewayContext]) -> AssetSummary:
        return AssetSummary.of(await info.context.asset.group_summary(str(self.id)))

    status = strawberry.field(
        resolver=monitored.group_status, description=monitored.GROUP_STATUS_HELP
    )

    @strawberry.field(description=GROUP_COST_HELP)
    async def cost(
        self, info: strawberry.Info[GatewayContext], start: CostFrom = None, to: CostTo = None
    ) -> ServiceGroupCost | None:
        return await group_cost(info.context, str(self.id), start, to)

    @classmethod
    def of(cls, group: m.ServiceGroup) -> ServiceGroup:
        return cls(
            id=strawberry.ID(group.id),
            name=group.name,
            description=group.description,
            rule=group.rule,
            explicit_member_ids=[strawberry.ID(i) for i in group.explicit_members],
            member_count=group.member_count,
            created_at=group.created_at,
            updated_at=group.updated_at,
        )


@strawberry.input(description="A rule, hand-picked members, or both; membership follows the rule.")
class CreateServiceGroupInput:
    name: str
    description: str | None = None
    rule: str | None = strawberry.field(default=None, description=RULE_HELP)
    members: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Asset ids to include whatever their tags say."
    )

    def body(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "description": self.description,
            "rule": self.rule,
            "members": [str(i) for i in self.members] if self.members is not None else None,
        }
        return {k: v for k, v in given.items() if v is not None}


@strawberry.input(description="Only the fields given change; null clears description or rule.")
class UpdateServiceGroupInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    rule: str | None = strawberry.field(default=strawberry.UNSET, description=RULE_HELP)
    members: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the hand-picked members."
    )

    def body(self) -> dict[str, Any]:
        members = self.members
        given = {
            "name": self.name,
            "description": self.description,
            "rule": self.rule,
            "members": [str(i) for i in members] if isinstance(members, list) else members,
        }
        return {k: v for k, v in given.items() if v is not strawberry.UNSET}


@strawberry.type
class ServiceGroupPayload:
    service_group: ServiceGroup | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteServiceGroupPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
