"""The query cost limit: lists multiply, costly documents are refused before any service call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from nephos_gateway.main import create_app
from tests.fixtures.asset import AssetService
from tests.fixtures.infra import DatabaseFactory, running
from tests.gateway.conftest import Gateway, counting, gateway_settings

MAX_COST = 500

CHEAP = "{ assets(first: 5) { edges { node { id name } } } }"
"""1 + 5 x (edges 1 + node 1 x (id + name))  =  1 + 5 x 3  =  16."""

NESTED = """
query Nested($n: Int!) {
  assets(first: $n) { edges { node { id history(first: $n) { edges { node { version } } } } } }
}
"""


def nested_cost(n: int) -> int:
    history = 1 + n * (1 + (1 + 1))  # history: n x (edges + node x version)
    return 1 + n * (1 + (1 + 1 + history))  # assets: n x (edges + node x (id + history))


FRAGMENTS = """
fragment Versions on Asset { history(first: 50) { nodes { version change } } }
query { assets(first: 50) { nodes { id ...Versions } } }
"""


@pytest.fixture
async def costly_gateway(
    asset_service: AssetService, databases: DatabaseFactory
) -> AsyncIterator[Gateway]:
    settings = gateway_settings(await databases.create("nephos_gateway"), max_query_cost=MAX_COST)
    counter = counting(asset_service.app)
    app = create_app(settings, transports={"asset": counter})
    async with running(app, "http://gateway") as client:
        gateway = Gateway(client=client, settings=settings, app=app, asset=counter)
        gateway.auth()  # the default caller, put in the directory before the first query
        await gateway.enrol_pending()
        yield gateway


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


async def test_a_cheap_query_runs(costly_gateway: Gateway) -> None:
    body = await costly_gateway.query(CHEAP)

    assert "errors" not in body, body
    assert body["data"]["assets"]["edges"] == []
    assert costly_gateway.asset.requests  # it did reach the service


async def test_nested_pages_multiply_and_are_refused_before_any_service_call(
    costly_gateway: Gateway,
) -> None:
    gw = costly_gateway

    refused = await gw.query(NESTED, {"n": 20})
    allowed = await gw.query(NESTED, {"n": 3})

    assert nested_cost(20) > MAX_COST > nested_cost(3)
    assert _refusal(refused) == {
        "code": "QUERY_TOO_COSTLY",
        "cost": nested_cost(20),
        "maxCost": MAX_COST,
    }
    assert "errors" not in allowed, allowed
    assert len(gw.asset.requests) == 1  # only the allowed query reached the asset service
    # Verdicts are kept per query and variables: each pair keeps its own, both ways.
    assert _refusal(await gw.query(NESTED, {"n": 20}))["cost"] == nested_cost(20)
    assert "errors" not in await gw.query(NESTED, {"n": 3})
    assert _refusal(await gw.query(NESTED, {"n": 19}))["cost"] == nested_cost(19)


async def test_fragments_count_and_an_omitted_first_counts_as_its_default(
    costly_gateway: Gateway,
) -> None:
    gw = costly_gateway

    through_fragment = await gw.query(FRAGMENTS)
    without_variable = await gw.query(NESTED.replace("($n: Int!)", "($n: Int)"), {})

    # assets: 1 + 50 x (nodes 1 x (id + history: 1 + 50 x (nodes 1 x 2 fields)))
    assert _refusal(through_fragment)["cost"] == 1 + 50 * (1 + 1 + (1 + 50 * (1 + 2)))
    # assets by default 50, history by default 20
    assert _refusal(without_variable)["cost"] == 1 + 50 * (3 + (1 + 3 * 20))
    assert gw.asset.requests == []


async def test_the_cost_limit_keeps_the_depth_limit(costly_gateway: Gateway) -> None:
    deep = "{ assets { edges { node { " + "serviceGroups { members { nodes { " * 4 + "id"
    deep += " } } }" * 4 + " } } } }"

    body = await costly_gateway.query(deep)

    assert body.get("data") is None
    assert any("depth" in e["message"] for e in body["errors"]), body


async def test_monitoring_lists_count_their_page_and_their_items(costly_gateway: Gateway) -> None:
    """Incidents page by ``first``; an incident's timeline and an asset's monitoring lists,
    which have no ``first``, count as ``list_size`` (10) items each."""
    incidents = "{ incidents(first: 50) { nodes { id timeline { kind at } } } }"
    per_asset = (
        "{ assets(first: 20) { nodes { id incidents { id } latestMetrics { metric value } } } }"
    )

    by_incident = await costly_gateway.query(incidents)
    by_asset = await costly_gateway.query(per_asset)

    assert _refusal(by_incident)["cost"] == 1 + 50 * (1 + 1 + (1 + 10 * 2))
    assert _refusal(by_asset)["cost"] == 1 + 20 * (1 + 1 + (1 + 10 * 1) + (1 + 10 * 2))
    assert costly_gateway.asset.requests == []


async def test_deliveries_and_collection_jobs_count_their_page_and_their_items(
    costly_gateway: Gateway,
) -> None:
    """Deliveries and collection jobs page by ``first``; a delivery's attempts, which have
    no ``first``, count as ``list_size`` (10) items each."""
    deliveries = "{ notificationDeliveries(first: 30) { nodes { id attempts { number ok } } } }"
    job = "id status trigger provider targets apiCalls pointsStored account { id name }"
    jobs = f"{{ metricCollectionJobs(first: 50) {{ nodes {{ {job} }} }} }}"

    by_delivery = await costly_gateway.query(deliveries)
    by_job = await costly_gateway.query(jobs)

    assert _refusal(by_delivery)["cost"] == 1 + 30 * (1 + (1 + (1 + 10 * 2)))
    assert _refusal(by_job)["cost"] == 1 + 50 * (1 + (7 + (1 + 2)))
    assert costly_gateway.asset.requests == []
