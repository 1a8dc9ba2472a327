"""Discovery end to end: moto in server mode, the real asset service, real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import boto3
from sqlalchemy import func, select

from nephos_asset.inventory.models import AssetVersion
from nephos_devstack.aws_estate import EstateManifest, seed_estate
from tests.asset.helpers import (
    all_assets,
    counts_by_region_type,
    discover,
    register_aws,
    wait_for_run,
)
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
    await _summary_matches(asset_service, manifest)
    scoped = await asset_service.client.get(
        "/summary", params={"account_id": accounts[0]["id"]}, headers=headers
    )
    assert scoped.json()["products_total"] == manifest.total
    elsewhere = await asset_service.client.get(
        "/summary", params={"account_id": str(uuid.uuid4()), "provider": "aws"}, headers=headers
    )
    assert elsewhere.json()["products_total"] == 0


async def _summary_matches(service: AssetService, manifest: EstateManifest) -> None:
    summary = (await service.client.get("/summary", headers=service.auth())).json()
    estates = manifest.estates.values()
    instances = sum(n for (_, kind), n in manifest.expected.items() if kind == "aws.ec2.instance")
    stopped = sum(len(e.stopped_instance_ids) for e in estates)
    on_demand = sum(len(e.running_instance_ids) + len(e.stopped_instance_ids) for e in estates)
    per_type: Counter[str] = Counter()
    for (_, kind), n in manifest.expected.items():
        per_type[kind] += n

    servers = summary["servers"]
    assert (servers["total"], servers["stopped"]) == (instances, stopped)
    assert servers["running"] == instances - stopped
    assert servers["on_demand"]["total"] == on_demand
    assert servers["auto_scaling"]["total"] == instances - on_demand
    assert summary["products_total"] == manifest.total
    assert {p["native_type"]: p["count"] for p in summary["products"]} == per_type
    assert summary["databases"]["total"] == per_type["aws.rds.db_instance"]
    (aws,) = summary["vendors"]
    assert aws["network"]["private_networks"] == per_type["aws.ec2.vpc"]
    assert aws["network"]["load_balancers"] == per_type["aws.elbv2.load_balancer"]
    assert aws["disks"]["count"] == per_type["aws.ec2.volume"]
    assert aws["storage"]["count"] == per_type["aws.s3.bucket"]


async def test_a_scheduled_account_is_discovered_without_being_asked(
    asset_service: AssetService, fresh_moto: str
) -> None:
    await asyncio.to_thread(seed_estate, fresh_moto, ("us-east-1",))
    headers = asset_service.auth()
    body = {
        "name": "Scheduled",
        "provider": "aws",
        "credentials": {
            "role_arn": "arn:aws:iam::123456789012:role/nephos-reader",
            "external_id": "tenant-acme",
            "access_key_id": "AKIAEXAMPLEKEY000009",
            "secret_access_key": "testing",
        },
        "endpoint_url": fresh_moto,
        "regions": ["us-east-1"],
        "discovery_interval_minutes": 60,
    }
    account = (await asset_service.client.post("/accounts", json=body, headers=headers)).json()

    async with asyncio.timeout(20):
        while not (
            runs := (await asset_service.client.get("/discoveries", headers=headers)).json()[
                "items"
            ]
        ):
            await asyncio.sleep(0.2)
    run = await wait_for_run(asset_service.client, headers, runs[0]["id"])
    await asyncio.sleep(1.5)
    later = (await asset_service.client.get("/discoveries", headers=headers)).json()["items"]

    assert run["trigger"] == "schedule"
    assert run["status"] == "succeeded"
    assert run["account_id"] == account["id"]
    assert len(later) == 1, "the next run waits for the interval"
    stored = (await asset_service.client.get(f"/accounts/{account['id']}", headers=headers)).json()
    assert stored["auth_method"] == "assume_role"
    assert stored["native_account_id"] == "123456789012"


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


async def test_runs_of_different_accounts_go_side_by_side(
    asset_service: AssetService, fresh_moto: str
) -> None:
    await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    headers = asset_service.auth()
    client = asset_service.client
    first = await register_aws(client, headers, fresh_moto, name="One", regions=REGIONS)
    second = await register_aws(client, headers, fresh_moto, name="Two", regions=REGIONS)

    a, b = await asyncio.gather(
        discover(client, headers, first["id"]), discover(client, headers, second["id"])
    )

    assert a["status"] == b["status"] == "succeeded"
    assert a["assets_created"] == b["assets_created"]
    assert a["started_at"] < b["finished_at"] and b["started_at"] < a["finished_at"]
