"""Asset history, the change feed and relations both ways, through GraphQL.

The real asset service discovers moto; the estate is changed with boto3 in
between, as an operator would change it in the console.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import boto3

from nephos_devstack.aws_estate import seed_estate
from tests.gateway.conftest import Gateway
from tests.gateway.flows import asset_ids_by_native_id, discover, register

REGION = "us-east-1"

HISTORY = """
query History($id: ID!, $first: Int!, $after: String) {
  asset(id: $id) {
    state
    history(first: $first, after: $after) {
      edges { cursor node { assetId version change diff changedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

CHANGES = """
query Changes($filter: ChangeFilter, $first: Int!, $after: String) {
  changes(filter: $filter, first: $first, after: $after) {
    edges { node {
      assetId version change diff nativeId nativeType name accountId
      asset { id state } account { id }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

RELATED = """
query Related($id: ID!, $direction: RelationDirection!, $kind: String, $category: String) {
  asset(id: $id) {
    related(direction: $direction, kind: $kind, category: $category) {
      direction kind asset { id nativeId nativeType }
    }
  }
}
"""


def _ec2(url: str) -> Any:
    return boto3.client(
        "ec2", endpoint_url=url, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


async def _changes(
    gw: Gateway, filter: dict[str, Any], headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every entry of the feed the filter selects, following ``endCursor``."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"filter": filter, "first": 20, "after": after}
        body = await gw.query(CHANGES, variables, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]["changes"]
        nodes.extend(e["node"] for e in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def test_a_stopped_instance_shows_in_its_history_and_in_the_company_s_feed(
    gateway: Gateway, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    instance_id = manifest.estates[REGION].running_instance_ids[0]
    account = await register(gateway, fresh_moto, (REGION,))
    await discover(gateway, account["id"])
    before_change = datetime.now(UTC).isoformat()
    await asyncio.to_thread(_ec2(fresh_moto).stop_instances, InstanceIds=[instance_id])
    await discover(gateway, account["id"])
    asset_id = (await asset_ids_by_native_id(gateway, {"nativeType": "aws.ec2.instance"}))[
        instance_id
    ]

    newest = (await gateway.query(HISTORY, {"id": asset_id, "first": 1}))["data"]["asset"]
    after = newest["history"]["pageInfo"]["endCursor"]
    oldest = (await gateway.query(HISTORY, {"id": asset_id, "first": 5, "after": after}))["data"]
    feed = await _changes(gateway, {"since": before_change, "changes": ["changed"]})
    before = await _changes(gateway, {"until": before_change, "nativeType": "aws.ec2.instance"})
    globex = gateway.auth(tenant="globex")
    foreign = await _changes(gateway, {"accountId": account["id"]}, headers=globex)
    backwards = await gateway.query(
        CHANGES,
        {"filter": {"since": "2030-01-01T00:00:00Z", "until": "2020-01-01T00:00:00Z"}, "first": 5},
    )

    assert newest["state"] == "stopped"
    (latest,) = [e["node"] for e in newest["history"]["edges"]]
    assert (latest["version"], latest["change"]) == (2, "changed")
    assert latest["diff"]["state"] == {"old": "running", "new": "stopped"}
    assert newest["history"]["pageInfo"]["hasNextPage"] is True
    first_seen = [e["node"] for e in oldest["asset"]["history"]["edges"]]
    assert [(v["version"], v["change"]) for v in first_seen] == [(1, "appeared")]
    assert oldest["asset"]["history"]["pageInfo"]["hasNextPage"] is False

    stopped = [c for c in feed if c["nativeId"] == instance_id]
    assert len(stopped) == 1, feed
    assert stopped[0]["diff"]["state"] == {"old": "running", "new": "stopped"}
    assert stopped[0]["asset"] == {"id": asset_id, "state": "stopped"}
    assert stopped[0]["account"] == {"id": account["id"]}
    assert stopped[0]["nativeType"] == "aws.ec2.instance"
    assert {c["change"] for c in feed} == {"changed"}
    assert before and {c["change"] for c in before} == {"appeared"}
    assert instance_id in {c["nativeId"] for c in before}
    assert await _changes(gateway, {}, headers=globex) == foreign == []
    assert backwards["data"] is None
    assert backwards["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "invalid_window",
    }


async def test_relations_read_both_ways(gateway: Gateway, fresh_moto: str) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    estate = manifest.estates[REGION]
    account = await register(gateway, fresh_moto, (REGION,))
    await discover(gateway, account["id"])
    ids = await asset_ids_by_native_id(gateway)
    web_sg = estate.security_group_ids["web"]
    described = await asyncio.to_thread(
        _ec2(fresh_moto).describe_instances,
        Filters=[{"Name": "instance.group-id", "Values": [web_sg]}],
    )
    users_of_sg = {i["InstanceId"] for r in described["Reservations"] for i in r["Instances"]}

    used_by = await gateway.query(
        RELATED,
        {"id": ids[web_sg], "direction": "IN",
         "kind": "member_of_security_group", "category": "server"},
    )  # fmt: skip
    instance = estate.running_instance_ids[0]
    points_at = await gateway.query(RELATED, {"id": ids[instance], "direction": "OUT"})
    both = await gateway.query(RELATED, {"id": ids[web_sg], "direction": "BOTH"})

    links = used_by["data"]["asset"]["related"]
    assert {link["asset"]["nativeId"] for link in links} == users_of_sg
    assert {(link["direction"], link["kind"]) for link in links} == {
        ("IN", "member_of_security_group")
    }
    outgoing = {
        (r["kind"], r["asset"]["nativeType"]) for r in points_at["data"]["asset"]["related"]
    }
    assert ("attached_volume", "aws.ec2.volume") in outgoing
    assert ("in_subnet", "aws.ec2.subnet") in outgoing
    assert ("member_of_security_group", "aws.ec2.security_group") in outgoing
    ways = {link["direction"] for link in both["data"]["asset"]["related"]}
    assert ways == {"IN", "OUT"}  # the group is in a VPC (out) and used by instances (in)
