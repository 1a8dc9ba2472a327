"""Assets, their relations and the Relay connection over the inventory.

Relations, accounts and service groups resolve through the request's
DataLoaders, so a page of any size costs one batch read per level of nesting,
not one per item; and because the batch read is scoped by the caller's
company, a relation can never lead into another company's inventory.
``history`` and ``related`` have no batch read in the service: they cost one
call per asset, which their descriptions say. ``status`` and ``alerts`` come
from monitoring, which has no read by asset ids either: its whole target and
alert lists are read once per request and indexed (see ``schema.context``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients.asset import AssetQuery
from nephos_gateway.schema import paging
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types import asset_monitoring as monitored
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.allocation import ASSET_COST_HELP, AssetCost, asset_cost
from nephos_gateway.schema.types.allocation import From as CostFrom
from nephos_gateway.schema.types.allocation import To as CostTo
from nephos_gateway.schema.types.common import PageInfo
from nephos_gateway.schema.types.history import AssetVersionConnection
from nephos_gateway.schema.types.monitoring import Alert, AlertState, TargetStatus, target_status

if TYPE_CHECKING:
    from nephos_gateway.schema.types.groups import ServiceGroup


@strawberry.enum(description="Which way a relation points, seen from the asset asked about.")
class RelationDirection(enum.Enum):
    IN = "in"
    OUT = "out"
    BOTH = "both"


@strawberry.type(description="A related asset and how it relates (see Asset.related).")
class AssetLink:
    direction: RelationDirection = strawberry.field(description="IN or OUT.")
    kind: str = strawberry.field(description="e.g. attached_volume, member_of_security_group.")
    asset: Asset


@strawberry.type
class Tag:
    key: str
    value: str


@strawberry.type(description="A link to another asset, e.g. attached_to, in_subnet, member_of.")
class AssetRelation:
    kind: str
    target_native_id: str
    target_id: strawberry.ID | None = strawberry.field(
        description="Null when the target has not been discovered (or is not in this inventory)."
    )

    @strawberry.field
    async def target(self, info: strawberry.Info) -> Asset | None:
        if self.target_id is None:
            return None
        found = await info.context.loaders.assets.load(str(self.target_id))
        return Asset.of(found) if found else None


@strawberry.type(description="One discovered resource, normalised across providers.")
class Asset:
    id: strawberry.ID
    account_id: strawberry.ID
    provider: str
    region: str
    category: str = strawberry.field(description="server, database, disk, network, ...")
    native_type: str = strawberry.field(description="e.g. aws.ec2.instance.")
    native_id: str
    name: str | None
    state: str = strawberry.field(description="running, stopped or other.")
    tags: list[Tag]
    spec: JSON = strawberry.field(description="Normalised, type-specific properties.")
    relations: list[AssetRelation]
    version: int
    first_seen: datetime
    last_seen: datetime
    deleted_at: datetime | None = strawberry.field(
        description="When discovery stopped seeing it; null while it exists."
    )

    @strawberry.field
    async def account(self, info: strawberry.Info) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(self.account_id))
        return CloudAccount.of(found) if found else None

    @strawberry.field(description="Versions, newest first. One service call per asset.")
    async def history(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> AssetVersionConnection:
        client, asset_id = info.context.asset, str(self.id)

        async def read(n: int, cursor: str | None) -> tuple[list[m.AssetVersion], m.PageInfo]:
            page = await client.asset_history(asset_id, n, cursor)
            return page.items, page.page_info

        limit = info.context.settings.max_page_size
        page = await paging.fetch_page(read, first=first, after=after, limit=limit)
        return AssetVersionConnection.of(page)

    @strawberry.field(
        description=(
            "What this asset points at (out: its volumes, subnet, security groups) and what "
            "points at it (in: the instances using a security group). One service call per asset."
        )
    )
    async def related(
        self,
        info: strawberry.Info,
        direction: RelationDirection = RelationDirection.BOTH,
        kind: str | None = None,
        category: str | None = None,
    ) -> list[AssetLink]:
        found = await info.context.asset.related(str(self.id), direction.value, kind, category)
        for link in found:  # a client that follows a link to the asset pays no second call
            info.context.loaders.assets.prime(link.asset.id, link.asset)
        return [
            AssetLink(
                direction=RelationDirection(r.direction), kind=r.kind, asset=Asset.of(r.asset)
            )
            for r in found
        ]

    @strawberry.field(description="The service groups the asset is in, by rule or by hand.")
    async def service_groups(
        self, info: strawberry.Info
    ) -> list[Annotated[ServiceGroup, strawberry.lazy("nephos_gateway.schema.types.groups")]]:
        from nephos_gateway.schema.types.groups import ServiceGroup  # it refers back to Asset

        loaders = info.context.loaders
        ids = await loaders.memberships.load(str(self.id))
        groups = await loaders.groups.load_many(ids) if ids else []
        found = [ServiceGroup.of(g) for g in groups if g is not None]
        return sorted(found, key=lambda g: g.name)

    @strawberry.field(description="Its monitoring status; null if monitoring does not watch it.")
    async def status(self, info: strawberry.Info) -> TargetStatus | None:
        found = await info.context.monitoring_loaders.target_of.load(str(self.id))
        return target_status(found.status) if found else None

    @strawberry.field(
        description="Its alerts, newest first, of one state or all; among the newest 1,000."
    )
    async def alerts(self, info: strawberry.Info, state: AlertState | None = None) -> list[Alert]:
        found = await info.context.monitoring_loaders.alerts_of.load(str(self.id))
        return [Alert.of(a) for a in found if state is None or a.state == state.value]

    incidents = strawberry.field(
        resolver=monitored.open_incidents, description=monitored.INCIDENTS_HELP
    )
    latest_metrics = strawberry.field(
        resolver=monitored.latest_metrics, description=monitored.LATEST_HELP
    )
    metrics = strawberry.field(resolver=monitored.metric_series, description=monitored.SERIES_HELP)

    @strawberry.field(description=ASSET_COST_HELP)
    async def cost(
        self, info: strawberry.Info, start: CostFrom = None, to: CostTo = None
    ) -> AssetCost | None:
        return await asset_cost(info.context, str(self.id), start, to)

    @classmethod
    def of(cls, asset: m.Asset) -> Asset:
        return cls(
            id=strawberry.ID(asset.id),
            account_id=strawberry.ID(asset.account_id),
            provider=asset.provider,
            region=asset.region,
            category=asset.category,
            native_type=asset.native_type,
            native_id=asset.native_id,
            name=asset.name,
            state=asset.state,
            tags=[Tag(key=k, value=v) for k, v in sorted(asset.tags.items())],
            spec=JSON(asset.spec),
            relations=[
                AssetRelation(
                    kind=r.kind,
                    target_native_id=r.target_native_id,
                    target_id=strawberry.ID(r.target_id) if r.target_id else None,
                )
                for r in asset.relations
            ],
            version=asset.version,
            first_seen=asset.first_seen,
            last_seen=asset.last_seen,
            deleted_at=asset.deleted_at,
        )


@strawberry.type
class AssetEdge:
    cursor: str
    node: Asset


@strawberry.type
class AssetConnection:
    edges: list[AssetEdge]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[Asset]:
        return [edge.node for edge in self.edges]

    @classmethod
    async def fetch(
        cls, ctx: GatewayContext, query: AssetQuery, first: int, after: str | None
    ) -> AssetConnection:
        """One page of the inventory; its assets prime the loader for relations within it."""

        async def read(n: int, cursor: str | None) -> tuple[list[m.Asset], m.PageInfo]:
            page = await ctx.asset.list_assets(query, n, cursor)
            return page.items, page.page_info

        limit = ctx.settings.max_page_size
        page = await paging.fetch_page(read, first=first, after=after, limit=limit)
        for _, item in page.edges:
            ctx.loaders.assets.prime(item.id, item)
        edges = [AssetEdge(cursor=c, node=Asset.of(i)) for c, i in page.edges]
        return cls(edges=edges, page_info=page.page_info)


@strawberry.input(description="Key and value; without a value, any asset carrying the key.")
class TagFilter:
    key: str
    value: str | None = None


@strawberry.input(description="Every given condition must hold.")
class AssetFilter:
    provider: str | None = None
    account_id: strawberry.ID | None = None
    region: str | None = None
    category: str | None = None
    state: str | None = None
    native_type: str | None = None
    tags: list[TagFilter] | None = None
    search: str | None = strawberry.field(default=None, description="Name contains.")

    def query(self, group_id: str | None = None) -> AssetQuery:
        tags = [t.key if t.value is None else f"{t.key}={t.value}" for t in self.tags or ()]
        return AssetQuery(
            provider=self.provider,
            account_id=str(self.account_id) if self.account_id is not None else None,
            region=self.region,
            category=self.category,
            state=self.state,
            native_type=self.native_type,
            tags=tuple(tags),
            q=self.search,
            group_id=group_id,
        )
