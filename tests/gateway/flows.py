"""GraphQL documents and small flows shared by the gateway tests."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from tests.gateway.conftest import Gateway

SECRET = "gateway-test-secret-value"
ACCESS_KEY = "AKIAGATEWAYTEST00001"

ACCOUNT_FIELDS = """
id name provider authMethod endpointUrl authEndpointUrl regions nativeAccountId status statusReason
discoveryIntervalMinutes lastDiscoveryRequestedAt createdAt updatedAt
"""

REGISTER = f"""
mutation Register($input: RegisterCloudAccountInput!) {{
  registerCloudAccount(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""

START = """
mutation Start($accountId: ID!) {
  startDiscovery(accountId: $accountId) {
    run { id status progress { unitsTotal unitsDone unitsFailed fraction } }
    userErrors { code message field }
  }
}
"""

RUN = """
query Run($id: ID!) {
  discoveryRun(id: $id) {
    id status finished assetsFound assetsCreated
    progress { unitsTotal unitsDone unitsFailed fraction }
    failures { region nativeType errorCode errorMessage }
    account { id name }
  }
}
"""

ASSETS = """
query Assets($filter: AssetFilter, $first: Int!, $after: String) {
  assets(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id region nativeType state name tags { key value } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def register_input(endpoint_url: str, regions: tuple[str, ...], name: str) -> dict[str, Any]:
    return {
        "name": name,
        "credentials": {"aws": {"accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET}},
        "endpointUrl": endpoint_url,
        "regions": list(regions),
    }


async def register(
    gw: Gateway,
    endpoint_url: str,
    regions: tuple[str, ...],
    *,
    name: str = "Production AWS",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    variables = {"input": register_input(endpoint_url, regions, name)}
    body = await gw.query(REGISTER, variables, headers=headers)
    payload: dict[str, Any] = body["data"]["registerCloudAccount"]
    assert payload["userErrors"] == [], payload
    return dict(payload["account"])


async def discover(
    gw: Gateway, account_id: str, *, headers: dict[str, str] | None = None, timeout: float = 60
) -> dict[str, Any]:
    """Start a run through GraphQL and poll ``discoveryRun`` until it has finished."""
    started = await gw.query(START, {"accountId": account_id}, headers=headers)
    run_id = started["data"]["startDiscovery"]["run"]["id"]
    async with asyncio.timeout(timeout):
        while True:
            body = await gw.query(RUN, {"id": run_id}, headers=headers)
            run: dict[str, Any] = body["data"]["discoveryRun"]
            if run["finished"]:
                return run
            await asyncio.sleep(0.1)


async def all_assets(
    gw: Gateway,
    filter: dict[str, Any] | None = None,
    *,
    first: int = 50,
    headers: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every asset the filter matches, page by page, following ``endCursor``."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"filter": filter, "first": first, "after": after}
        body = await gw.query(ASSETS, variables, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]["assets"]
        nodes.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def asset_ids_by_native_id(
    gw: Gateway, filter: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
) -> dict[str, str]:
    """Native id -> Nephos id of every asset the filter matches (moto speaks native ids)."""
    document = """
    query Ids($filter: AssetFilter, $after: String) {
      assets(filter: $filter, first: 50, after: $after) {
        edges { node { id nativeId } }
        pageInfo { hasNextPage endCursor }
      }
    }
    """
    found: dict[str, str] = {}
    after = None
    while True:
        body = await gw.query(document, {"filter": filter, "after": after}, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]["assets"]
        found.update({e["node"]["nativeId"]: e["node"]["id"] for e in connection["edges"]})
        if not connection["pageInfo"]["hasNextPage"]:
            return found
        after = connection["pageInfo"]["endCursor"]


USER_ERRORS = "userErrors { code message field }"


def payload(body: dict[str, Any]) -> dict[str, Any]:
    """The payload of a one-field mutation that ran without a GraphQL error."""
    assert "errors" not in body, body
    (found,) = body["data"].values()
    result: dict[str, Any] = found
    return result


def error_codes(found: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(code, field) of each user error of a payload."""
    return [(e["code"], e["field"]) for e in found["userErrors"]]


def assert_forbidden(body: dict[str, Any], role: str = "operator") -> None:
    """Refused for want of ``role``: no data, one FORBIDDEN error naming the role."""
    assert body["data"] is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == f"this action needs the {role} role"


def moment(value: str | None) -> datetime | None:
    """A time as REST or GraphQL writes it (``Z`` or ``+00:00``), to compare the two."""
    return datetime.fromisoformat(value) if value else None
