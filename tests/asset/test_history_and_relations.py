"""Change history (per asset, per time window) and relationships queried both ways."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import boto3

from nephos_devstack.aws_estate import seed_estate
from tests.asset.helpers import all_assets, discover, register_aws
from tests.fixtures.asset import AssetService

REGION = "us-east-1"


def _ec2(url: str) -> Any:
    return boto3.client(
        "ec2", endpoint_url=url, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


async def _by_native_id(service: AssetService, native_id: str) -> dict[str, Any]:
    (asset,) = [
        a for a in await all_assets(service.client, service.auth()) if a["native_id"] == native_id
    ]
    return asset


async def test_history_keeps_each_change_once_with_what_changed(
    asset_service: AssetService, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    estate = manifest.estates[REGION]
    client, headers = asset_service.client, asset_service.auth()
    account = await register_aws(client, headers, fresh_moto, regions=(REGION,))
    await discover(client, headers, account["id"])
    ec2 = _ec2(fresh_moto)
    instance_id = estate.running_instance_ids[0]
    volume_id = estate.unattached_volume_ids[0]
    before_changes = datetime.now(UTC).isoformat()

    await asyncio.to_thread(ec2.stop_instances, InstanceIds=[instance_id])
    await asyncio.to_thread(
        ec2.create_tags, Resources=[volume_id], Tags=[{"Key": "Team", "Value": "data"}]
    )
    await discover(client, headers, account["id"])
    await asyncio.to_thread(ec2.start_instances, InstanceIds=[instance_id])
    await discover(client, headers, account["id"])
    await discover(client, headers, account["id"])

    instance = await _by_native_id(asset_service, instance_id)
    history = (await client.get(f"/assets/{instance['id']}/history", headers=headers)).json()[
        "items"
    ]
    assert [v["change"] for v in history] == ["changed", "changed", "appeared"]
    assert [v["version"] for v in history] == [3, 2, 1]
    assert history[1]["diff"]["state"] == {"old": "running", "new": "stopped"}
    assert history[0]["diff"]["state"] == {"old": "stopped", "new": "running"}

    window = await client.get(
        "/changes", params={"since": before_changes, "change": "changed"}, headers=headers
    )
    changed = {c["native_id"]: c for c in window.json()["items"]}
    assert changed[volume_id]["diff"]["tags"]["added"] == {"Team": "data"}
    assert changed[volume_id]["native_type"] == "aws.ec2.volume"
    assert sum(1 for c in window.json()["items"] if c["native_id"] == instance_id) == 2
    everything = await client.get("/changes", params={"until": before_changes}, headers=headers)
    assert {c["change"] for c in everything.json()["items"]} == {"appeared"}
    backwards = await client.get(
        "/changes", params={"since": "2030-01-01T00:00:00Z", "until": "2020-01-01T00:00:00Z"},
        headers=headers,
    )  # fmt: skip
    assert backwards.status_code == 422


async def test_relations_read_both_ways(asset_service: AssetService, fresh_moto: str) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    estate = manifest.estates[REGION]
    client, headers = asset_service.client, asset_service.auth()
    account = await register_aws(client, headers, fresh_moto, regions=(REGION,))
    await discover(client, headers, account["id"])
    web_sg = estate.security_group_ids["web"]
    described = await asyncio.to_thread(
        _ec2(fresh_moto).describe_instances,
        Filters=[{"Name": "instance.group-id", "Values": [web_sg]}],
    )
    users_of_sg = {i["InstanceId"] for r in described["Reservations"] for i in r["Instances"]}

    sg = await _by_native_id(asset_service, web_sg)
    used_by = await client.get(
        f"/assets/{sg['id']}/related",
        params={"direction": "in", "kind": "member_of_security_group", "category": "server"},
        headers=headers,
    )
    instance = await _by_native_id(asset_service, estate.running_instance_ids[0])
    attached = await client.get(
        f"/assets/{instance['id']}/related", params={"direction": "out"}, headers=headers
    )
    vpc = await _by_native_id(asset_service, estate.vpc_id)
    inside = await client.get(
        f"/assets/{vpc['id']}/related",
        params={"direction": "in", "kind": "in_network"},
        headers=headers,
    )

    assert {e["asset"]["native_id"] for e in used_by.json()["items"]} == users_of_sg
    kinds = {(e["kind"], e["asset"]["native_type"]) for e in attached.json()["items"]}
    assert ("attached_volume", "aws.ec2.volume") in kinds
    assert ("in_subnet", "aws.ec2.subnet") in kinds
    assert ("member_of_security_group", "aws.ec2.security_group") in kinds
    inside_ids = {e["asset"]["native_id"] for e in inside.json()["items"]}
    assert set(estate.subnet_ids) <= inside_ids
    foreign = await client.get(f"/assets/{vpc['id']}/related", headers=asset_service.auth("globex"))
    assert foreign.status_code == 404
