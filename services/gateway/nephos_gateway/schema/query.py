"""Root query fields: accounts, discovery runs, the inventory, its history, groups, dashboard."""

from __future__ import annotations

import strawberry

from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients.errors import NotFound
from nephos_gateway.schema import paging
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.assets import Asset, AssetConnection, AssetFilter
from nephos_gateway.schema.types.changes import AssetChangeConnection, ChangeFilter
from nephos_gateway.schema.types.discovery import DiscoveryRun
from nephos_gateway.schema.types.groups import ServiceGroup
from nephos_gateway.schema.types.summary import AssetSummary

MAX_RUNS = 500

Info = strawberry.Info[GatewayContext]


@strawberry.type
class Query:
    @strawberry.field(description="The company's cloud accounts.")
    async def cloud_accounts(self, info: Info) -> list[CloudAccount]:
        return [CloudAccount.of(a) for a in await info.context.asset.list_accounts()]

    @strawberry.field(description="One cloud account; null if there is none with this id.")
    async def cloud_account(self, info: Info, id: strawberry.ID) -> CloudAccount | None:
        found = await info.context.loaders.accounts.load(str(id))
        return CloudAccount.of(found) if found else None

    @strawberry.field(description="One discovery run with its progress; null if unknown.")
    async def discovery_run(self, info: Info, id: strawberry.ID) -> DiscoveryRun | None:
        try:
            return DiscoveryRun.of(await info.context.asset.get_run(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Latest runs first, of one account or of all.")
    async def discovery_runs(
        self, info: Info, account_id: strawberry.ID | None = None, first: int = 20
    ) -> list[DiscoveryRun]:
        size = paging.page_size(first, MAX_RUNS)
        account = str(account_id) if account_id is not None else None
        return [DiscoveryRun.of(r) for r in await info.context.asset.list_runs(account, size)]

    @strawberry.field(description="Live assets of the company, filtered, in pages.")
    async def assets(
        self,
        info: Info,
        filter: AssetFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AssetConnection:
        query = (filter or AssetFilter()).query()
        return await AssetConnection.fetch(info.context, query, first, after)

    @strawberry.field(description="One asset; null if unknown or not the company's.")
    async def asset(self, info: Info, id: strawberry.ID) -> Asset | None:
        found = await info.context.loaders.assets.load(str(id))
        return Asset.of(found) if found else None

    @strawberry.field(description="What changed in the inventory, newest first, in pages.")
    async def changes(
        self,
        info: Info,
        filter: ChangeFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AssetChangeConnection:
        client, query = info.context.asset, (filter or ChangeFilter()).query()

        async def read(n: int, cursor: str | None) -> tuple[list[m.AssetChange], m.PageInfo]:
            page = await client.changes(query, n, cursor)
            return page.items, page.page_info

        limit = info.context.settings.max_page_size
        return AssetChangeConnection.of(
            await paging.fetch_page(read, first=first, after=after, limit=limit)
        )

    @strawberry.field(description="The company's service groups, by name.")
    async def service_groups(self, info: Info) -> list[ServiceGroup]:
        found = await info.context.asset.list_groups()
        for group in found:  # assets' serviceGroups in the same document need no second list
            info.context.loaders.groups.prime(group.id, group)
        return [ServiceGroup.of(g) for g in sorted(found, key=lambda g: g.name)]

    @strawberry.field(description="One service group; null if unknown or not the company's.")
    async def service_group(self, info: Info, id: strawberry.ID) -> ServiceGroup | None:
        try:
            return ServiceGroup.of(await info.context.asset.get_group(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="The asset dashboard, of all, one provider or one account.")
    async def asset_summary(
        self, info: Info, provider: str | None = None, account_id: strawberry.ID | None = None
    ) -> AssetSummary:
        account = str(account_id) if account_id is not None else None
        return AssetSummary.of(await info.context.asset.summary(provider, account))
