"""The gateway's network path to the services: aiohttp pools over real sockets.

Every other gateway test runs the services in-process through httpx
transports; here the asset and metering apps listen on 127.0.0.1 and the
gateway reaches them as it does in a deployment, and monitoring's address
has nobody listening: the portal home still shows assets and costs.
"""

from __future__ import annotations

import socket
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from nephos_gateway.clients.base import query_pairs
from nephos_gateway.main import create_app
from tests.fixtures.asset import AssetService
from tests.fixtures.infra import DatabaseFactory, running
from tests.fixtures.metering import MeteringService
from tests.gateway.conftest import enrol, gateway_settings, user_bearer
from tests.gateway.live import serving
from tests.metering.live import cost_row, insert_costs

HOME = """
query Home {
  assetSummary { productsTotal servers { total } }
  costSummary(from: "2024-05-01", to: "2024-05-31", groupBy: REGION) {
    items { key billedCost }
  }
  monitoringOverview { targetsTotal }
}
"""
BACKWARDS = """
query Backwards { costSummary(from: "2024-05-31", to: "2024-05-01") { items { key } } }
"""


def _closed_port() -> int:
    """A port nobody listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


async def _query(client: httpx.AsyncClient, headers: dict[str, str], doc: str) -> Any:
    answer = await client.post("/graphql", json={"query": doc}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_gateway_reaches_the_services_over_sockets_and_names_the_one_down(
    asset_service: AssetService, metering_service: MeteringService, databases: DatabaseFactory
) -> None:
    days = {date(2024, 5, d): Decimal(d) + Decimal("0.01") for d in range(1, 11)}
    rows = [
        cost_row(day, amount, None, region_id="eu-west-1" if day.day % 2 else "us-east-1")
        for day, amount in days.items()
    ]
    await insert_costs(metering_service, rows)
    nobody = f"http://127.0.0.1:{_closed_port()}"
    async with serving(asset_service.app) as asset_url, serving(metering_service.app) as meter:
        settings = gateway_settings(
            await databases.create("nephos_gateway"),
            asset_url=asset_url, metering_url=meter, monitoring_url=nobody,
        )  # fmt: skip
        app = create_app(settings)
        async with running(app, "http://gateway") as client:
            await enrol(app.state.database, "acme", "admin")
            headers = user_bearer(settings, "acme", "admin")
            home = await _query(client, headers, HOME)
            backwards = await _query(client, headers, BACKWARDS)

    direct = await asset_service.client.get("/summary", headers=asset_service.auth("acme"))
    assert home["data"]["assetSummary"]["productsTotal"] == direct.json()["products_total"]
    billed = {i["key"]: Decimal(i["billedCost"]) for i in home["data"]["costSummary"]["items"]}
    assert billed == {
        "eu-west-1": sum(v for d, v in days.items() if d.day % 2),
        "us-east-1": sum(v for d, v in days.items() if not d.day % 2),
    }
    assert home["data"]["monitoringOverview"] is None  # the rest of the page still answers
    (error,) = home["errors"]
    assert (error["path"], error["extensions"]["code"]) == (
        ["monitoringOverview"], "SERVICE_UNAVAILABLE",
    )  # fmt: skip
    assert backwards["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_query_parameters_are_encoded_as_the_in_process_path_encodes_them() -> None:
    given: dict[str, Any] = {
        "ids": "a,b",
        "daily": True,
        "first": 5,
        "region": ["x", "y"],
        "empty": None,
    }
    assert query_pairs(given) == [
        ("ids", "a,b"), ("daily", "true"), ("first", "5"), ("region", "x"), ("region", "y"),
        ("empty", ""),
    ]  # fmt: skip
    assert str(httpx.QueryParams(given)) == str(httpx.QueryParams(tuple(query_pairs(given))))
    assert query_pairs([("a", False)]) == [("a", "false")]
