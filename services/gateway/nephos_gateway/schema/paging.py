"""Relay pages over the service's keyset pages, shared by every connection field.

Every list endpoint of the asset service pages the same way (``first``,
``after``, one ``end_cursor`` per page), so one helper turns any of them into
edges with per-edge cursors (see ``cursors``); the connection types stay
plain, explicit Strawberry types so that the SDL reads naturally.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from graphql import GraphQLError

from nephos_gateway.clients import asset_models as m
from nephos_gateway.schema import cursors
from nephos_gateway.schema.types.common import PageInfo

T = TypeVar("T")


def page_size(first: int, limit: int) -> int:
    """The caller's page size, refused (not clamped) beyond the limit so nobody is surprised."""
    if not 1 <= first <= limit:
        raise GraphQLError(
            f"first must be between 1 and {limit}",
            extensions={"code": "BAD_USER_INPUT", "reason": "invalid_page_size"},
        )
    return first


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items of one Relay page, each with its edge cursor, and the page info."""

    edges: list[tuple[str, T]]
    page_info: PageInfo


async def fetch_page(
    fetch: Callable[[int, str | None], Awaitable[tuple[Sequence[T], m.PageInfo]]],
    *,
    first: int,
    after: str | None,
    limit: int,
) -> Page[T]:
    """Ask the service for the page a Relay ``(first, after)`` names; ``fetch(n, cursor)``.

    A cursor from the middle of an earlier page means asking from that page's
    start and skipping the items already seen.
    """
    size = page_size(first, limit)
    start = cursors.decode(after, max_skip=limit)
    items, info = await fetch(size + start.skip, start.after)
    kept = list(items[start.skip :])
    edge_cursors = cursors.edge_cursors(start, len(kept), info.end_cursor)
    edges = list(zip(edge_cursors, kept, strict=True))
    return Page(
        edges=edges,
        page_info=PageInfo(
            has_next_page=info.has_next_page, end_cursor=edges[-1][0] if edges else after
        ),
    )


MAX_LIST_OFFSET = 100_000
"""Deepest position a cursor over a whole-list answer may name."""


async def list_page(
    fetch: Callable[[int], Awaitable[Sequence[T]]],
    key: Callable[[T], str],
    *,
    first: int,
    after: str | None,
    limit: int,
) -> Page[T]:
    """A Relay page over a service answer that is a whole (or newest-N) list, not keyset pages.

    ``fetch(n)`` returns at least the first ``n`` items when there are that
    many (endpoints that answer everything may ignore ``n``). An edge cursor
    names the item's key and the position after it; resuming checks that the
    key is still there (moving to it if the list shifted), so a cursor of
    another company's list, or a made-up one, names nothing and is refused.
    """
    size = page_size(first, limit)
    start = cursors.decode(after, max_skip=MAX_LIST_OFFSET)
    items = await fetch(start.skip + size + 1)
    begin = _resume(items, key, start)
    kept = list(items[begin : begin + size])
    edges = [
        (cursors.encode(cursors.Position(key(item), begin + i + 1)), item)
        for i, item in enumerate(kept)
    ]
    return Page(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(items) > begin + size, end_cursor=edges[-1][0] if edges else after
        ),
    )


def _resume(items: Sequence[T], key: Callable[[T], str], start: cursors.Position) -> int:
    """Where the page after ``start`` begins: just after the item the cursor names."""
    if start.after is None and start.skip == 0:
        return 0
    at = start.skip - 1
    if start.after is not None and 0 <= at < len(items) and key(items[at]) == start.after:
        return start.skip
    found = next((i for i, item in enumerate(items) if key(item) == start.after), None)
    if found is None:
        raise cursors.invalid()
    return found + 1
