"""Service groups: tag rules and explicit members, membership that follows the estate."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import boto3

from nephos_devstack.aws_estate import seed_estate
from tests.asset.helpers import all_assets, discover, register_aws
from tests.fixtures.asset import AssetService

REGION = "us-east-1"


async def _membership_events(service: AssetService) -> list[dict[str, Any]]:
    """Membership events written to the outbox (published or not), oldest first."""
    outbox = service.app.state.tables.outbox
    async with service.app.state.database.sessions() as session:
        rows = await session.execute(
            outbox.select()
            .where(outbox.c.subject == "asset.service_group.membership_changed")
            .order_by(outbox.c.seq)
        )
        return [
            r.envelope if isinstance(r.envelope, dict) else json.loads(r.envelope) for r in rows
        ]


async def test_membership_follows_rules_and_explicit_members(
    asset_service: AssetService, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, (REGION,))
    estate = manifest.estates[REGION]
    client, headers = asset_service.client, asset_service.auth()
    account = await register_aws(client, headers, fresh_moto, regions=(REGION,))
    await discover(client, headers, account["id"])
    web = {a["id"] for a in await all_assets(client, headers, tag="Name=web")}
    bucket = (await all_assets(client, headers, native_type="aws.s3.bucket"))[0]

    created = await client.post(
        "/service-groups",
        json={"name": "Ticketing", "rule": "Name=web AND env=demo", "members": [bucket["id"]]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    group = created.json()
    members = {a["id"] for a in await all_assets(client, headers, group_id=group["id"])}
    assert members == web | {bucket["id"]}
    assert group["member_count"] == len(web) + 1

    ec2 = boto3.client(
        "ec2", endpoint_url=fresh_moto, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    leaving = estate.running_instance_ids[1]
    await asyncio.to_thread(
        ec2.create_tags, Resources=[leaving], Tags=[{"Key": "env", "Value": "prod"}]
    )
    joining = estate.stopped_instance_ids[0]
    await asyncio.to_thread(
        ec2.create_tags, Resources=[joining], Tags=[{"Key": "Name", "Value": "web"}]
    )
    await discover(client, headers, account["id"])

    after = {a["native_id"] for a in await all_assets(client, headers, group_id=group["id"])}
    assert leaving not in after
    assert joining in after
    events = await _membership_events(asset_service)
    last = events[-1]["data"]
    assert len(last["added"]) == 1 and len(last["removed"]) == 1
    summary = (await client.get(f"/service-groups/{group['id']}/summary", headers=headers)).json()
    assert summary["products_total"] == len(after)
    assert summary["servers"]["total"] == len(after) - 1


async def test_groups_validate_input_and_respect_roles(
    asset_service: AssetService, fresh_moto: str
) -> None:
    client, headers = asset_service.client, asset_service.auth()
    viewer = asset_service.auth(role="viewer")
    await client.post(
        "/service-groups", json={"name": "Accounting", "rule": "Team=fin"}, headers=headers
    )

    bad_rule = await client.post(
        "/service-groups", json={"name": "X", "rule": "=oops"}, headers=headers
    )
    unknown = await client.post(
        "/service-groups",
        json={"name": "Y", "members": ["7b0c6a55-8b5e-4a53-9d1c-0d0f6e1e2a3b"]},
        headers=headers,
    )
    duplicate = await client.post("/service-groups", json={"name": "Accounting"}, headers=headers)
    refused = await client.post("/service-groups", json={"name": "Z"}, headers=viewer)
    foreign = await client.get("/service-groups", headers=asset_service.auth("globex"))
    listed = await client.get("/service-groups", headers=viewer)

    assert bad_rule.status_code == 422 and bad_rule.json()["error"]["code"] == "invalid_rule"
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_assets"
    assert duplicate.status_code == 409
    assert refused.status_code == 403
    assert foreign.json()["items"] == []
    assert [g["name"] for g in listed.json()["items"]] == ["Accounting"]
