"""Provider-neutral shapes that every collector produces.

A collector turns one provider listing (account x region x resource type) into
``NormalizedAsset`` values. The inventory never looks at provider responses
directly, so a new provider only has to fill these fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

GLOBAL_REGION = "global"
"""Region of a unit whose resource type is listed once per account (S3 buckets)."""


class Category(StrEnum):
    """What an asset is for, independent of the vendor's name for it."""

    SERVER = "server"
    AUTOSCALING_GROUP = "autoscaling_group"
    DATABASE = "database"
    DATABASE_SERVER = "database_server"
    """A logical server that only hosts databases (Azure SQL): not itself counted as one."""
    CACHE = "cache"
    BUCKET = "bucket"
    DISK = "disk"
    SNAPSHOT = "snapshot"
    IMAGE = "image"
    NETWORK = "network"
    SUBNET = "subnet"
    ROUTE_TABLE = "route_table"
    GATEWAY = "gateway"
    NETWORK_INTERFACE = "network_interface"
    IP = "ip"
    LOAD_BALANCER = "load_balancer"
    SECURITY_GROUP = "security_group"
    NETWORK_ACL = "network_acl"
    STORAGE_ACCOUNT = "storage_account"


class State(StrEnum):
    """Lifecycle state folded to the three buckets the dashboard counts."""

    RUNNING = "running"
    STOPPED = "stopped"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed edge from the asset that carries it to another asset.

    ``target_native_id`` is the provider's id of the other end (an instance id,
    a volume id, an ARN); the inventory resolves it to an asset when both exist.
    """

    kind: str
    target_native_id: str


@dataclass(slots=True)
class NormalizedAsset:
    """One resource as the platform sees it, whatever cloud it lives in."""

    provider: str
    native_id: str
    native_type: str
    category: Category
    region: str
    name: str | None
    state: State
    tags: dict[str, str] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnitKey:
    """The smallest piece of a discovery run that is listed fully or not at all."""

    region: str
    native_type: str


@dataclass(slots=True)
class UnitResult:
    """What listing one unit gave: its assets, or the error that stopped it.

    ``complete`` is true only when every page was read; only then may the
    inventory retire assets of this unit that were not seen.
    """

    key: UnitKey
    assets: list[NormalizedAsset] = field(default_factory=list)
    complete: bool = False
    error_code: str | None = None
    error_message: str | None = None
    api_calls: dict[str, int] = field(default_factory=dict)


class Collector(Protocol):
    """What discovery needs of a provider's collector (AWS, Azure, ...)."""

    provider: str

    async def verify(self) -> str:
        """The provider's id of the account; raises ``InvalidCredentialsError``."""
        ...

    async def regions(self) -> list[str]: ...

    def units(self, regions: Iterable[str]) -> list[UnitKey]: ...

    def collect_all(
        self, units: Iterable[UnitKey], concurrency: int
    ) -> AsyncIterator[UnitResult]: ...

    async def aclose(self) -> None: ...
