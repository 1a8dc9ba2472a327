"""Authentication, roles, tenant isolation, query limits and error masking at the gateway."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from nephos_common.auth import issue_token
from nephos_devstack.aws_estate import seed_estate
from nephos_gateway.clients.asset import AssetClient
from tests.gateway.conftest import Gateway
from tests.gateway.flows import REGISTER, START, all_assets, discover, register, register_input

REGIONS = ("us-east-1",)


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_missing_or_invalid_token_is_unauthenticated(gateway: Gateway) -> None:
    other_key = gateway.settings.model_copy(update={"jwt_secret": "x" * 40})
    forged = issue_token(other_key, subject="mallory", tenant="acme")
    expired = issue_token(gateway.settings, subject="u", tenant="acme", ttl_seconds=-60)
    attempts: list[dict[str, str]] = [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {expired}"},
    ]
    for headers in attempts:
        body = await gateway.query("{ cloudAccounts { nodes { id } } }", headers=headers)
        assert body["data"] is None
        assert _codes(body) == ["UNAUTHENTICATED"], body
    assert gateway.asset.requests == []


async def test_roles_are_enforced_before_the_service_is_called(
    gateway: Gateway, fresh_moto: str
) -> None:
    variables = {"input": register_input(fresh_moto, REGIONS, "Prod")}
    for role in ("viewer", "operator"):
        body = await gateway.query(REGISTER, variables, headers=gateway.auth(role=role))
        assert body["data"] is None
        assert _codes(body) == ["FORBIDDEN"]
    viewer = await gateway.query(
        START, {"accountId": str(uuid.uuid4())}, headers=gateway.auth(role="viewer")
    )
    assert _codes(viewer) == ["FORBIDDEN"]
    assert gateway.asset.requests == []

    operator = await gateway.query(
        START, {"accountId": str(uuid.uuid4())}, headers=gateway.auth(role="operator")
    )
    errors = operator["data"]["startDiscovery"]["userErrors"]
    assert [e["code"] for e in errors] == ["ACCOUNT_NOT_FOUND"]


async def test_acting_for_a_foreign_company_is_forbidden(gateway: Gateway) -> None:
    headers = {**gateway.auth(tenant="acme"), "X-Nephos-Tenant": "globex"}
    body = await gateway.query("{ cloudAccounts { nodes { id } } }", headers=headers)
    assert _codes(body) == ["FORBIDDEN"]


async def test_domain_failures_are_user_errors(gateway: Gateway, fresh_moto: str) -> None:
    await register(gateway, fresh_moto, REGIONS, name="Prod")
    taken = await gateway.query(REGISTER, {"input": register_input(fresh_moto, REGIONS, "Prod")})
    bad_region = register_input(fresh_moto, ("mars-1",), "Other")
    invalid = await gateway.query(REGISTER, {"input": bad_region})

    assert taken["data"]["registerCloudAccount"] == {
        "account": None,
        "userErrors": [
            {"code": "ACCOUNT_NAME_TAKEN", "message": "an account named 'Prod' exists",
             "field": "input.name"}
        ],
    }  # fmt: skip
    errors = invalid["data"]["registerCloudAccount"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID_INPUT"]
    assert errors[0]["field"] == "input"
    assert "mars-1" in errors[0]["message"]


async def test_another_company_sees_nothing_of_the_first(gateway: Gateway, fresh_moto: str) -> None:
    await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    acme, globex = gateway.auth(tenant="acme"), gateway.auth(tenant="globex")
    account = await register(gateway, fresh_moto, REGIONS, headers=acme)
    run = await discover(gateway, account["id"], headers=acme)
    theirs = await register(gateway, fresh_moto, REGIONS, headers=globex)
    await discover(gateway, theirs["id"], headers=globex)
    acme_ids = {a["id"] for a in await all_assets(gateway, headers=acme)}
    globex_ids = {a["id"] for a in await all_assets(gateway, headers=globex)}
    acme_targets = await _relation_targets(gateway, acme)

    assert len(acme_ids) == len(globex_ids) > 0
    assert acme_ids.isdisjoint(globex_ids)
    assert acme_targets and acme_targets <= acme_ids
    assert await _relation_targets(gateway, globex) <= globex_ids
    probed = sorted(acme_targets)[:20]  # stays under the alias limit
    probe = " ".join(f'a{i}: asset(id: "{a}") {{ id }}' for i, a in enumerate(probed))
    foreign = await gateway.query(f"{{ {probe} }}", headers=globex)
    assert foreign["data"] == {f"a{i}": None for i in range(len(probed))}
    lookups = await gateway.query(
        "query($a: ID!, $r: ID!) { cloudAccount(id: $a) { id } discoveryRun(id: $r) { id } }",
        {"a": account["id"], "r": run["id"]},
        headers=globex,
    )
    assert lookups["data"] == {"cloudAccount": None, "discoveryRun": None}
    started = await gateway.query(START, {"accountId": account["id"]}, headers=globex)
    assert started["data"]["startDiscovery"]["run"] is None


async def _relation_targets(gateway: Gateway, headers: dict[str, str]) -> set[str]:
    """Ids of the assets that relations resolve to, through ``target`` (the DataLoader)."""
    document = "{ assets(first: 50) { edges { node { relations { target { id } } } } } }"
    body = await gateway.query(document, headers=headers)
    edges = body["data"]["assets"]["edges"]
    return {r["target"]["id"] for e in edges for r in e["node"]["relations"] if r["target"]}


def _nested(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"relations {{ target {{ {inner} }} }}"
    return f"{{ assets(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


@pytest.mark.parametrize(
    ("document", "limit"),
    [
        pytest.param(_nested(6), "depth", id="too-deep"),
        pytest.param(
            "{ " + " ".join(f"a{i}: cloudAccounts {{ nodes {{ id }} }}" for i in range(40)) + " }",
            "aliases",
            id="too-many-aliases",
        ),
        pytest.param(
            "{ cloudAccounts { nodes { " + " ".join(["id"] * 3000) + " } } }",
            "tokens",
            id="too-many-tokens",
        ),
    ],
)
async def test_abusive_documents_are_refused_before_execution(
    gateway: Gateway, document: str, limit: str
) -> None:
    body = await gateway.query(document)
    assert body.get("data") is None
    assert limit in body["errors"][0]["message"], body
    assert gateway.asset.requests == []


async def test_unexpected_failures_are_masked(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(self: AssetClient) -> list[Any]:
        raise RuntimeError("connection string postgres://admin:hunter2@db")

    monkeypatch.setattr(AssetClient, "list_accounts", explode)
    body = await gateway.query("{ cloudAccounts { nodes { id } } }")

    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in str(body)


async def test_bad_page_arguments_are_user_input_errors(gateway: Gateway) -> None:
    too_many = await gateway.query("{ assets(first: 100000) { pageInfo { hasNextPage } } }")
    garbage = await gateway.query('{ assets(after: "garbage") { pageInfo { hasNextPage } } }')
    assert _codes(too_many) == ["BAD_USER_INPUT"]
    assert _codes(garbage) == ["BAD_USER_INPUT"]
