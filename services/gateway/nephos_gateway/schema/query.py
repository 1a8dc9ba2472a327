"""Root query fields: accounts, discovery runs, the inventory and its dashboard."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from nephos_gateway.clients.errors import NotFound
from nephos_gateway.schema import cursors
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.assets import Asset, AssetConnection, AssetEdge, AssetFilter
from nephos_gateway.schema.types.common import PageInfo
from nephos_gateway.schema.types.discovery import DiscoveryRun
from nephos_gateway.schema.types.summary import AssetSummary

MAX_RUNS = 500


def _page_size(first: int, limit: int) -> int:
    """The caller's page size, refused (not clamped) beyond the limit so nobody is surprised."""
    if not 1 <= first <= limit:
        raise GraphQLError(
            f"first must be between 1 and {limit}",
            extensions={"code": "BAD_USER_INPUT", "reason": "invalid_page_size"},
        )
    return first


async def _assets_page(
    ctx: GatewayContext, where: AssetFilter | None, first: int, after: str | None
) -> AssetConnection:
    limit = ctx.settings.max_page_size
    size = _page_size(first, limit)
    start = cursors.decode(after, max_skip=limit)
    query = (where or AssetFilter()).query()
    page = await ctx.asset.list_assets(query, size + start.skip, start.after)
    items = page.items[start.skip :]
    for item in items:  # relations often point within the page: no second fetch for those
        ctx.loaders.assets.prime(item.id, item)
    edge_cursors = cursors.edge_cursors(start, len(items), page.page_info.end_cursor)
    edges = [
        AssetEdge(cursor=c, node=Asset.of(i)) for c, i in zip(edge_cursors, items, strict=True)
    ]
    return AssetConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.page_info.has_next_page,
            end_cursor=edges[-1].cursor if edges else after,
        ),
    )


@strawberry.type
class Query:
    @strawberry.field(description="The company's cloud accounts.")
    async def cloud_accounts(self, info: strawberry.Info[GatewayContext]) -> list[CloudAccount]:
        return [CloudAccount.of(a) for a in await info.context.asset.list_accounts()]

    @strawberry.field(description="One cloud account; null if there is none with this id.")
    async def cloud_account(
        self, info: strawberry.Info[GatewayContext], id: strawberry.ID
    ) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(id))
        return CloudAccount.of(found) if found else None

    @strawberry.field(description="One discovery run with its progress; null if unknown.")
    async def discovery_run(
        self, info: strawberry.Info[GatewayContext], id: strawberry.ID
    ) -> DiscoveryRun | None:
        try:
            return DiscoveryRun.of(await info.context.asset.get_run(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Latest runs first, of one account or of all.")
    async def discovery_runs(
        self,
        info: strawberry.Info[GatewayContext],
        account_id: strawberry.ID | None = None,
        first: int = 20,
    ) -> list[DiscoveryRun]:
        size = _page_size(first, MAX_RUNS)
        account = str(account_id) if account_id is not None else None
        return [DiscoveryRun.of(r) for r in await info.context.asset.list_runs(account, size)]

    @strawberry.field(description="Live assets of the company, filtered, in pages.")
    async def assets(
        self,
        info: strawberry.Info[GatewayContext],
        filter: AssetFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AssetConnection:
        return await _assets_page(info.context, filter, first, after)

    @strawberry.field(description="One asset; null if unknown or not the company's.")
    async def asset(self, info: strawberry.Info[GatewayContext], id: strawberry.ID) -> Asset | None:
        found = await info.context.loaders.assets.load(str(id))
        return Asset.of(found) if found else None

    @strawberry.field(description="The asset dashboard, of all, one provider or one account.")
    async def asset_summary(
        self,
        info: strawberry.Info[GatewayContext],
        provider: str | None = None,
        account_id: strawberry.ID | None = None,
    ) -> AssetSummary:
        account = str(account_id) if account_id is not None else None
        return AssetSummary.of(await info.context.asset.summary(provider, account))
