"""Assets, their relations and the Relay connection over the inventory.

Relations and accounts resolve through the request's DataLoaders, so a page
of any size costs one batch read per level of nesting, not one per item; and
because the batch read is scoped by the caller's company, a relation can
never lead into another company's inventory.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients.asset import AssetQuery
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.common import PageInfo


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

    @strawberry.field
    async def account(self, info: strawberry.Info) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(self.account_id))
        return CloudAccount.of(found) if found else None

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

    def query(self) -> AssetQuery:
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
        )
