"""Relay connections over the lists services answer whole: pages, cursors, tenancy."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from graphql import GraphQLError

from nephos_gateway.schema import paging
from tests.fixtures.asset import AssetService
from tests.gateway.conftest import Gateway

GROUPS = """
query Groups($first: Int!, $after: String) {
  serviceGroups(first: $first, after: $after) {
    edges { cursor node { name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _groups(service: AssetService, tenant: str, *names: str) -> None:
    for name in names:
        body = {"name": name, "rule": f"Team={name.lower()}"}
        answer = await service.client.post(
            "/service-groups", json=body, headers=service.auth(tenant)
        )
        assert answer.status_code == 201, answer.text


async def _page(
    gw: Gateway, first: int, after: str | None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return await gw.query(GROUPS, {"first": first, "after": after}, headers=headers)


async def test_pages_follow_end_cursors_through_the_whole_list_with_one_call_each(
    gateway: Gateway, asset_service: AssetService
) -> None:
    await _groups(asset_service, "acme", "Delta", "Alpha", "Echo", "Charlie", "Bravo")
    names: list[str] = []
    after = None
    pages = 0
    while True:
        body = await _page(gateway, 2, after)
        assert "errors" not in body, body
        connection = body["data"]["serviceGroups"]
        names.extend(e["node"]["name"] for e in connection["edges"])
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert names == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert pages == 3
    listed = [r for r in gateway.asset.requests if r.url.path == "/service-groups"]
    assert len(listed) == pages


async def test_a_mid_page_cursor_resumes_after_its_edge(
    gateway: Gateway, asset_service: AssetService
) -> None:
    await _groups(asset_service, "acme", "Alpha", "Bravo", "Charlie", "Delta")
    first = await _page(gateway, 3, None)
    second_edge = first["data"]["serviceGroups"]["edges"][1]["cursor"]

    resumed = await _page(gateway, 3, second_edge)

    edges = resumed["data"]["serviceGroups"]["edges"]
    assert [e["node"]["name"] for e in edges] == ["Charlie", "Delta"]
    assert resumed["data"]["serviceGroups"]["pageInfo"]["hasNextPage"] is False


async def test_another_companys_cursor_and_forged_cursors_are_refused(
    gateway: Gateway, asset_service: AssetService
) -> None:
    await _groups(asset_service, "acme", "Alpha", "Bravo")
    await _groups(asset_service, "globex", "Globex One", "Globex Two")
    globex = gateway.auth("globex")
    globex_cursor = (await _page(gateway, 1, None, globex))["data"]["serviceGroups"]["pageInfo"][
        "endCursor"
    ]
    forged = base64.urlsafe_b64encode(b"c1:[null, 1]").decode()

    for cursor in (globex_cursor, forged, "garbage"):
        body = await _page(gateway, 1, cursor)
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "reason": "invalid_cursor",
        }, cursor

    own = await _page(gateway, 5, None, globex)
    assert [e["node"]["name"] for e in own["data"]["serviceGroups"]["edges"]] == [
        "Globex One",
        "Globex Two",
    ]


async def test_a_page_beyond_the_largest_is_refused(gateway: Gateway) -> None:
    body = await _page(gateway, gateway.settings.max_page_size + 1, None)
    assert body["errors"][0]["extensions"]["reason"] == "invalid_page_size"


async def test_a_cursor_still_resumes_after_its_item_when_newer_items_arrive() -> None:
    listed = [str(i) for i in range(6)]

    async def read(n: int) -> list[str]:
        return listed[:n]

    first = await paging.list_page(read, str, first=2, after=None, limit=10)
    listed.insert(0, "new")  # the list shifted by one since
    second = await paging.list_page(read, str, first=2, after=first.page_info.end_cursor, limit=10)
    listed.remove("1")  # the item a cursor names is gone

    assert [item for _, item in second.edges] == ["2", "3"]
    with pytest.raises(GraphQLError):
        await paging.list_page(read, str, first=2, after=first.page_info.end_cursor, limit=10)
