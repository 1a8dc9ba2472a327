"""The asset service's REST answers as the gateway reads them.

Defined here, not imported from the service: the gateway depends on the
service's HTTP contract only, so either side can be deployed on its own.
Unknown fields are ignored, so the service may add fields without breaking
the gateway; there is deliberately no field that could carry a secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Account(_Answer):
    id: str
    name: str
    provider: str
    auth_method: str
    endpoint_url: str | None = None
    auth_endpoint_url: str | None = None
    regions: list[str] | None = None
    native_account_id: str | None = None
    status: str
    status_reason: str | None = None
    discovery_interval_minutes: int | None = None
    last_discovery_requested_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class AccountList(_Answer):
    items: list[Account]


class ConnectionTest(_Answer):
    ok: bool
    native_account_id: str | None = None
    error_code: str | None = None
    message: str | None = None


class UnitFailure(_Answer):
    region: str
    native_type: str
    error_code: str
    error_message: str


class Run(_Answer):
    id: str
    account_id: str
    trigger: str
    status: str
    error: str | None = None
    units_total: int
    units_done: int
    units_failed: int
    assets_found: int
    assets_created: int
    assets_changed: int
    assets_deleted: int
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    failures: list[UnitFailure] = Field(default_factory=list)


class RunList(_Answer):
    items: list[Run]


class Relation(_Answer):
    kind: str
    target_native_id: str
    target_id: str | None = None


class Asset(_Answer):
    id: str
    account_id: str
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None = None
    state: str
    tags: dict[str, str] = Field(default_factory=dict)
    spec: dict[str, Any] = Field(default_factory=dict)
    relations: list[Relation] = Field(default_factory=list)
    version: int
    first_seen: datetime
    last_seen: datetime
    deleted_at: datetime | None = None


class PageInfo(_Answer):
    has_next_page: bool
    end_cursor: str | None = None


class AssetPage(_Answer):
    items: list[Asset]
    page_info: PageInfo


class AssetBatch(_Answer):
    items: list[Asset]


class StateCounts(_Answer):
    total: int = 0
    running: int = 0
    stopped: int = 0
    other: int = 0


class ServerCounts(StateCounts):
    on_demand: StateCounts = Field(default_factory=StateCounts)
    auto_scaling: StateCounts = Field(default_factory=StateCounts)


class DatabaseCounts(StateCounts):
    storage_gb: float = 0.0


class SizedCount(_Answer):
    count: int = 0
    gb: float = 0.0


class DiskCount(_Answer):
    count: int = 0
    tb: float = 0.0


class NetworkCounts(_Answer):
    private_networks: int = 0
    public_ips: int = 0
    load_balancers: int = 0


class VendorSummary(_Answer):
    provider: str
    servers: StateCounts = Field(default_factory=StateCounts)
    databases: SizedCount = Field(default_factory=SizedCount)
    storage: SizedCount = Field(default_factory=SizedCount)
    disks: DiskCount = Field(default_factory=DiskCount)
    network: NetworkCounts = Field(default_factory=NetworkCounts)


class ProductCount(_Answer):
    native_type: str
    count: int


class Summary(_Answer):
    servers: ServerCounts
    databases: DatabaseCounts
    products: list[ProductCount]
    products_total: int
    vendors: list[VendorSummary]


class AssetVersion(_Answer):
    """One entry of an asset's history; ``diff`` maps each changed field to old and new."""

    asset_id: str
    version: int
    change: str
    diff: dict[str, Any] = Field(default_factory=dict)
    changed_at: datetime


class AssetChange(AssetVersion):
    """An entry of the company-wide change feed, with what identifies its asset."""

    account_id: str
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None = None


class VersionPage(_Answer):
    items: list[AssetVersion]
    page_info: PageInfo


class ChangePage(_Answer):
    items: list[AssetChange]
    page_info: PageInfo


class Related(_Answer):
    direction: str
    kind: str
    asset: Asset


class RelatedList(_Answer):
    items: list[Related]


class ServiceGroup(_Answer):
    id: str
    name: str
    description: str | None = None
    rule: str | None = None
    explicit_members: list[str] = Field(default_factory=list)
    member_count: int = 0
    created_at: datetime
    updated_at: datetime


class ServiceGroupList(_Answer):
    items: list[ServiceGroup]


class Memberships(_Answer):
    memberships: dict[str, list[str]]
