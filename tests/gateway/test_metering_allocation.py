"""Asset.cost and ServiceGroup.cost through GraphQL: the figures of the bill rows of
each asset's resource, and one metering call per list whatever its size."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from nephos_common.messaging.envelope import Envelope
from nephos_devstack.aws_estate import seed_estate
from nephos_metering.allocation.consumer import handle
from tests.fixtures.metering import MeteringService
from tests.gateway.conftest import Gateway
from tests.gateway.flows import discover, register
from tests.metering.live import cost_row, discovered, group_named, insert_costs, membership

PERIOD = {"from": "2024-05-01", "to": "2024-05-31"}
CREATE_GROUP = """
mutation Group($input: CreateServiceGroupInput!) {
  createServiceGroup(input: $input) { serviceGroup { id } userErrors { code } }
}
"""
WITH_COSTS = """
query Costs($first: Int!, $from: Date, $to: Date) {
  assets(first: $first) {
    nodes {
      id nativeId nativeType
      cost(from: $from, to: $to) { from to totals { currency billedCost } daily { day billedCost } }
    }
  }
  serviceGroups(first: $first) {
    nodes {
      id name
      cost(from: $from, to: $to) {
        totals { currency billedCost } byService { service billedCost } daily { day billedCost }
      }
    }
  }
}
"""


async def _project(service: MeteringService, *envelopes: Envelope) -> None:
    """Feed asset events to metering's own consumer, as NATS does between the services."""
    for envelope in envelopes:
        async with service.app.state.database.transaction() as session:
            await handle(session, envelope)


async def _inventory(gw: Gateway, moto: str) -> list[dict[str, Any]]:
    await asyncio.to_thread(seed_estate, moto, ("us-east-1",))
    account = await register(gw, moto, ("us-east-1",))
    await discover(gw, account["id"])
    body = await gw.query("query { assets(first: 50) { nodes { id nativeId nativeType } } }")
    assert "errors" not in body, body
    nodes: list[dict[str, Any]] = body["data"]["assets"]["nodes"]
    return [n for n in nodes if n["nativeType"] == "aws.ec2.instance"]


def _rows_of(instances: list[dict[str, Any]]) -> dict[str, list[Decimal]]:
    """Per instance id: its cost on the 3rd and 4th of May, different per instance."""
    return {
        i["id"]: [Decimal(f"{n + 1}.{day}1") for day in (3, 4)] for n, i in enumerate(instances)
    }


async def _groups(gw: Gateway, instances: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Two groups through GraphQL: the first instance alone, and every instance."""
    wanted = {"one": [instances[0]["id"]], "all": [i["id"] for i in instances]}
    groups: dict[str, list[str]] = {}
    for name, members in wanted.items():
        variables = {"input": {"name": name, "members": members}}
        created = await gw.query(CREATE_GROUP, variables)
        groups[created["data"]["createServiceGroup"]["serviceGroup"]["id"]] = members
    return groups


async def test_asset_and_group_costs_cost_one_metering_call_per_list(
    observed_gateway: Gateway, metering_service: MeteringService, fresh_moto: str
) -> None:
    gw = observed_gateway
    instances = await _inventory(gw, fresh_moto)
    assert len(instances) >= 2
    amounts = _rows_of(instances)
    rows = [
        cost_row(date(2024, 5, 3 + k), amount, i["nativeId"])
        for i in instances
        for k, amount in enumerate(amounts[i["id"]])
    ]
    await insert_costs(metering_service, rows)
    groups = await _groups(gw, instances)
    assets = [discovered(asset_id=uuid.UUID(i["id"]), native_id=i["nativeId"]) for i in instances]
    memberships = [membership(uuid.UUID(g), members, []) for g, members in groups.items()]
    names = [group_named(uuid.UUID(g), "named in metering") for g in groups]
    await _project(metering_service, *assets, *names, *memberships)

    assert gw.metering is not None
    sent: list[list[str]] = []
    body: dict[str, Any] = {}
    for first in (2, 50):
        gw.metering.requests.clear()
        body = await gw.query(WITH_COSTS, {"first": first, **PERIOD})
        assert "errors" not in body, body
        sent.append(sorted(r.url.path for r in gw.metering.requests))

    assert sent == [["/asset-costs", "/service-group-costs"]] * 2
    for node in body["data"]["assets"]["nodes"]:
        if node["id"] not in amounts:
            assert node["cost"] is None  # metering was never told about it
            continue
        cost = node["cost"]
        assert (cost["from"], cost["to"]) == ("2024-05-01", "2024-05-31")
        assert cost["totals"] == [{"currency": "USD", "billedCost": str(sum(amounts[node["id"]]))}]
        assert [(d["day"], Decimal(d["billedCost"])) for d in cost["daily"]] == [
            ("2024-05-03", amounts[node["id"]][0]),
            ("2024-05-04", amounts[node["id"]][1]),
        ]
    for node in body["data"]["serviceGroups"]["nodes"]:
        expected = sum((sum(amounts[a]) for a in groups[node["id"]]), Decimal(0))
        cost = node["cost"]
        assert [Decimal(t["billedCost"]) for t in cost["totals"]] == [expected]
        assert [Decimal(s["billedCost"]) for s in cost["byService"]] == [expected]
        assert sum(Decimal(d["billedCost"]) for d in cost["daily"]) == expected

    theirs = await gw.query(WITH_COSTS, {"first": 5, **PERIOD}, headers=gw.auth("globex"))
    assert theirs["data"] == {"assets": {"nodes": []}, "serviceGroups": {"nodes": []}}
