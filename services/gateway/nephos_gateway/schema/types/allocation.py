"""Cost of an asset and of a service group, as fields of ``Asset`` and ``ServiceGroup``.

Both resolve through the request's metering loaders (``schema.metering_loaders``):
a page of assets or groups with their cost costs one metering call, whatever
its size. Amounts are per currency and exact (``Decimal``); a currency is
never added to another.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.schema.context import GatewayContext

PERIOD_HELP = "from the 1st of this month to today (UTC) unless from/to are given."


@strawberry.type(description="A total in one currency.")
class CurrencyCost:
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal = strawberry.field(
        description="With commitments (reservations, savings plans) amortised."
    )

    @classmethod
    def of(cls, t: m.CurrencyTotal) -> CurrencyCost:
        return cls(currency=t.currency, billed_cost=t.billed_cost, effective_cost=t.effective_cost)


@strawberry.type(description="One UTC day's cost in one currency.")
class DailyCost:
    day: date
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal

    @classmethod
    def of(cls, d: m.DayCost) -> DailyCost:
        return cls(
            day=d.day,
            currency=d.currency,
            billed_cost=d.billed_cost,
            effective_cost=d.effective_cost,
        )


@strawberry.type(description="One service's cost in one currency.")
class ServiceCost:
    service: str | None = strawberry.field(description="Null for rows without a service.")
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal


@strawberry.type(description="An asset's cost over a period: the bill rows of its resource.")
class AssetCost:
    from_: date = strawberry.field(name="from", description="First day, included (UTC).")
    to: date = strawberry.field(description="Last day, included (UTC).")
    totals: list[CurrencyCost] = strawberry.field(description="Empty when nothing was billed.")
    daily: list[DailyCost] = strawberry.field(description="Days with costs, oldest first.")

    @classmethod
    def of(cls, c: m.AssetCost) -> AssetCost:
        assert c.start is not None and c.end is not None, "the client dates every item"
        return cls(
            from_=c.start,
            to=c.end,
            totals=[CurrencyCost.of(t) for t in c.totals],
            daily=[DailyCost.of(d) for d in c.daily or ()],
        )


@strawberry.type(description="A service group's cost over a period: that of its current members.")
class ServiceGroupCost:
    from_: date = strawberry.field(name="from", description="First day, included (UTC).")
    to: date = strawberry.field(description="Last day, included (UTC).")
    totals: list[CurrencyCost]
    by_service: list[ServiceCost] = strawberry.field(description="Largest first.")
    daily: list[DailyCost] = strawberry.field(description="Days with costs, oldest first.")

    @classmethod
    def of(cls, c: m.GroupCost) -> ServiceGroupCost:
        assert c.start is not None and c.end is not None, "the client dates every item"
        by_service = [
            ServiceCost(
                service=s.service,
                currency=s.currency,
                billed_cost=s.billed_cost,
                effective_cost=s.effective_cost,
            )
            for s in c.by_service
        ]
        return cls(
            from_=c.start,
            to=c.end,
            totals=[CurrencyCost.of(t) for t in c.totals],
            by_service=by_service,
            daily=[DailyCost.of(d) for d in c.daily],
        )


From = Annotated[date | None, strawberry.argument(name="from", description="First day, included.")]
To = Annotated[date | None, strawberry.argument(description="Last day, included.")]

ASSET_COST_HELP = (
    f"Its cost and daily figures, {PERIOD_HELP} Null when metering does not know the asset. "
    "One metering call per page, whatever its size."
)
GROUP_COST_HELP = (
    f"Its cost, by service and by day, {PERIOD_HELP} Null when metering does not know the "
    "group yet. One metering call per page, whatever its size."
)


async def asset_cost(
    context: GatewayContext, asset_id: str, start: date | None, end: date | None
) -> AssetCost | None:
    found = await context.metering_loaders.asset_costs.load((asset_id, start, end))
    return AssetCost.of(found) if found is not None else None


async def group_cost(
    context: GatewayContext, group_id: str, start: date | None, end: date | None
) -> ServiceGroupCost | None:
    found = await context.metering_loaders.group_costs.load((group_id, start, end))
    return ServiceGroupCost.of(found) if found is not None else None
