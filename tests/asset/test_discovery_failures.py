"""Discovery when things go wrong: a denied region, bad credentials, a redelivered job."""

from __future__ import annotations

import asyncio
import logging

import boto3
import pytest

from nephos_common.contracts.asset import DiscoveryRequested
from nephos_devstack.aws_estate import seed_estate
from nephos_devstack.moto_server import enforce_auth
from tests.asset.helpers import (
    all_assets,
    counts_by_region_type,
    discover,
    register_aws,
    wait_for_run,
)
from tests.fixtures.asset import AssetService
from tests.fixtures.aws import region_denying_proxy

REGIONS = ("us-east-1", "eu-west-1")
SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"


async def test_a_denied_region_leaves_its_assets_as_they_were(
    asset_service: AssetService, fresh_moto: str
) -> None:
    manifest = await asyncio.to_thread(seed_estate, fresh_moto, REGIONS)
    headers = asset_service.auth()
    client = asset_service.client
    async with region_denying_proxy(fresh_moto, "eu-west-1") as proxy:
        account = await register_aws(client, headers, fresh_moto, regions=REGIONS)
        await discover(client, headers, account["id"])
        eu_before = counts_by_region_type(await all_assets(client, headers, region="eu-west-1"))
        ec2 = boto3.client(
            "ec2", endpoint_url=fresh_moto, region_name="eu-west-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        gone = manifest.estates["eu-west-1"].unattached_volume_ids[0]
        await asyncio.to_thread(ec2.delete_volume, VolumeId=gone)
        patched = await client.patch(
            f"/accounts/{account['id']}", json={"endpoint_url": proxy}, headers=headers
        )
        assert patched.status_code == 200, patched.text

        run = await discover(client, headers, account["id"])

    assert run["status"] == "partial"
    failed_regions = {f["region"] for f in run["failures"]}
    assert "eu-west-1" in failed_regions
    assert "us-east-1" not in failed_regions
    assert {f["error_code"] for f in run["failures"]} <= {"AccessDenied", "UnauthorizedOperation"}
    eu_after = counts_by_region_type(await all_assets(client, headers, region="eu-west-1"))
    assert eu_after == eu_before, "a failed unit must not retire what it could not list"
    volumes = await all_assets(client, headers, native_type="aws.ec2.volume", region="eu-west-1")
    assert gone in {v["native_id"] for v in volumes}


async def test_bad_credentials_mark_the_account_and_never_leak(
    asset_service: AssetService, fresh_moto: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = asset_service.auth()
    client = asset_service.client
    enforce_auth(fresh_moto, True)
    account = await register_aws(client, headers, fresh_moto, secret_access_key=SECRET)

    tested = await client.post(f"/accounts/{account['id']}/test", headers=headers)
    run = await discover(client, headers, account["id"])
    stored = (await client.get(f"/accounts/{account['id']}", headers=headers)).json()

    assert tested.json()["ok"] is False
    assert tested.json()["error_code"] == "invalid_credentials"
    assert run["status"] == "failed"
    assert "invalid credentials" in run["error"]
    assert stored["status"] == "invalid_credentials"
    assert stored["status_reason"]
    every_body = " ".join([tested.text, str(run), str(stored), str(account)])
    assert SECRET not in every_body
    assert SECRET not in caplog.text
    assert "secret_access_key" not in str(stored)


async def test_a_redelivered_discovery_job_runs_once(
    asset_service: AssetService, fresh_moto: str
) -> None:
    await asyncio.to_thread(seed_estate, fresh_moto, ("us-east-1",))
    headers = asset_service.auth()
    client = asset_service.client
    account = await register_aws(client, headers, fresh_moto, regions=("us-east-1",))
    first = await discover(client, headers, account["id"])
    nats = asset_service.app.state.nats
    js = await nats.jetstream(timeout=5)
    job = DiscoveryRequested(run_id=first["id"], account_id=account["id"])
    envelope = job.envelope(tenant="acme", source="test")
    for copy in range(2):
        await js.publish(
            nats.subject(envelope.subject),
            envelope.model_dump_json().encode(),
            headers={"Nats-Msg-Id": f"{envelope.id}-{copy}"},
        )
    await asyncio.sleep(1.0)

    again = await wait_for_run(client, headers, first["id"])

    assert again["finished_at"] == first["finished_at"]
    assert again["assets_created"] == first["assets_created"]
    runs = (await client.get("/discoveries", headers=headers)).json()["items"]
    assert len(runs) == 1
