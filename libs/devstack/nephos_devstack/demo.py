"""``python -m nephos_devstack demo``: the stack plus a fake AWS estate, discovered once.

moto runs in server mode inside the devstack process (the real AWS wire
protocol over HTTP), is seeded over two regions, and is registered through
the asset REST API like a real account would be, so the demo exercises the
same path as production.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from nephos_common.auth import issue_token
from nephos_devstack.aws_estate import seed_estate
from nephos_devstack.config import ASSET
from nephos_devstack.devsecrets import token_settings
from nephos_devstack.moto_server import running_moto
from nephos_devstack.run import Stack, say

REGIONS = ("us-east-1", "eu-west-1")
ACCOUNT_NAME = "Demo AWS"
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
    """Each demo has a new moto: drop demo accounts that point at an earlier one."""
    answer = await client.get("/accounts")
    if answer.status_code != 200:
        return
    for account in answer.json().get("items", []):
        if account.get("name") == ACCOUNT_NAME:
            await client.delete(f"/accounts/{account['id']}")


async def _discover(client: httpx.AsyncClient, endpoint_url: str) -> dict[str, Any]:
    await _forget_old_demo_accounts(client)
    body = {
        "name": ACCOUNT_NAME,
        "provider": "aws",
        "credentials": DEMO_CREDENTIALS,
        "endpoint_url": endpoint_url,
        "regions": list(REGIONS),
    }
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
    say(f"Discovery {run['id']} finished: {state.get('status')}")
    if state.get("status") != "succeeded":
        say(json.dumps(state, indent=2, default=str))
    summary: dict[str, Any] = _check(await client.get("/summary"), 200)
    return summary


async def run_demo(stack: Stack) -> None:
    endpoint_url = stack.extras.enter_context(running_moto())
    say(f"moto (fake AWS) at {endpoint_url}; seeding {', '.join(REGIONS)} ...")
    manifest = await asyncio.to_thread(seed_estate, endpoint_url, REGIONS)
    say(f"Seeded {manifest.total} resources.")
    token = issue_token(
        token_settings(stack.secrets), subject="devstack-demo", tenant="demo", role="admin"
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=ASSET.base_url, headers=headers, timeout=60) as client:
        summary = await _discover(client, endpoint_url)
    say("Summary (GET /summary):")
    say(json.dumps(summary, indent=2, default=str))
    say("The demo stays up: explore it, then press Ctrl-C to stop.")
