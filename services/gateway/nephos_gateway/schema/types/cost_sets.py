"""Cost sets: a user's saved cost question (filters, a grouping, an inquiry period).

Every user keeps their own, whatever their role; another user's set is not found.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.errors import InvalidInput, NotFound
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.assets import Tag
from nephos_gateway.schema.types.common import UserError
from nephos_gateway.schema.types.cost_trends import InquiryPeriod
from nephos_gateway.schema.types.costs import CostGroupBy, CostSummary

INPUT_OF_CODE = {"invalid_filter": "input.filters", "cost_set_exists": "input.name"}


@strawberry.type(description="Empty lists do not narrow; values in one list are alternatives.")
class CostSetFilters:
    account_ids: list[strawberry.ID]
    services: list[str]
    regions: list[str]
    charge_categories: list[str]
    tags: list[Tag] = strawberry.field(description="Every tag must match.")


@strawberry.type
class CostSet:
    id: strawberry.ID
    name: str
    filters: CostSetFilters
    group_by: CostGroupBy
    period: InquiryPeriod | None = strawberry.field(description="Used when asked without dates.")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="The summary of the costs the filters keep: from..to, or the saved "
        "period ending with asOf; null, with an error, for a set that saves no period "
        "asked without from and to."
    )
    async def costs(
        self,
        info: strawberry.Info[GatewayContext],
        start: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        as_of: date | None = None,
        group_by: CostGroupBy | None = None,
    ) -> CostSummary | None:
        grouping = group_by.value if group_by is not None else None
        key = (str(self.id), start, to, as_of, grouping)
        found = await info.context.metering_loaders.cost_set_costs.load(key)
        if found is None:
            raise NotFound(f"cost set {self.id} not found", service="metering",
                           code="cost_set_not_found")  # fmt: skip
        if found.error is not None:
            raise InvalidInput(found.error.message, service="metering", code=found.error.code)
        assert found.costs is not None  # the service answers costs or an error
        return CostSummary.of(found.costs)

    @classmethod
    def of(cls, s: m.CostSet) -> CostSet:
        f = s.filters
        filters = CostSetFilters(
            account_ids=[strawberry.ID(a) for a in f.account_ids],
            services=list(f.services),
            regions=list(f.regions),
            charge_categories=list(f.charge_categories),
            tags=[Tag(key=k, value=v) for k, v in sorted(f.tags.items())],
        )
        return cls(
            id=strawberry.ID(s.id),
            name=s.name,
            filters=filters,
            group_by=CostGroupBy(s.group_by),
            period=InquiryPeriod(s.period) if s.period else None,
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


@strawberry.input(description="Cost rows whose resource tags hold this key with this value.")
class CostTagInput:
    key: str
    value: str


@strawberry.input(description="Empty or absent lists do not narrow.")
class CostSetFiltersInput:
    account_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    services: list[str] = strawberry.field(default_factory=list)
    regions: list[str] = strawberry.field(default_factory=list)
    charge_categories: list[str] = strawberry.field(
        default_factory=list, description="FOCUS ChargeCategory values, e.g. Usage."
    )
    tags: list[CostTagInput] = strawberry.field(
        default_factory=list, description="Every one must match."
    )

    def body(self) -> dict[str, Any]:
        return {
            "account_ids": [str(a) for a in self.account_ids],
            "services": list(self.services),
            "regions": list(self.regions),
            "charge_categories": list(self.charge_categories),
            "tags": {t.key: t.value for t in self.tags},
        }


@strawberry.input(description="The whole cost set; an update replaces every field.")
class CostSetInput:
    name: str
    filters: CostSetFiltersInput | None = None
    group_by: CostGroupBy = CostGroupBy.SERVICE
    period: InquiryPeriod | None = None

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "filters": (self.filters or CostSetFiltersInput()).body(),
            "group_by": self.group_by.value,
            "period": self.period.value if self.period else None,
        }


@strawberry.type
class CostSetPayload:
    cost_set: CostSet | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteCostSetPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
