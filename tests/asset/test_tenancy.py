"""Tenant isolation and roles on the asset REST API."""

from __future__ import annotations

import asyncio

from nephos_asset.main import create_app
from nephos_common.crypto import SecretBox
from nephos_common.settings import Environment
from nephos_devstack.aws_estate import seed_estate
from tests.asset.helpers import all_assets, discover, register_aws
from tests.fixtures.asset import AssetService, asset_settings
from tests.fixtures.infra import NATS_URL, DatabaseFactory, bearer, running, wipe_streams


async def test_one_company_never_sees_another(asset_service: AssetService, fresh_moto: str) -> None:
    await asyncio.to_thread(seed_estate, fresh_moto, ("us-east-1",))
    client = asset_service.client
    acme, globex = asset_service.auth("acme"), asset_service.auth("globex")
    account = await register_aws(client, acme, fresh_moto, regions=("us-east-1",))
    run = await discover(client, acme, account["id"])
    acme_assets = await all_assets(client, acme)
    some_id = acme_assets[0]["id"]

    assert (await client.get("/accounts", headers=globex)).json()["items"] == []
    assert (await client.get(f"/accounts/{account['id']}", headers=globex)).status_code == 404
    assert (await client.get(f"/assets/{some_id}", headers=globex)).status_code == 404
    assert (await client.get(f"/discoveries/{run['id']}", headers=globex)).status_code == 404
    batch = await client.get("/assets/batch", params={"ids": some_id}, headers=globex)
    assert batch.json()["items"] == []
    assert await all_assets(client, globex) == []
    summary = (await client.get("/summary", headers=globex)).json()
    assert summary["products_total"] == 0
    started = await client.post(f"/accounts/{account['id']}/discoveries", headers=globex)
    assert started.status_code == 404
    removed = await client.delete(f"/accounts/{account['id']}", headers=globex)
    assert removed.status_code == 404
    assert len(await all_assets(client, acme)) == len(acme_assets)


async def test_roles_and_tokens_are_enforced(asset_service: AssetService, fresh_moto: str) -> None:
    client = asset_service.client
    viewer = asset_service.auth("acme", "viewer")
    body = {
        "name": "x",
        "provider": "aws",
        "credentials": {"access_key_id": "AKIAEXAMPLEKEY000001", "secret_access_key": "s"},
    }

    refused = await client.post("/accounts", json=body, headers=viewer)
    anonymous = await client.get("/assets")
    forged = await client.get("/assets", headers={"Authorization": "Bearer not.a.token"})
    foreign = await client.get(
        "/assets", headers={**asset_service.auth("acme"), "X-Nephos-Tenant": "globex"}
    )

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert anonymous.status_code == 401
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "invalid_token"
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "tenant_forbidden"


async def test_bad_input_gets_a_clear_error_and_changes_nothing(
    asset_service: AssetService, fresh_moto: str
) -> None:
    client = asset_service.client
    headers = asset_service.auth()
    await register_aws(client, headers, fresh_moto, name="Prod")

    duplicate = await client.post(
        "/accounts",
        json={
            "name": "Prod",
            "provider": "aws",
            "credentials": {"access_key_id": "AKIAEXAMPLEKEY000002", "secret_access_key": "s"},
        },
        headers=headers,
    )
    half_keys = await client.post(
        "/accounts",
        json={
            "name": "B",
            "provider": "aws",
            "credentials": {"access_key_id": "AKIAEXAMPLEKEY0003"},
        },
        headers=headers,
    )
    bad_region = await client.post(
        "/accounts",
        json={
            "name": "C",
            "provider": "aws",
            "credentials": {"role_arn": "arn:aws:iam::123456789012:role/Nephos"},
            "regions": ["moon-1"],
        },
        headers=headers,
    )
    bad_cursor = await client.get("/assets", params={"after": "%%%"}, headers=headers)
    bad_ids = await client.get("/assets/batch", params={"ids": "nope"}, headers=headers)

    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "account_name_taken"
    for response in (half_keys, bad_region, bad_cursor, bad_ids):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"]
    assert [
        a["name"] for a in (await client.get("/accounts", headers=headers)).json()["items"]
    ] == ["Prod"]


async def test_production_refuses_endpoint_overrides(databases: DatabaseFactory) -> None:
    settings = asset_settings(
        await databases.create("nephos_asset"),
        environment=Environment.PRODUCTION,
        jwt_secret="a-production-secret-of-enough-length",
        internal_secret="an-internal-secret-of-enough-length",
        secret_key=SecretBox.generate_key(),
        nats_namespace="prodcheck",
    )
    app = create_app(settings)
    body = {
        "name": "Aimed inside",
        "provider": "aws",
        "credentials": {"access_key_id": "AKIAEXAMPLEKEY000001", "secret_access_key": "s"},
        "endpoint_url": "http://169.254.169.254",
    }
    try:
        async with running(app, "http://asset") as client:
            refused = await client.post("/accounts", json=body, headers=bearer(settings))
    finally:
        await wipe_streams(NATS_URL, "PRODCHECK_ASSET", "PRODCHECK_ASSET_JOBS")

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "endpoint_override_disabled"
