"""An asset's history: one version per change the discovery saw, newest first.

Kept apart from ``assets`` and ``changes`` because it refers to neither: the
Asset type uses it for ``Asset.history`` without an import cycle.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from nephos_gateway.clients import asset_models as m
from nephos_gateway.schema.paging import Page
from nephos_gateway.schema.types.common import PageInfo

CHANGE_KINDS = "appeared, changed, disappeared or reappeared"


@strawberry.type(description="One version of an asset and what changed to make it.")
class AssetVersion:
    asset_id: strawberry.ID
    version: int
    change: str = strawberry.field(description=CHANGE_KINDS + ".")
    diff: JSON = strawberry.field(
        description=(
            "Per changed field, its old and new value, e.g. "
            '{"state": {"old": "running", "new": "stopped"}}; tags as added/removed/changed.'
        )
    )
    changed_at: datetime

    @classmethod
    def of(cls, v: m.AssetVersion) -> AssetVersion:
        return cls(
            asset_id=strawberry.ID(v.asset_id),
            version=v.version,
            change=v.change,
            diff=JSON(v.diff),
            changed_at=v.changed_at,
        )


@strawberry.type
class AssetVersionEdge:
    cursor: str
    node: AssetVersion


@strawberry.type
class AssetVersionConnection:
    edges: list[AssetVersionEdge]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[AssetVersion]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, page: Page[m.AssetVersion]) -> AssetVersionConnection:
        edges = [AssetVersionEdge(cursor=c, node=AssetVersion.of(v)) for c, v in page.edges]
        return cls(edges=edges, page_info=page.page_info)
