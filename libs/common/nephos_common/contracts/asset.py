"""Events the asset service publishes, and the discovery job it queues for itself."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from nephos_common.messaging.envelope import Contract
from nephos_common.messaging.nats import StreamSpec

EVENTS_STREAM = StreamSpec(name="ASSET", subjects=("asset.>",))
"""The asset service's event stream; consumers ensure it too, whichever service starts first."""


class AssetRef(Contract):
    """Which asset an event is about, enough to find it in any read model."""

    asset_id: uuid.UUID
    account_id: uuid.UUID
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str


class AssetSnapshot(AssetRef):
    """What consumers need to know of an asset without calling the asset service."""

    name: str | None
    state: str
    tags: dict[str, str]
    spec: dict[str, Any]


class ResourceDiscovered(AssetSnapshot):
    event_type: ClassVar[str] = "asset.resource.discovered"


class ResourceChanged(AssetSnapshot):
    """``changes`` maps each changed field to ``{"old": ..., "new": ...}``."""

    event_type: ClassVar[str] = "asset.resource.changed"
    changes: dict[str, Any]
    asset_version: int


class ResourceDeleted(AssetRef):
    event_type: ClassVar[str] = "asset.resource.deleted"


class DiscoveryCompleted(Contract):
    event_type: ClassVar[str] = "asset.discovery.completed"

    run_id: uuid.UUID
    account_id: uuid.UUID
    status: str
    units_total: int
    units_failed: int
    assets_found: int
    assets_created: int
    assets_changed: int
    assets_deleted: int
    failed_units: list[dict[str, str]]


class AccountRemoved(Contract):
    event_type: ClassVar[str] = "asset.account.removed"

    account_id: uuid.UUID
    provider: str


class DiscoveryRequested(Contract):
    """A job on the asset work queue: any replica may take it."""

    event_type: ClassVar[str] = "jobs.asset.discovery"

    run_id: uuid.UUID
    account_id: uuid.UUID


class ServiceGroupChanged(Contract):
    """A group was created or its definition (name, rule, explicit members) changed."""

    event_type: ClassVar[str] = "asset.service_group.changed"

    group_id: uuid.UUID
    name: str
    rule: str | None


class ServiceGroupDeleted(Contract):
    event_type: ClassVar[str] = "asset.service_group.deleted"

    group_id: uuid.UUID
    name: str


class MembershipChanged(Contract):
    """Assets joined or left a group (by rule, by hand, or by appearing/disappearing)."""

    event_type: ClassVar[str] = "asset.service_group.membership_changed"

    group_id: uuid.UUID
    added: list[uuid.UUID]
    removed: list[uuid.UUID]
