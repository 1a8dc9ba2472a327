"""The company-wide change feed: what appeared, changed or disappeared, in a time window.

Each entry carries what identifies its asset, so a feed renders without
resolving ``asset``; when a client does ask for it, the asset DataLoader
serves a whole page in one batch read.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients.asset import ChangeQuery
from nephos_gateway.schema.paging import Page
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.assets import Asset
from nephos_gateway.schema.types.common import PageInfo
from nephos_gateway.schema.types.history import CHANGE_KINDS


@strawberry.type(description="One change of one asset, with what identifies the asset.")
class AssetChange:
    asset_id: strawberry.ID
    version: int
    change: str = strawberry.field(description=CHANGE_KINDS + ".")
    diff: JSON = strawberry.field(description="Per changed field, its old and new value.")
    changed_at: datetime
    account_id: strawberry.ID
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None

    @strawberry.field(description="The asset as it is now (deletedAt set once it is gone).")
    async def asset(self, info: strawberry.Info) -> Asset | None:
        found = await info.context.loaders.assets.load(str(self.asset_id))
        return Asset.of(found) if found else None

    @strawberry.field
    async def account(self, info: strawberry.Info) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(self.account_id))
        return CloudAccount.of(found) if found else None

    @classmethod
    def of(cls, c: m.AssetChange) -> AssetChange:
        return cls(
            asset_id=strawberry.ID(c.asset_id),
            version=c.version,
            change=c.change,
            diff=JSON(c.diff),
            changed_at=c.changed_at,
            account_id=strawberry.ID(c.account_id),
            provider=c.provider,
            region=c.region,
            category=c.category,
            native_type=c.native_type,
            native_id=c.native_id,
            name=c.name,
        )


@strawberry.type
class AssetChangeEdge:
    cursor: str
    node: AssetChange


@strawberry.type
class AssetChangeConnection:
    edges: list[AssetChangeEdge]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[AssetChange]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Page[m.AssetChange]) -> AssetChangeConnection:
        edges = [AssetChangeEdge(cursor=cur, node=AssetChange.of(c)) for cur, c in page.edges]
        return cls(edges=edges, page_info=page.page_info)


@strawberry.input(description="Every given condition must hold; times without an offset are UTC.")
class ChangeFilter:
    since: datetime | None = strawberry.field(default=None, description="At or after.")
    until: datetime | None = strawberry.field(default=None, description="At or before.")
    account_id: strawberry.ID | None = None
    provider: str | None = None
    category: str | None = None
    native_type: str | None = None
    changes: list[str] | None = strawberry.field(
        default=None, description=f"Any of: {CHANGE_KINDS}."
    )

    def query(self) -> ChangeQuery:
        return ChangeQuery(
            since=self.since,
            until=self.until,
            account_id=str(self.account_id) if self.account_id is not None else None,
            provider=self.provider,
            category=self.category,
            native_type=self.native_type,
            changes=tuple(self.changes or ()),
        )
