"""Discovery end to end: moto in server mode, the real asset service, real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio

import boto3
from sqlalchemy import func, select

from nephos_asset.inventory.models import AssetVersion
from nephos_devstack.aws_estate import seed_estate
from tests.asset.helpers import all_assets, counts_by_region_type, discover, register_aws
from tests.fixtures.asset import AssetService

REGIONS = ("us-east-1", "eu-west-1")


async def _versions(service: AssetService) -> int:
    async with service.app.state.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AssetVersion)) or 0)


async def test_discovered_counts_equal_the_seeded_estate(
    asset_service: AssetService, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    headers = asset_service.auth()
    account = await register_aws(asset_service.client, headers, fresh_moto, regions=REGIONS)

    run = await discover(asset_service.client, headers, account["id"])

    assert run["status"] == "succeeded", run
    assert run["units_failed"] == 0
    assert run["units_done"] == run["units_total"] > 0
    assert run["assets_created"] == manifest.total
    assets = await all_assets(asset_service.client, headers)
    assert counts_by_region_type(assets) == manifest.expected
    accounts = (await asset_service.client.get("/accounts", headers=headers)).json()["items"]
    assert accounts[0]["status"] == "active"
    assert accounts[0]["native_account_id"]


async def test_unchanged_rediscovery_writes_no_history_and_changes_are_versioned(
    asset_service: AssetService, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    headers = asset_service.auth()
    account = await register_aws(asset_service.client, headers, fresh_moto, regions=REGIONS)
    await discover(asset_service.client, headers, account["id"])
    versions_after_first = await _versions(asset_service)

    again = await discover(asset_service.client, headers, account["id"])

    assert (again["assets_created"], again["assets_changed"], again["assets_deleted"]) == (0, 0, 0)
    assert await _versions(asset_service) == versions_after_first

    estate = manifest.estates["us-east-1"]
    ec2 = boto3.client(
        "ec2", endpoint_url=fresh_moto, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    instance_id = estate.running_instance_ids[0]
    await asyncio.to_thread(ec2.stop_instances, InstanceIds=[instance_id])
    await asyncio.to_thread(ec2.delete_volume, VolumeId=estate.unattached_volume_ids[0])

    third = await discover(asset_service.client, headers, account["id"])

    assert third["assets_deleted"] == 1
    assert third["assets_changed"] >= 1
    stopped = await all_assets(asset_service.client, headers, native_type="aws.ec2.instance")
    by_id = {a["native_id"]: a for a in stopped}
    assert by_id[instance_id]["state"] == "stopped"
    assert by_id[instance_id]["version"] == 2
    assert await _versions(asset_service) == versions_after_first + third["assets_changed"] + 1
