"""Small helpers for asset integration tests: register, discover, read everything back."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from tests.fixtures.azure import ArmStandIn

FINISHED = {"succeeded", "partial", "failed"}


async def register_aws(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    endpoint_url: str,
    *,
    name: str = "Production AWS",
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    access_key_id: str = "AKIAEXAMPLEKEY000001",
    secret_access_key: str = "testing-secret",
) -> dict[str, Any]:
    body = {
        "name": name,
        "provider": "aws",
        "credentials": {"access_key_id": access_key_id, "secret_access_key": secret_access_key},
        "endpoint_url": endpoint_url,
        "regions": list(regions),
    }
    response = await client.post("/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    account: dict[str, Any] = response.json()
    return account


async def register_azure(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    arm: ArmStandIn,
    *,
    name: str = "Azure production",
    **extra: Any,
) -> dict[str, Any]:
    """Register the stand-in's subscription with its service principal."""
    config = arm.server.config
    body = {
        "name": name,
        "provider": "azure",
        "credentials": {
            "tenant_id": config.tenant_id,
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "subscription_id": config.subscription_id,
        },
        "endpoint_url": arm.url,
        "auth_endpoint_url": arm.url,
        **extra,
    }
    response = await client.post("/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    account: dict[str, Any] = response.json()
    return account


async def discover(
    client: httpx.AsyncClient, headers: dict[str, str], account_id: str, timeout: float = 60.0
) -> dict[str, Any]:
    """Start a run and wait until it finishes; returns the finished run."""
    response = await client.post(f"/accounts/{account_id}/discoveries", headers=headers)
    assert response.status_code == 202, response.text
    return await wait_for_run(client, headers, response.json()["id"], timeout)


async def wait_for_run(
    client: httpx.AsyncClient, headers: dict[str, str], run_id: str, timeout: float = 20.0
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await client.get(f"/discoveries/{run_id}", headers=headers)
        run: dict[str, Any] = answer.json()
        if run["status"] in FINISHED:
            return run
        assert asyncio.get_running_loop().time() < deadline, f"run did not finish: {run}"
        await asyncio.sleep(0.1)


async def all_assets(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        query = {**params, "first": 200, **({"after": after} if after else {})}
        page = (await client.get("/assets", params=query, headers=headers)).json()
        items.extend(page["items"])
        if not page["page_info"]["has_next_page"]:
            return items
        after = page["page_info"]["end_cursor"]


def counts_by_region_type(assets: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((a["region"], a["native_type"]) for a in assets)
