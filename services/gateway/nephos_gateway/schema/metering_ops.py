"""Metering query fields beyond the dashboard overview: trend, forecast, comparison,
inquiry periods, budgets, anomalies, recommendations, cost sets, billing sources
and their runs, data freshness, invoices and invoice terms.

A base class of ``Query``. Lists the service answers whole are Relay
connections over that answer (``paging.list_page``); recommendations follow
the service's own cursor pages.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from nephos_gateway.clients import asset_models as m_asset
from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.errors import NotFound
from nephos_gateway.schema import paging
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.anomalies import Anomaly, AnomalyFilter
from nephos_gateway.schema.types.billing_sources import CostSource, DataFreshness, IngestRun
from nephos_gateway.schema.types.budgets import Budget
from nephos_gateway.schema.types.connections import Connection, connection
from nephos_gateway.schema.types.cost_allocation_tags import CostAllocationTag, CostTagKey
from nephos_gateway.schema.types.cost_sets import CostSet
from nephos_gateway.schema.types.cost_trends import (
    CostComparison,
    CostForecast,
    CostTrend,
    ForecastMethod,
    InquiryPeriod,
)
from nephos_gateway.schema.types.costs import (
    CostFilter,
    CostGroupBy,
    CostSummary,
    GroupLimit,
    TagKey,
    cost_query,
    grouping,
)
from nephos_gateway.schema.types.invoices import Invoice, InvoiceTerms
from nephos_gateway.schema.types.recommendations import (
    RecommendationConnection,
    RecommendationKind,
    RecommendationStatus,
)

Info = strawberry.Info[GatewayContext]
AsOf = Annotated[date | None, strawberry.argument(description="Today (UTC) by default.")]
Currency = Annotated[
    str | None, strawberry.argument(description="ISO 4217; the company's currency by default.")
]


def _id(item: m.Budget | m.Anomaly | m.CostSet | m.Source | m.IngestRun) -> str:
    return item.id


def _key(tag: m.CostAllocationTag | m.CostTagKey) -> str:
    return tag.key


def _limit(info: Info) -> int:
    return info.context.settings.max_page_size


@strawberry.type
class MeteringQuery:
    @strawberry.field(
        description="Daily cost of this month beside the two before, with the 11-month "
        "average, minimum and maximum of each day."
    )
    async def cost_trend(
        self, info: Info, as_of: AsOf = None, currency: Currency = None,
        filter: CostFilter | None = None,
    ) -> CostTrend:  # fmt: skip
        return CostTrend.of(await info.context.metering.trend(as_of, currency, cost_query(filter)))

    @strawberry.field(description="This month's expected total with its range and method.")
    async def cost_forecast(
        self,
        info: Info,
        as_of: AsOf = None,
        currency: Currency = None,
        method: Annotated[
            ForecastMethod | None, strawberry.argument(description="Chosen by the data by default.")
        ] = None,
        filter: CostFilter | None = None,
    ) -> CostForecast:
        chosen = method.value if method is not None else None
        found = await info.context.metering.forecast(as_of, currency, chosen, cost_query(filter))
        return CostForecast.of(found)

    @strawberry.field(description="This month's 1st..asOf beside the same days of earlier months.")
    async def cost_comparison(
        self,
        info: Info,
        as_of: AsOf = None,
        months: Annotated[int, strawberry.argument(description="Earlier months, 1..12.")] = 3,
        currency: Currency = None,
        filter: CostFilter | None = None,
    ) -> CostComparison:
        query = cost_query(filter)
        return CostComparison.of(
            await info.context.metering.comparison(as_of, months, currency, query)
        )

    @strawberry.field(description="Costs of an inquiry period (2, 3, 6 or 12 months), by group.")
    async def cost_inquiry(
        self,
        info: Info,
        period: InquiryPeriod,
        as_of: Annotated[date | None, strawberry.argument(description="Its last day.")] = None,
        group_by: CostGroupBy = CostGroupBy.SERVICE,
        tag_key: TagKey = None,
        limit: GroupLimit = None,
        filter: CostFilter | None = None,
    ) -> CostSummary:
        how, query = grouping(group_by, tag_key, limit), cost_query(filter)
        found = await info.context.metering.period_summary(period.value, as_of, how, query)
        return CostSummary.of(found)

    @strawberry.field(description="The company's budgets, in pages.")
    async def budgets(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Budget]:
        client = info.context.metering

        async def read(_: int) -> list[m.Budget]:
            return await client.budgets()

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, Budget.of)

    @strawberry.field(description="One budget; null if unknown or not the company's.")
    async def budget(self, info: Info, id: strawberry.ID) -> Budget | None:
        try:
            return Budget.of(await info.context.metering.budget(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Cost anomalies, newest day first, filtered, in pages.")
    async def anomalies(
        self,
        info: Info,
        filter: AnomalyFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Anomaly]:
        client, query = info.context.metering, (filter or AnomalyFilter()).query()

        async def read(_: int) -> list[m.Anomaly]:
            return await client.anomalies(query)

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, Anomaly.of)

    @strawberry.field(description="Savings recommendations, largest saving first, in pages.")
    async def recommendations(
        self,
        info: Info,
        kind: RecommendationKind | None = None,
        status: RecommendationStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> RecommendationConnection:
        client = info.context.metering
        kind_value = kind.value if kind is not None else None
        status_value = status.value if status is not None else None
        pages: list[m.RecommendationPage] = []

        async def read(
            n: int, cursor: str | None
        ) -> tuple[list[m.Recommendation], m_asset.PageInfo]:
            found = await client.recommendations(kind_value, status_value, n, cursor)
            pages.append(found)
            more = found.next_cursor is not None
            return found.items, m_asset.PageInfo(has_next_page=more, end_cursor=found.next_cursor)

        page = await paging.fetch_page(read, first=first, after=after, limit=_limit(info))
        return RecommendationConnection.of(page, pages[-1])

    @strawberry.field(description="The caller's own cost sets, in pages.")
    async def cost_sets(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[CostSet]:
        client = info.context.metering

        async def read(_: int) -> list[m.CostSet]:
            return await client.cost_sets()

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, CostSet.of)

    @strawberry.field(description="The company's cost allocation tags, in pages.")
    async def cost_allocation_tags(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[CostAllocationTag]:
        client = info.context.metering

        async def read(_: int) -> list[m.CostAllocationTag]:
            return await client.cost_allocation_tags()

        page = await paging.list_page(read, _key, first=first, after=after, limit=_limit(info))
        return connection(page, CostAllocationTag.of)

    @strawberry.field(
        description="Every tag key the company's bill carries, sorted, in pages: the keys to "
        "filter costs by, or to mark as cost allocation tags."
    )
    async def cost_tag_keys(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[CostTagKey]:
        client = info.context.metering

        async def read(_: int) -> list[m.CostTagKey]:
            return await client.cost_tag_keys()

        page = await paging.list_page(read, _key, first=first, after=after, limit=_limit(info))
        return connection(page, CostTagKey.of)

    @strawberry.field(description="One of the caller's cost sets; null if unknown.")
    async def cost_set(self, info: Info, id: strawberry.ID) -> CostSet | None:
        try:
            return CostSet.of(await info.context.metering.cost_set(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="How current each account's costs are, in pages.")
    async def data_freshness(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[DataFreshness]:
        client = info.context.metering

        async def read(_: int) -> list[m.Freshness]:
            return await client.data_freshness()

        page = await paging.list_page(
            read, lambda f: f.account_id, first=first, after=after, limit=_limit(info)
        )
        return connection(page, DataFreshness.of)

    @strawberry.field(description="Billing sources, of one account or of all, in pages.")
    async def cost_sources(
        self,
        info: Info,
        account_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[CostSource]:
        client = info.context.metering
        account = str(account_id) if account_id is not None else None

        async def read(_: int) -> list[m.Source]:
            return await client.sources(account)

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, CostSource.of)

    @strawberry.field(
        description="Ingest runs, newest first (the newest 500), of one source or of all."
    )
    async def ingest_runs(
        self,
        info: Info,
        source_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[IngestRun]:
        client = info.context.metering
        source = str(source_id) if source_id is not None else None

        async def read(n: int) -> list[m.IngestRun]:
            return await client.ingest_runs(source, n)

        page = await paging.list_page(read, _id, first=first, after=after, limit=_limit(info))
        return connection(page, IngestRun.of)

    @strawberry.field(description="The company's invoice of one month, with its document paths.")
    async def invoice(
        self,
        info: Info,
        billing_period: Annotated[str, strawberry.argument(description="YYYY-MM.")],
    ) -> Invoice:
        return Invoice.of(await info.context.metering.invoice(billing_period))

    @strawberry.field(description="The company's markup or discount on invoices.")
    async def invoice_terms(self, info: Info) -> InvoiceTerms:
        return InvoiceTerms.of(await info.context.metering.invoice_terms())
