"""The declarative shape of one Azure resource type and how it becomes an asset.

The same idea as the AWS specs: which management client and list operation
to call, plus small functions for state, details and relations, all reading
the resource's ARM JSON (``{"id", "name", "location", "tags",
"properties": {...}}``) rather than SDK model objects, so a spec reads like
the REST reference and does not depend on how an SDK version names things.

Azure lists per subscription, not per region, so every type is one unit in
region ``global`` and each asset carries its own ``location``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from nephos_asset.collectors.azure.fields import (
    Item,
    arm_id,
    everything,
    parent_of,
    provisioning_state,
    region_of,
    resource_group,
    tags_of,
)
from nephos_asset.collectors.base import Category, NormalizedAsset, Relation, State
from nephos_asset.collectors.readers import no_details, no_relations

PROVIDER = "azure"


class Lister(Protocol):
    """What specs and enrichers list through: the collector's shared clients."""

    async def list_items(
        self, client: str, operation: str, *args: Any, **params: Any
    ) -> list[Item]: ...


Enricher = Callable[[Lister, list[Item]], Awaitable[None]]


def by_parent_name(parent: Item) -> tuple[str, ...]:
    """Positional arguments of most child listings: (resource group, parent name)."""
    return resource_group(parent["id"]), parent["name"]


@dataclass(frozen=True)
class ChildListing:
    """A list call made once per listed parent, when no subscription-wide call exists.

    SQL databases are listed per server, scale-set VMs per scale set: one
    call per parent is the only way ARM offers.
    """

    operation: str
    args: Callable[[Item], tuple[str, ...]] = by_parent_name
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceSpec:
    """How to list one resource type and normalise each item.

    ``client`` names a management client (see ``clients.CLIENTS``) and
    ``operation`` its list method (``virtual_machines.list_all``). With
    ``children`` the listed items are only parents of the assets; with
    ``nested`` the assets sit inside each listed item (subnets in their
    VNet). ``keep`` drops items that are not assets (system databases);
    ``enrich`` adds data other calls hold, editing items in place.
    """

    native_type: str
    category: Category
    client: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)
    children: ChildListing | None = None
    nested: Callable[[Item], list[Item]] | None = None
    keep: Callable[[Item], bool] = everything
    state: Callable[[Item], State] = provisioning_state
    details: Callable[[Item], dict[str, Any]] = no_details
    relations: Callable[[Item], list[Relation]] = no_relations
    enrich: Enricher | None = None

    @property
    def call_name(self) -> str:
        """How API calls of the main listing are counted (``compute.disks.list``)."""
        return f"{self.client}.{self.operation}"

    def normalise(self, item: Item) -> NormalizedAsset:
        """One listed item as a provider-neutral asset."""
        native_id = arm_id(item["id"])
        assert native_id is not None
        return NormalizedAsset(
            provider=PROVIDER,
            native_id=native_id,
            native_type=self.native_type,
            category=self.category,
            region=region_of(item),
            name=item.get("name") or None,
            state=self.state(item),
            tags=tags_of(item),
            spec=self.details(item),
            relations=self.relations(item),
            raw=item,
        )


def nested_in(path: str) -> Callable[[Item], list[Item]]:
    """Reader of child resources embedded in a parent's ``properties``.

    Embedded children carry no location of their own; they get the parent's.
    """

    def children(parent: Item) -> list[Item]:
        found = parent.get("properties", {}).get(path) or []
        return [{**child, "location": parent.get("location")} for child in found]

    return children


def parent_relation(kind: str, levels: int = 1) -> Callable[[Item], list[Relation]]:
    """A relation from a child resource to the parent its id is nested in."""
    return lambda item: [Relation(kind, arm_id(parent_of(item["id"], levels)) or "")]
