"""``python -m nephos_devstack demo``: the stack plus fake AWS and Azure estates, discovered once.

moto runs in server mode inside the devstack process (the real AWS wire
protocol over HTTP) and the ARM stand-in serves an Azure subscription; each is
seeded over two regions and registered through the asset REST API like a real
account would be, so the demo exercises the same path as production.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from nephos_common.auth import issue_token
from nephos_devstack.arm_server import ArmConfig, ArmServer, running_arm_server, seed_azure_estate
from nephos_devstack.aws_estate import seed_estate
from nephos_devstack.config import ASSET
from nephos_devstack.devsecrets import token_settings
from nephos_devstack.moto_server import running_moto
from nephos_devstack.run import Stack, say

REGIONS = ("us-east-1", "eu-west-1")
LOCATIONS = ("westeurope", "eastus")
ACCOUNT_NAME = "Demo AWS"
AZURE_ACCOUNT_NAME = "Demo Azure"
DISCOVERY_TIMEOUT_SECONDS = 600.0
# moto accepts any key pair; the asset API wants one shaped like AWS's (16+ characters).
DEMO_CREDENTIALS = {
    "access_key_id": "AKIANEPHOSDEMO000000",
    "secret_access_key": "nephos-demo-secret-for-moto-only-0000000",
}


def _check(answer: httpx.Response, *expected: int) -> Any:
    if answer.status_code not in expected:
        raise RuntimeError(
            f"{answer.request.method} {answer.request.url.path} answered "
            f"{answer.status_code}: {answer.text[:500]}"
        )
    return answer.json() if answer.content else None


async def _forget_old_demo_accounts(client: httpx.AsyncClient) -> None:
    """Each demo has new emulators: drop demo accounts that point at earlier ones."""
    answer = await client.get("/accounts")
    if answer.status_code != 200:
        return
    for account in answer.json().get("items", []):
        if account.get("name") in (ACCOUNT_NAME, AZURE_ACCOUNT_NAME):
            await client.delete(f"/accounts/{account['id']}")


def _aws_account(endpoint_url: str) -> dict[str, Any]:
    return {
        "name": ACCOUNT_NAME,
        "provider": "aws",
        "credentials": DEMO_CREDENTIALS,
        "endpoint_url": endpoint_url,
        "regions": list(REGIONS),
    }


def _azure_account(server: ArmServer) -> dict[str, Any]:
    config = server.config
    return {
        "name": AZURE_ACCOUNT_NAME,
        "provider": "azure",
        "credentials": {
            "tenant_id": config.tenant_id,
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "subscription_id": config.subscription_id,
        },
        "endpoint_url": server.url,
        "auth_endpoint_url": server.url,
    }


async def _discover(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    account = _check(await client.post("/accounts", json=body), 201)
    say(f"Registered account {account['id']}; discovering ...")
    run = _check(await client.post(f"/accounts/{account['id']}/discoveries"), 202)
    deadline = asyncio.get_running_loop().time() + DISCOVERY_TIMEOUT_SECONDS
    while True:
        state = _check(await client.get(f"/discoveries/{run['id']}"), 200)
        if state.get("status") not in ("queued", "running"):
            break
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"discovery {run['id']} still {state.get('status')}; gave up")
        await asyncio.sleep(1.0)
    say(f"Discovery {run['id']} of {body['name']} finished: {state.get('status')}")
    if state.get("status") != "succeeded":
        say(json.dumps(state, indent=2, default=str))


async def run_demo(stack: Stack) -> None:
    endpoint_url = stack.extras.enter_context(running_moto())
    say(f"moto (fake AWS) at {endpoint_url}; seeding {', '.join(REGIONS)} ...")
    manifest = await asyncio.to_thread(seed_estate, endpoint_url, REGIONS)
    arm = ArmServer(ArmConfig(locations=LOCATIONS))
    azure = seed_azure_estate(arm, LOCATIONS)
    stack.extras.enter_context(running_arm_server(arm))
    say(f"ARM stand-in (fake Azure) at {arm.url}; seeded {', '.join(LOCATIONS)}.")
    say(f"Seeded {manifest.total} AWS and {azure.total} Azure resources.")
    token = issue_token(
        token_settings(stack.secrets), subject="devstack-demo", tenant="demo", role="admin"
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=ASSET.base_url, headers=headers, timeout=60) as client:
        await _forget_old_demo_accounts(client)
        await _discover(client, _aws_account(endpoint_url))
        await _discover(client, _azure_account(arm))
        summary = _check(await client.get("/summary"), 200)
    say("Summary (GET /summary):")
    say(json.dumps(summary, indent=2, default=str))
    say("The demo stays up: explore it, then press Ctrl-C to stop.")
