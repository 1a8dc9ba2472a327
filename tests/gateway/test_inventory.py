"""Discovery and inventory through GraphQL, against the real asset service and moto."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport

from nephos_common.auth import TokenVerifier
from nephos_devstack.aws_estate import EstateManifest, seed_estate
from tests.gateway.conftest import Gateway
from tests.gateway.flows import (
    ACCESS_KEY,
    ASSETS,
    REGISTER,
    SECRET,
    all_assets,
    asset_ids_by_native_id,
    discover,
    register,
    register_input,
)

REGIONS = ("us-east-1", "eu-west-1")
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"

SUMMARY = """
query Summary($provider: String) {
  assetSummary(provider: $provider) {
    servers { total running stopped other onDemand { total } autoScaling { total } }
    databases { total storageGb }
    products { nativeType count }
    productsTotal
    vendors { provider servers { total } network { privateNetworks publicIps loadBalancers } }
  }
}
"""

TEST_ACCOUNT = """
mutation Test($id: ID!) {
  testCloudAccount(id: $id) { test { ok nativeAccountId errorCode } userErrors { code } }
}
"""

WITH_RELATIONS = """
query Related($first: Int!) {
  assets(first: $first) {
    edges { node {
      id nativeType account { id name } serviceGroups { id name }
      relations { kind targetId target { id nativeType account { id } } }
    } }
  }
}
"""

CREATE_GROUP = """
mutation Group($input: CreateServiceGroupInput!) {
  createServiceGroup(input: $input) { serviceGroup { id } userErrors { code } }
}
"""


async def _register_with_gql(gw: Gateway, endpoint_url: str) -> dict[str, Any]:
    """Through a real GraphQL client that validates the document against schema.graphql."""
    transport = HTTPXAsyncTransport(
        url="http://gateway/graphql",
        headers=gw.auth(),
        transport=httpx.ASGITransport(app=gw.app),
    )
    await gw.enrol_pending()
    client = Client(transport=transport, schema=SCHEMA_FILE.read_text())
    async with client as session:
        request = GraphQLRequest(
            REGISTER, variable_values={"input": register_input(endpoint_url, REGIONS, "Prod")}
        )
        result = await session.execute(request)
    payload: dict[str, Any] = result["registerCloudAccount"]
    assert payload["userErrors"] == []
    return dict(payload["account"])


def _by_type(manifest: EstateManifest) -> Counter[str]:
    counts: Counter[str] = Counter()
    for (_, native_type), n in manifest.expected.items():
        counts[native_type] += n
    return counts


async def test_discovery_through_graphql_matches_the_seeded_estate(
    gateway: Gateway, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    account = await _register_with_gql(gateway, fresh_moto)
    assert account["status"] == "unverified"

    tested = await gateway.query(TEST_ACCOUNT, {"id": account["id"]})
    assert tested["data"]["testCloudAccount"]["test"]["ok"] is True
    run = await discover(gateway, account["id"])

    assert run["status"] == "succeeded", run
    assert run["progress"]["unitsFailed"] == 0
    assert run["progress"]["fraction"] == 1.0
    assert run["assetsCreated"] == manifest.total
    assert run["account"] == {"id": account["id"], "name": "Prod"}
    assets = await all_assets(gateway, first=gateway.settings.max_page_size)
    assert Counter((a["region"], a["nativeType"]) for a in assets) == manifest.expected

    summary = (await gateway.query(SUMMARY, {"provider": "aws"}))["data"]["assetSummary"]
    by_type = _by_type(manifest)
    assert {p["nativeType"]: p["count"] for p in summary["products"]} == dict(by_type)
    assert summary["productsTotal"] == manifest.total
    assert summary["servers"]["total"] == by_type["aws.ec2.instance"]
    assert summary["vendors"][0]["provider"] == "aws"

    everything = "\n".join(gateway.responses)
    assert SECRET not in everything
    assert ACCESS_KEY not in everything


async def test_filters_and_cursors_page_through_the_inventory(
    gateway: Gateway, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    account = await register(gateway, fresh_moto, REGIONS)
    await discover(gateway, account["id"])

    in_region = await all_assets(gateway, {"region": "eu-west-1"}, first=7)
    expected_region = sum(n for (r, _), n in manifest.expected.items() if r == "eu-west-1")
    assert len(in_region) == expected_region
    assert len({a["id"] for a in in_region}) == expected_region
    instances = await all_assets(
        gateway, {"nativeType": "aws.ec2.instance", "accountId": account["id"]}
    )
    assert len(instances) == _by_type(manifest)["aws.ec2.instance"]
    running = await all_assets(gateway, {"nativeType": "aws.ec2.instance", "state": "running"})
    assert 0 < len(running) < len(instances)

    first = (await gateway.query(ASSETS, {"first": 6}))["data"]["assets"]
    ids = [e["node"]["id"] for e in first["edges"]]
    middle = first["edges"][1]["cursor"]
    resumed = (await gateway.query(ASSETS, {"first": 3, "after": middle}))["data"]["assets"]
    assert [e["node"]["id"] for e in resumed["edges"]] == ids[2:5]
    assert resumed["pageInfo"]["hasNextPage"] is True


async def test_relations_and_groups_resolve_in_a_constant_number_of_requests(
    gateway: Gateway, fresh_moto: str
) -> None:
    """Per level of nesting one batch read: /assets, /assets/batch, /accounts,
    /service-groups/memberships and /service-groups, whatever the page size."""
    await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    account = await register(gateway, fresh_moto, REGIONS)
    await discover(gateway, account["id"])
    everything = list((await asset_ids_by_native_id(gateway)).values())
    groups: dict[str, str] = {}
    for name, rule, members in (
        ("Demo", "env=demo", None),
        ("Web", "Name=web", None),
        ("Everything", None, everything),  # so that any page has assets in groups
    ):
        variables = {"input": {"name": name, "rule": rule, "members": members}}
        created = await gateway.query(CREATE_GROUP, variables)
        groups[created["data"]["createServiceGroup"]["serviceGroup"]["id"]] = name

    sent: list[int] = []
    nodes: list[dict[str, Any]] = []
    for first in (3, gateway.settings.max_page_size):
        before = len(gateway.asset.requests)
        body = await gateway.query(WITH_RELATIONS, {"first": first})
        assert "errors" not in body, body
        sent.append(len(gateway.asset.requests) - before)
        nodes = [e["node"] for e in body["data"]["assets"]["edges"]]

    assert sent[0] == sent[1] <= 5, sent
    paths = {r.url.path for r in gateway.asset.requests[-sent[1] :]}
    assert {"/service-groups/memberships", "/service-groups"} <= paths
    relations = [r for n in nodes for r in n["relations"] if r["targetId"]]
    assert relations, "the seeded estate has relations"
    for relation in relations:
        assert relation["target"]["id"] == relation["targetId"]
        assert relation["target"]["account"] == {"id": account["id"]}
    assert all(n["account"]["id"] == account["id"] for n in nodes)
    assert all(g["name"] == groups[g["id"]] for n in nodes for g in n["serviceGroups"])
    assert all("Everything" in {g["name"] for g in n["serviceGroups"]} for n in nodes)


async def test_caller_identity_and_trace_are_forwarded(gateway: Gateway) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = {
        **gateway.auth(tenant="acme", role="viewer"),
        "X-Request-ID": "req-gateway-test",
        "traceparent": f"00-{trace}-00f067aa0ba902b7-01",
    }
    body = await gateway.query("{ cloudAccounts { nodes { id } } }", headers=headers)

    assert body["data"] == {"cloudAccounts": {"nodes": []}}
    sent = gateway.asset.requests[-1]
    # Not the user's token: the company and role the gateway decided, signed for the services.
    forwarded = sent.headers["Authorization"].removeprefix("Bearer ")
    assert forwarded != headers["Authorization"].removeprefix("Bearer ")
    assert TokenVerifier.is_internal(forwarded)
    assert sent.headers["X-Nephos-Tenant"] == "acme"
    assert sent.headers["X-Request-ID"] == "req-gateway-test"
    assert sent.headers["traceparent"].split("-")[1] == trace
