"""Edge cursors: opaque, round-tripping, and refused when forged."""

from __future__ import annotations

import base64

import pytest
from graphql import GraphQLError

from nephos_gateway.schema import cursors
from nephos_gateway.schema.cursors import Position


def test_edge_cursors_resume_inside_a_page_and_end_on_the_service_cursor() -> None:
    start = Position(after="svc-cursor-1", skip=2)
    found = cursors.edge_cursors(start, 3, end_cursor="svc-cursor-2")

    decoded = [cursors.decode(c, max_skip=10) for c in found]
    assert decoded == [
        Position("svc-cursor-1", 3),
        Position("svc-cursor-1", 4),
        Position("svc-cursor-2", 0),
    ]
    assert all("svc-cursor" not in c for c in found)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        base64.urlsafe_b64encode(b"c1:[null, 99]").decode(),
        base64.urlsafe_b64encode(b'c1:[{"sql": 1}, 0]').decode(),
        base64.urlsafe_b64encode(b"[null, 0]").decode(),
    ],
)
def test_cursors_we_did_not_make_are_refused(cursor: str) -> None:
    with pytest.raises(GraphQLError) as caught:
        cursors.decode(cursor, max_skip=10)
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "reason": "invalid_cursor"}
