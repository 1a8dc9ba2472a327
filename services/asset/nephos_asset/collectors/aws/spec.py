"""The declarative shape of one AWS resource type and how it becomes an asset.

Modelled on Cloud Custodian's resource specs: what to call, where the items
are in each page, which field is the id, plus small functions for state,
details and relations. Adding a resource type means writing one such spec.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from nephos_asset.collectors.aws.fields import (
    Item,
    standard_tags,
    stateless,
)
from nephos_asset.collectors.base import Category, NormalizedAsset, Relation, State
from nephos_asset.collectors.readers import no_details, no_relations

PROVIDER = "aws"


class ClientSource(Protocol):
    """Where enrichers get their (shared) clients from."""

    async def client(self, service: str, region: str) -> Any: ...


Enricher = Callable[[ClientSource, str, list[Item]], Awaitable[None]]


@dataclass(frozen=True)
class ResourceSpec:
    """How to list one resource type and normalise each item.

    ``operation`` is the API name (``DescribeInstances``); ``result_path`` a
    JMESPath over each page. ``enrich`` runs extra calls only where the
    listing lacks needed data (S3 bucket region and tags, ELBv2 tags); it
    edits the items in place. ``region_field`` names an item field that
    overrides the unit's region (S3 buckets listed once, living anywhere).
    """

    native_type: str
    category: Category
    service: str
    operation: str
    result_path: str
    id_field: str
    name_field: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    paginated: bool = True
    is_global: bool = False
    region_field: str | None = None
    state: Callable[[Item], State] = stateless
    tags: Callable[[Item], dict[str, str]] = standard_tags
    details: Callable[[Item], dict[str, Any]] = no_details
    relations: Callable[[Item], list[Relation]] = no_relations
    enrich: Enricher | None = None

    def normalise(self, item: Item, region: str) -> NormalizedAsset:
        """One listed item as a provider-neutral asset."""
        tags = self.tags(item)
        name = tags.get("Name") or (item.get(self.name_field) if self.name_field else None)
        if self.region_field and item.get(self.region_field):
            region = item[self.region_field]
        return NormalizedAsset(
            provider=PROVIDER,
            native_id=str(item[self.id_field]),
            native_type=self.native_type,
            category=self.category,
            region=region,
            name=name or None,
            state=self.state(item),
            tags=tags,
            spec=self.details(item),
            relations=self.relations(item),
            raw=item,
        )
