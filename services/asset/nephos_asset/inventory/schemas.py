"""Shapes of assets and of the asset dashboard summary."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RelationOut(BaseModel):
    kind: str
    target_native_id: str
    target_id: uuid.UUID | None = None


class AssetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None
    state: str
    tags: dict[str, str]
    spec: dict[str, Any]
    relations: list[RelationOut]
    version: int
    first_seen: datetime
    last_seen: datetime
    deleted_at: datetime | None
    raw: dict[str, Any] | None = None


class PageInfo(BaseModel):
    has_next_page: bool
    end_cursor: str | None


class AssetPage(BaseModel):
    items: list[AssetOut]
    page_info: PageInfo


class AssetBatch(BaseModel):
    items: list[AssetOut]


class StateCounts(BaseModel):
    total: int = 0
    running: int = 0
    stopped: int = 0
    other: int = 0


class ServerCounts(StateCounts):
    on_demand: StateCounts = Field(default_factory=StateCounts)
    auto_scaling: StateCounts = Field(default_factory=StateCounts)


class SizedCount(BaseModel):
    count: int = 0
    gb: float = 0.0


class DiskCount(BaseModel):
    count: int = 0
    tb: float = 0.0


class NetworkCounts(BaseModel):
    private_networks: int = 0
    public_ips: int = 0
    load_balancers: int = 0


class VendorSummary(BaseModel):
    provider: str
    servers: StateCounts = Field(default_factory=StateCounts)
    databases: SizedCount = Field(default_factory=SizedCount)
    storage: SizedCount = Field(default_factory=SizedCount)
    disks: DiskCount = Field(default_factory=DiskCount)
    network: NetworkCounts = Field(default_factory=NetworkCounts)


class ProductCount(BaseModel):
    native_type: str
    count: int


class DatabaseCounts(StateCounts):
    storage_gb: float = 0.0


class AssetSummary(BaseModel):
    """The asset dashboard of one company (or one provider or account of it)."""

    servers: ServerCounts
    databases: DatabaseCounts
    products: list[ProductCount]
    products_total: int
    vendors: list[VendorSummary]


class RelatedOut(BaseModel):
    """An edge seen from the asset asked about: ``out`` it points there, ``in`` it is pointed at."""

    direction: str
    kind: str
    asset: AssetOut


class RelatedList(BaseModel):
    items: list[RelatedOut]
