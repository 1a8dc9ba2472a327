"""Shapes of cost sets: a name, the filters, a default grouping and inquiry period."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from nephos_metering.costs.schemas import CostSummary, DimensionGroupBy, Period

MAX_VALUES = 200


class CostSetFilters(BaseModel):
    """Empty lists do not narrow; values in one list are alternatives; every tag must match."""

    model_config = ConfigDict(extra="forbid")

    account_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_VALUES)
    services: list[str] = Field(default_factory=list, max_length=MAX_VALUES)
    regions: list[str] = Field(default_factory=list, max_length=MAX_VALUES)
    charge_categories: list[str] = Field(default_factory=list, max_length=MAX_VALUES)
    tags: dict[str, str] = Field(default_factory=dict, max_length=MAX_VALUES)


class CostSetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    filters: CostSetFilters = Field(default_factory=CostSetFilters)
    group_by: DimensionGroupBy = "service"
    period: Period | None = Field(default=None, description="Used when asked without dates")


class CostSetOut(CostSetCreate):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class CostSetList(BaseModel):
    items: list[CostSetOut]


class ItemError(BaseModel):
    """Why one item of a batch has no answer; the codes of the single read's 4xx."""

    code: str
    message: str


class CostSetCostsItem(BaseModel):
    """A batch item: ``costs`` for a set of the user's own (``found``), unless ``error``."""

    cost_set_id: uuid.UUID
    found: bool
    costs: CostSummary | None = None
    error: ItemError | None = None


class CostSetCostsBatch(BaseModel):
    items: list[CostSetCostsItem] = Field(description="One per id, in the order asked")
