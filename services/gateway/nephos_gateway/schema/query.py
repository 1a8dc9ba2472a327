"""Root query fields: accounts, discovery runs, the inventory, its history, groups, dashboard,
costs (metering) and monitoring."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Protocol

import strawberry

from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients import metering_models as m_costs
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.errors import NotFound
from nephos_gateway.schema import paging
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.directory import DirectoryQuery
from nephos_gateway.schema.metering_ops import MeteringQuery
from nephos_gateway.schema.monitoring_ops import MonitoringQuery
from nephos_gateway.schema.types.accounts import CloudAccount
from nephos_gateway.schema.types.assets import Asset, AssetConnection, AssetFilter
from nephos_gateway.schema.types.changes import AssetChangeConnection, ChangeFilter
from nephos_gateway.schema.types.common import PARTIAL
from nephos_gateway.schema.types.connections import Connection, connection
from nephos_gateway.schema.types.costs import (
    CostDelivery,
    CostFilter,
    CostGroupBy,
    CostOverview,
    CostSummary,
    GroupLimit,
    TagKey,
    cost_query,
    grouping,
)
from nephos_gateway.schema.types.discovery import DiscoveryRun
from nephos_gateway.schema.types.groups import ServiceGroup
from nephos_gateway.schema.types.summary import AssetSummary

MAX_RUNS = 500
MAX_DELIVERIES = 500

Info = strawberry.Info[GatewayContext]


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


def _id(item: _Identified) -> str:
    """The key an edge cursor names: the item's own id."""
    return item.id


def _limit(info: Info) -> int:
    return info.context.settings.max_page_size


@strawberry.type
class Query(DirectoryQuery, MeteringQuery, MonitoringQuery):
    @strawberry.field(description="The company's cloud accounts, in pages.")
    async def cloud_accounts(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[CloudAccount]:
        client = info.context.asset

        async def read(_: int) -> list[m.Account]:
            return await client.list_accounts()

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, CloudAccount.of)

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

    @strawberry.field(description="Latest runs first (the newest 500), of one account or of all.")
    async def discovery_runs(
        self,
        info: Info,
        account_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[DiscoveryRun]:
        client = info.context.asset
        account = str(account_id) if account_id is not None else None

        async def read(n: int) -> list[m.Run]:
            return await client.list_runs(account, min(n, MAX_RUNS))

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, DiscoveryRun.of)

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

    @strawberry.field(description="The company's service groups, by name, in pages.")
    async def service_groups(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[ServiceGroup]:
        context = info.context

        async def read(_: int) -> list[m.ServiceGroup]:
            found = await context.asset.list_groups()
            for group in found:  # assets' serviceGroups in the same document need no second list
                context.loaders.groups.prime(group.id, group)
            return sorted(found, key=lambda g: g.name)

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, ServiceGroup.of)

    @strawberry.field(description="One service group; null if unknown or not the company's.")
    async def service_group(self, info: Info, id: strawberry.ID) -> ServiceGroup | None:
        try:
            return ServiceGroup.of(await info.context.asset.get_group(str(id)))
        except NotFound:
            return None

    @strawberry.field(
        description="The asset dashboard, of all, one provider or one account." + PARTIAL
    )
    async def asset_summary(
        self, info: Info, provider: str | None = None, account_id: strawberry.ID | None = None
    ) -> AssetSummary | None:
        account = str(account_id) if account_id is not None else None
        return AssetSummary.of(await info.context.asset.summary(provider, account))

    @strawberry.field(
        description="The metering dashboard: yesterday's bill and month-to-date, as of a day."
        + PARTIAL
    )
    async def cost_overview(
        self,
        info: Info,
        as_of: Annotated[date | None, strawberry.argument(description="Today by default.")] = None,
        currency: str | None = None,
        filter: CostFilter | None = None,
    ) -> CostOverview | None:
        found = await info.context.metering.overview(as_of, currency, cost_query(filter))
        return CostOverview.of(found)

    @strawberry.field(description="Costs of a range of days (both included), by group." + PARTIAL)
    async def cost_summary(
        self,
        info: Info,
        start: Annotated[date, strawberry.argument(name="from")],
        to: date,
        group_by: CostGroupBy = CostGroupBy.SERVICE,
        tag_key: TagKey = None,
        limit: GroupLimit = None,
        filter: CostFilter | None = None,
    ) -> CostSummary | None:
        how = grouping(group_by, tag_key, limit)
        found = await info.context.metering.summary(start, to, how, cost_query(filter))
        return CostSummary.of(found)

    @strawberry.field(
        description="Billing deliveries, newest first (the newest 500), of one account or of all."
    )
    async def deliveries(
        self,
        info: Info,
        account_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[CostDelivery]:
        client = info.context.metering
        account = str(account_id) if account_id is not None else None

        async def read(n: int) -> list[m_costs.Delivery]:
            if account is not None and canonical_id(account) is None:
                return []  # not an id, so no account of the company
            return await client.deliveries(account, min(n, MAX_DELIVERIES))

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, CostDelivery.of)
