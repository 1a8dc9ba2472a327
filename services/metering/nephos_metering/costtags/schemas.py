"""Shapes of cost allocation tags."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from nephos_metering.costs.narrowing import MAX_TAG_LENGTH


class CostAllocationTagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_TAG_LENGTH, description="The tag key, as tagged")


class CostAllocationTagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    key: str = Field(validation_alias="tag_key")
    marked_by: str
    marked_at: datetime
    ready_at: datetime | None = Field(
        description="When its totals were built; until then its questions read the line items"
    )


class CostAllocationTagList(BaseModel):
    items: list[CostAllocationTagOut]


class CostTagKeyOut(BaseModel):
    key: str
    marked: bool = Field(description="Whether it is a cost allocation tag of the company")


class CostTagKeyList(BaseModel):
    items: list[CostTagKeyOut]
