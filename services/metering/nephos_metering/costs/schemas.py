"""Shapes of cost answers; every amount is a string of the exact decimal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

GroupBy = Literal["service", "account", "region", "charge_category"]


class GroupTotal(BaseModel):
    key: str | None
    currency: str
    billed_cost: str
    effective_cost: str


class CostSummary(BaseModel):
    start: date
    end: date
    group_by: GroupBy
    items: list[GroupTotal]


class CostOverview(BaseModel):
    as_of: date
    currency: str | None
    hot_bill: str
    month_to_date: str
    data_through: datetime | None
