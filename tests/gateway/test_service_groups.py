"""Service groups through GraphQL: rule and hand-picked members, summary, roles, tenancy."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from nephos_devstack.aws_estate import seed_estate
from tests.gateway.conftest import Gateway
from tests.gateway.flows import asset_ids_by_native_id, discover, register

REGION = "us-east-1"

GROUP_FIELDS = "id name description rule memberCount explicitMemberIds"

CREATE = f"""
mutation Create($input: CreateServiceGroupInput!) {{
  createServiceGroup(input: $input) {{
    serviceGroup {{ {GROUP_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

UPDATE = f"""
mutation Update($id: ID!, $input: UpdateServiceGroupInput!) {{
  updateServiceGroup(id: $id, input: $input) {{
    serviceGroup {{ {GROUP_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

ADD = """
mutation Add($id: ID!, $assetIds: [ID!]!) {
  addServiceGroupMembers(id: $id, assetIds: $assetIds) {
    serviceGroup { memberCount explicitMembers { id } }
    userErrors { code field }
  }
}
"""

REMOVE = """
mutation Remove($id: ID!, $assetId: ID!) {
  removeServiceGroupMember(id: $id, assetId: $assetId) {
    serviceGroup { memberCount explicitMemberIds }
    userErrors { code field }
  }
}
"""

DELETE = """
mutation Delete($id: ID!) {
  deleteServiceGroup(id: $id) { deletedId userErrors { code field } }
}
"""

GROUP = """
query Group($id: ID!, $after: String) {
  serviceGroup(id: $id) {
    name memberCount
    explicitMembers { id nativeType }
    members(first: 3, after: $after) {
      edges { node { id serviceGroups { id name } } }
      pageInfo { hasNextPage endCursor }
    }
    summary { productsTotal servers { total } }
  }
}
"""


async def _create(gw: Gateway, headers: dict[str, str] | None = None, **fields: Any) -> Any:
    body = await gw.query(CREATE, {"input": fields}, headers=headers)
    return body["data"]["createServiceGroup"] if body.get("data") else body


async def _members(gw: Gateway, group_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The group as first read, and every member node, paging by ``endCursor``."""
    first: dict[str, Any] = {}
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = await gw.query(GROUP, {"id": group_id, "after": after})
        assert "errors" not in body, body
        group = body["data"]["serviceGroup"]
        first = first or group
        nodes.extend(e["node"] for e in group["members"]["edges"])
        if not group["members"]["pageInfo"]["hasNextPage"]:
            return first, nodes
        after = group["members"]["pageInfo"]["endCursor"]


async def test_a_group_by_rule_lists_its_members_their_summary_and_their_groups(
    gateway: Gateway, fresh_moto: str
) -> None:
    await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    account = await register(gateway, fresh_moto, (REGION,))
    await discover(gateway, account["id"])
    web = set(
        (
            await asset_ids_by_native_id(gateway, {"tags": [{"key": "Name", "value": "web"}]})
        ).values()
    )
    bucket = next(
        iter((await asset_ids_by_native_id(gateway, {"nativeType": "aws.s3.bucket"})).values())
    )
    operator = gateway.auth(role="operator")

    created = await _create(
        gateway, operator, name="Ticketing", rule="Name=web AND env=demo", members=[bucket]
    )
    assert created["userErrors"] == []
    group = created["serviceGroup"]
    group_read, members = await _members(gateway, group["id"])

    assert (group["rule"], group["explicitMemberIds"]) == ("Name=web AND env=demo", [bucket])
    assert {m["id"] for m in members} == web | {bucket}
    assert group["memberCount"] == group_read["memberCount"] == len(web) + 1
    assert group_read["explicitMembers"] == [{"id": bucket, "nativeType": "aws.s3.bucket"}]
    assert group_read["summary"] == {"productsTotal": len(web) + 1, "servers": {"total": len(web)}}
    assert all(m["serviceGroups"] == [{"id": group["id"], "name": "Ticketing"}] for m in members)

    outsider = next(iter(set((await asset_ids_by_native_id(gateway)).values()) - web - {bucket}))
    added = await gateway.query(ADD, {"id": group["id"], "assetIds": [outsider]}, headers=operator)
    removed = await gateway.query(REMOVE, {"id": group["id"], "assetId": bucket}, headers=operator)
    renamed = await gateway.query(
        UPDATE, {"id": group["id"], "input": {"name": "Tickets", "description": "Sales"}}
    )
    listed = await gateway.query("{ serviceGroups { nodes { id name description memberCount } } }")

    assert added["data"]["addServiceGroupMembers"]["serviceGroup"]["memberCount"] == len(web) + 2
    assert removed["data"]["removeServiceGroupMember"]["serviceGroup"] == {
        "memberCount": len(web) + 1,
        "explicitMemberIds": [outsider],
    }
    assert renamed["data"]["updateServiceGroup"]["serviceGroup"]["rule"] == group["rule"]
    assert listed["data"]["serviceGroups"]["nodes"] == [
        {"id": group["id"], "name": "Tickets", "description": "Sales",
         "memberCount": len(web) + 1}
    ]  # fmt: skip

    deleted = await gateway.query(DELETE, {"id": group["id"]}, headers=operator)
    assert deleted["data"]["deleteServiceGroup"] == {"deletedId": group["id"], "userErrors": []}
    gone = await gateway.query(GROUP, {"id": group["id"]})
    assert gone["data"] == {"serviceGroup": None}


async def test_domain_failures_are_user_errors(gateway: Gateway) -> None:
    assert (await _create(gateway, name="Accounting", rule="Team=fin"))["userErrors"] == []

    bad_rule = await _create(gateway, name="X", rule="=oops")
    taken = await _create(gateway, name="Accounting")
    unknown = await _create(gateway, name="Y", members=[str(uuid.uuid4())])
    not_an_id = await _create(gateway, name="Z", members=["not-a-uuid"])
    missing = str(uuid.uuid4())
    no_group = await gateway.query(ADD, {"id": missing, "assetIds": [str(uuid.uuid4())]})

    assert bad_rule == {
        "serviceGroup": None,
        "userErrors": [
            {
                "code": "INVALID_RULE",
                "message": "cannot read '=oops' in rule",
                "field": "input.rule",
            }
        ],
    }
    assert [(e["code"], e["field"]) for e in taken["userErrors"]] == [
        ("GROUP_NAME_TAKEN", "input.name")
    ]
    assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [
        ("UNKNOWN_ASSETS", "input.members")
    ]
    assert [e["field"] for e in not_an_id["userErrors"]] == ["input.members.0"]
    assert no_group["data"]["addServiceGroupMembers"]["userErrors"] == [
        {"code": "GROUP_NOT_FOUND", "field": "id"}
    ]


async def test_viewers_read_groups_but_cannot_change_them(gateway: Gateway) -> None:
    viewer = gateway.auth(role="viewer")
    refused = await _create(gateway, viewer, name="Payments")
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert gateway.asset.requests == []

    group = (await _create(gateway, name="Payments"))["serviceGroup"]
    for document, variables in (
        (UPDATE, {"id": group["id"], "input": {"name": "P"}}),
        (DELETE, {"id": group["id"]}),
        (REMOVE, {"id": group["id"], "assetId": str(uuid.uuid4())}),
    ):
        body = await gateway.query(document, variables, headers=viewer)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    seen = await gateway.query("{ serviceGroups { nodes { name } } }", headers=viewer)
    assert seen["data"] == {"serviceGroups": {"nodes": [{"name": "Payments"}]}}


async def test_another_company_cannot_see_or_change_a_group(gateway: Gateway) -> None:
    group = (await _create(gateway, name="Payments", rule="Team=pay"))["serviceGroup"]
    globex = gateway.auth(tenant="globex")

    read = await gateway.query(GROUP, {"id": group["id"]}, headers=globex)
    listed = await gateway.query("{ serviceGroups { nodes { id } } }", headers=globex)
    changed = await gateway.query(
        UPDATE, {"id": group["id"], "input": {"rule": "Team=x"}}, headers=globex
    )
    deleted = await gateway.query(DELETE, {"id": group["id"]}, headers=globex)

    assert read["data"] == {"serviceGroup": None}
    assert listed["data"] == {"serviceGroups": {"nodes": []}}
    assert changed["data"]["updateServiceGroup"]["userErrors"][0]["code"] == "GROUP_NOT_FOUND"
    assert deleted["data"]["deleteServiceGroup"]["deletedId"] is None
    still = await gateway.query(GROUP, {"id": group["id"]})
    assert still["data"]["serviceGroup"]["name"] == "Payments"
