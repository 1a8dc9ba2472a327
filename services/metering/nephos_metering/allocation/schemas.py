"""Shapes of per-asset and per-group cost answers; amounts are exact decimal strings."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel


class CurrencyTotal(BaseModel):
    currency: str
    billed_cost: str
    effective_cost: str


class DayCost(CurrencyTotal):
    day: date


class ServiceCost(CurrencyTotal):
    service: str | None


class AssetCostTotals(BaseModel):
    """One asset's totals; ``found`` is false for an id the company has no asset under."""

    asset_id: uuid.UUID
    found: bool
    name: str | None = None
    provider: str | None = None
    native_type: str | None = None
    native_id: str | None = None
    totals: list[CurrencyTotal] = []


class AssetCost(AssetCostTotals):
    start: date
    end: date
    daily: list[DayCost]


class AssetCostItem(AssetCostTotals):
    """A batch item; ``daily`` only when asked for (``daily=true``), else null."""

    daily: list[DayCost] | None = None


class AssetCostBatch(BaseModel):
    start: date
    end: date
    items: list[AssetCostItem]


class GroupCost(BaseModel):
    group_id: uuid.UUID
    name: str | None
    start: date
    end: date
    totals: list[CurrencyTotal]
    by_service: list[ServiceCost]
    daily: list[DayCost]
    members: list[AssetCostTotals]


class GroupCostTotals(BaseModel):
    """One group's figures in a batch; ``found`` is false for an id the company has no
    group under. Members are left out: ``/service-group-costs/{id}`` lists them."""

    group_id: uuid.UUID
    found: bool
    name: str | None = None
    totals: list[CurrencyTotal] = []
    by_service: list[ServiceCost] = []
    daily: list[DayCost] = []


class GroupCostBatch(BaseModel):
    start: date
    end: date
    items: list[GroupCostTotals]
