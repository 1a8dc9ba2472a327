"""Edge cursors over the asset service's page cursors.

The service returns one cursor per page (after its last item), while Relay
wants one per edge. An edge cursor here is the service's cursor that the page
started from plus how many items of that page lie before the point, wrapped
in base64: opaque to clients, and the service's own cursor is passed back to
it untouched. Paging by ``endCursor`` (the usual case) costs nothing extra:
the last edge carries the service's end cursor with nothing to skip.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from graphql import GraphQLError

PREFIX = "c1:"


@dataclass(frozen=True)
class Position:
    """Where a page starts: after the service cursor ``after``, skipping ``skip`` items."""

    after: str | None
    skip: int = 0


def encode(position: Position) -> str:
    raw = PREFIX + json.dumps([position.after, position.skip], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode(cursor: str | None, *, max_skip: int) -> Position:
    """The position a client's ``after`` names; a cursor we did not make is the caller's error."""
    if cursor is None:
        return Position(after=None)
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        after, skip = json.loads(raw.removeprefix(PREFIX)) if raw.startswith(PREFIX) else (None, -1)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        after, skip = None, -1
    valid_after = after is None or isinstance(after, str)
    if not valid_after or not isinstance(skip, int) or not 0 <= skip <= max_skip:
        raise invalid()
    return Position(after=after, skip=skip)


def invalid() -> GraphQLError:
    """The caller's error for a cursor that does not name a place in its list."""
    return GraphQLError(
        "cursor is not valid", extensions={"code": "BAD_USER_INPUT", "reason": "invalid_cursor"}
    )


def edge_cursors(start: Position, count: int, end_cursor: str | None) -> list[str]:
    """One cursor per item of a page that began at ``start``; the last uses the service's."""
    cursors = [encode(Position(start.after, start.skip + i + 1)) for i in range(count)]
    if cursors and end_cursor is not None:
        cursors[-1] = encode(Position(end_cursor, 0))
    return cursors
