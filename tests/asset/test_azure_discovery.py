"""Azure discovery end to end: the real asset service and azure-mgmt clients against
the ARM stand-in, with the same units, failure rules and dashboard as AWS."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from tests.asset.helpers import all_assets, counts_by_region_type, discover, register_azure
from tests.fixtures.asset import AssetService
from tests.fixtures.azure import ArmStandIn


async def _register(service: AssetService, arm: ArmStandIn, **extra: Any) -> dict[str, Any]:
    return await register_azure(service.client, service.auth(), arm, **extra)


async def test_azure_counts_relations_and_dashboard(
    asset_service: AssetService, arm: ArmStandIn
) -> None:
    client: httpx.AsyncClient = asset_service.client
    headers = asset_service.auth()
    account = await _register(asset_service, arm)

    run = await discover(client, headers, account["id"])

    assert run["status"] == "succeeded", run
    assert run["assets_created"] == arm.manifest.total
    assets = await all_assets(client, headers, provider="azure")
    assert counts_by_region_type(assets) == arm.manifest.expected
    vms = [a for a in assets if a["native_type"] == "azure.compute.virtual_machine"]
    kinds = Counter(r["kind"] for vm in vms for r in vm["relations"] if r["target_id"])
    assert kinds["attached_volume"] >= len(vms)
    assert kinds["in_subnet"] == len(vms)

    summary = (await client.get("/summary", params={"provider": "azure"}, headers=headers)).json()
    (azure,) = summary["vendors"]
    power = Counter(a["state"] for a in assets if a["category"] == "server")
    assert azure["servers"]["running"] == power["running"]
    assert azure["servers"]["stopped"] == power["stopped"]
    assert summary["servers"]["auto_scaling"]["total"] == sum(
        len(e.scale_set_vm_ids) for e in arm.manifest.estates.values()
    )
    sql_databases = sum(len(e.sql_database_ids) for e in arm.manifest.estates.values())
    databases = sum(1 for a in assets if a["category"] == "database")
    assert databases >= sql_databases
    assert summary["databases"]["total"] == databases
    stored = (await client.get(f"/accounts/{account['id']}", headers=headers)).json()
    assert stored["native_account_id"] == arm.server.config.subscription_id
    assert arm.server.config.client_secret not in str(stored)


async def test_a_denied_resource_provider_fails_only_its_units(
    asset_service: AssetService, arm: ArmStandIn
) -> None:
    client, headers = asset_service.client, asset_service.auth()
    account = await _register(asset_service, arm)
    await discover(client, headers, account["id"])
    caches_before = await all_assets(client, headers, category="cache")
    arm.server.deny("Microsoft.Cache")

    run = await discover(client, headers, account["id"])

    assert run["status"] == "partial"
    assert {(f["native_type"], f["error_code"]) for f in run["failures"]} == {
        ("azure.cache.redis", "AuthorizationFailed")
    }
    assert await all_assets(client, headers, category="cache") == caches_before
    assert run["assets_deleted"] == 0


async def test_a_wrong_secret_marks_the_azure_account(
    asset_service: AssetService, arm: ArmStandIn
) -> None:
    config = arm.server.config
    client, headers = asset_service.client, asset_service.auth()
    bad = {
        "tenant_id": config.tenant_id, "client_id": config.client_id,
        "client_secret": "not-the-secret", "subscription_id": config.subscription_id,
    }  # fmt: skip
    account = await _register(asset_service, arm, credentials=bad)

    run = await discover(client, headers, account["id"])
    stored = (await client.get(f"/accounts/{account['id']}", headers=headers)).json()

    assert run["status"] == "failed"
    assert stored["status"] == "invalid_credentials"
    assert "not-the-secret" not in str(stored) + str(run)
