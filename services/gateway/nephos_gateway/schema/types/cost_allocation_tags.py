"""Cost allocation tags: the tag keys a company allocates its costs by.

A marked key has daily totals per value, built by a job after marking: cost
questions narrowed to it (``filter: {tag: ...}``) or grouped by it
(``groupBy: TAG``) answer from them in milliseconds; other tags are summed
over the line items, which takes seconds on a large bill.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.schema.types.common import UserError

FIELD_OF_CODE = {"invalid_tag_key": "key", "invalid_input": "key"}


@strawberry.type(description="A tag key the company allocates its costs by.")
class CostAllocationTag:
    key: str
    marked_by: str
    marked_at: datetime
    ready_at: datetime | None = strawberry.field(
        description="When its totals were built; until then its questions read the line items."
    )

    @classmethod
    def of(cls, t: m.CostAllocationTag) -> CostAllocationTag:
        return cls(key=t.key, marked_by=t.marked_by, marked_at=t.marked_at, ready_at=t.ready_at)


@strawberry.type(description="A tag key the company's bill carries.")
class CostTagKey:
    key: str
    marked: bool = strawberry.field(description="Whether it is a cost allocation tag.")

    @classmethod
    def of(cls, k: m.CostTagKey) -> CostTagKey:
        return cls(key=k.key, marked=k.marked)


@strawberry.type
class CostAllocationTagPayload:
    tag: CostAllocationTag | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UnmarkCostAllocationTagPayload:
    unmarked_key: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
