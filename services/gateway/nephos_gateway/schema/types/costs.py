"""Costs from the metering service: the dashboard overview, grouped totals, deliveries.

Every amount is a ``Decimal`` scalar (the exact decimal as a string), never
a float: money must add up to the cent.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.metering import CostQuery, Grouping


@strawberry.enum(description="What cost totals are grouped by.")
class CostGroupBy(enum.Enum):
    SERVICE = "service"
    ACCOUNT = "account"
    REGION = "region"
    CHARGE_CATEGORY = "charge_category"
    RESOURCE = "resource"
    TAG = "tag"


@strawberry.input(description="Narrows a cost question; every given condition must hold.")
class CostFilter:
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="A cloud account."
    )
    service_group_id: strawberry.ID | None = strawberry.field(
        default=None, description="The costs of the group's member assets."
    )
    tag: str | None = strawberry.field(
        default=None,
        description="key=value, or key for any value; fast when key is a cost allocation tag.",
    )

    def query(self) -> CostQuery:
        return CostQuery(
            account_id=str(self.account_id) if self.account_id is not None else None,
            service_group_id=(
                str(self.service_group_id) if self.service_group_id is not None else None
            ),
            tag=self.tag,
        )


def cost_query(given: CostFilter | None) -> CostQuery:
    """The client's query of an optional filter argument: none asks about the whole company."""
    return given.query() if given is not None else CostQuery()


TagKey = Annotated[
    str | None, strawberry.argument(description="The tag key whose values group, with TAG.")
]
GroupLimit = Annotated[
    int | None,
    strawberry.argument(
        description="At most this many groups (1..1000), the rest summed in other; "
        "100 by default for RESOURCE and TAG, no cap for the others."
    ),
]


def grouping(group_by: CostGroupBy, tag_key: str | None, limit: int | None) -> Grouping:
    return Grouping(group_by=group_by.value, tag_key=tag_key, limit=limit)


@strawberry.type(description="The metering dashboard: yesterday's bill and the month so far.")
class CostOverview:
    as_of: date = strawberry.field(description="The day asked about (UTC).")
    currency: str | None = strawberry.field(description="Null while there are no costs.")
    hot_bill: Decimal = strawberry.field(description="What the day before asOf cost.")
    month_to_date: Decimal = strawberry.field(description="From the 1st up to asOf, included.")
    data_through: datetime | None = strawberry.field(
        description="The end of the newest billed usage; null while there are no costs."
    )

    @classmethod
    def of(cls, o: m.CostOverview) -> CostOverview:
        return cls(
            as_of=o.as_of,
            currency=o.currency,
            hot_bill=o.hot_bill,
            month_to_date=o.month_to_date,
            data_through=o.data_through,
        )


@strawberry.type(description="The costs of one group (one service, account, region, ...).")
class CostGroupTotal:
    key: str | None = strawberry.field(description="Null for costs without this attribute.")
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal = strawberry.field(
        description="With commitments (reservations, savings plans) amortised."
    )


@strawberry.type(description="The groups left out of a summary by its limit, in one currency.")
class CostOtherTotal:
    currency: str
    groups: int = strawberry.field(description="How many groups are summed here.")
    billed_cost: Decimal
    effective_cost: Decimal


@strawberry.type(description="Costs of a range of days, by group.")
class CostSummary:
    from_: date = strawberry.field(name="from", description="First day, included (UTC).")
    to: date = strawberry.field(description="Last day, included (UTC).")
    group_by: CostGroupBy
    tag_key: str | None = strawberry.field(description="The tag key grouped by, with TAG.")
    limit: int | None = strawberry.field(
        description="At most this many groups in items, largest first; null for no cap."
    )
    items: list[CostGroupTotal]
    other: list[CostOtherTotal] = strawberry.field(
        description="The groups beyond the limit, summed per currency: items and other "
        "together add up to the whole."
    )

    @classmethod
    def of(cls, s: m.CostSummary) -> CostSummary:
        return cls(
            from_=s.start,
            to=s.end,
            group_by=CostGroupBy(s.group_by),
            tag_key=s.tag_key,
            limit=s.limit,
            other=[
                CostOtherTotal(
                    currency=o.currency,
                    groups=o.groups,
                    billed_cost=o.billed_cost,
                    effective_cost=o.effective_cost,
                )
                for o in s.other
            ],
            items=[
                CostGroupTotal(
                    key=i.key,
                    currency=i.currency,
                    billed_cost=i.billed_cost,
                    effective_cost=i.effective_cost,
                )
                for i in s.items
            ],
        )


@strawberry.type(description="One billing delivery of an account and how its ingest went.")
class CostDelivery:
    id: strawberry.ID
    account_id: strawberry.ID
    source: str = strawberry.field(description="The billing export it came from.")
    bucket: str
    manifest_key: str
    files: list[str]
    billing_account_id: str | None
    billing_period_start: datetime
    billing_period_end: datetime
    status: str = strawberry.field(description="running, succeeded, superseded or failed.")
    row_count: int
    billed_cost_total: Decimal | None
    billing_currency: str | None
    error: str | None
    requested_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, d: m.Delivery) -> CostDelivery:
        return cls(
            id=strawberry.ID(d.id),
            account_id=strawberry.ID(d.account_id),
            source=d.source,
            bucket=d.bucket,
            manifest_key=d.manifest_key,
            files=list(d.files),
            billing_account_id=d.billing_account_id,
            billing_period_start=d.billing_period_start,
            billing_period_end=d.billing_period_end,
            status=d.status,
            row_count=d.row_count,
            billed_cost_total=d.billed_cost_total,
            billing_currency=d.billing_currency,
            error=d.error,
            requested_at=d.requested_at,
            finished_at=d.finished_at,
        )
