"""Relay connections of the lists the services answer whole (accounts, rules, alerts, ...).

Generic on purpose: strawberry names ``Connection[CloudAccount]``
``CloudAccountConnection`` (and its edges ``CloudAccountEdge``), so the SDL
reads like the hand-written connections of the keyset-paged lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from nephos_gateway.schema.paging import Page
from nephos_gateway.schema.types.common import PageInfo

N = TypeVar("N")
T = TypeVar("T")


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection(page: Page[T], node: Callable[[T], N]) -> Connection[N]:
    """The connection of a page of service answers, each turned into its GraphQL node."""
    edges = [Edge(cursor=cursor, node=node(item)) for cursor, item in page.edges]
    return Connection(edges=edges, page_info=page.page_info)
