"""The AWS collector against moto server over HTTP, with the real aiobotocore client.

Run alone with ``uv run pytest tests/asset/test_aws_collectors.py -p tests.fixtures.aws``
until the root conftest loads the plugin.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterable

import boto3
import pytest

from nephos_asset.collectors.aws import AwsAccess, AwsCollector
from nephos_asset.collectors.aws import specs as aws_specs
from nephos_asset.collectors.base import NormalizedAsset, Relation, State, UnitKey, UnitResult
from nephos_asset.collectors.errors import InvalidCredentialsError
from nephos_devstack.aws_estate import AMI_ID, CREDENTIALS, EstateManifest, seed_estate
from nephos_devstack.moto_server import enforce_auth, reset
from tests.fixtures.aws import region_denying_proxy

SECRET = "wJalrXUtnFEMI-never-logged-K7MDENG"
REGIONS = ("us-east-1", "eu-west-1")


def access_to(url: str, **overrides: object) -> AwsAccess:
    fields: dict[str, object] = {
        "access_key_id": "AKIATESTING",
        "secret_access_key": SECRET,
        "role_arn": None,
        "external_id": None,
        "endpoint_url": url,
    }
    return AwsAccess(**{**fields, **overrides})  # type: ignore[arg-type]


async def collect(access: AwsAccess, regions: Iterable[str] = REGIONS) -> list[UnitResult]:
    async with AwsCollector(access) as collector:
        return [r async for r in collector.collect_all(collector.units(regions))]


def assets_of(results: list[UnitResult], native_type: str) -> dict[str, NormalizedAsset]:
    return {a.native_id: a for r in results for a in r.assets if a.native_type == native_type}


@pytest.fixture(scope="module")
async def discovered(moto_url: str) -> tuple[EstateManifest, list[UnitResult]]:
    """One seeded estate and one full discovery, shared by the read-only tests.

    The results live in memory, so later tests may reset moto freely.
    """
    enforce_auth(moto_url, False)
    reset(moto_url)
    manifest = seed_estate(moto_url, REGIONS)
    return manifest, await collect(access_to(moto_url))


@pytest.fixture
def results(discovered: tuple[EstateManifest, list[UnitResult]]) -> list[UnitResult]:
    return discovered[1]


@pytest.fixture
def manifest(discovered: tuple[EstateManifest, list[UnitResult]]) -> EstateManifest:
    return discovered[0]


@pytest.fixture
def estate(fresh_moto: str) -> EstateManifest:
    """A freshly seeded estate, for tests that talk to moto themselves."""
    return seed_estate(fresh_moto, REGIONS)


async def test_counts_per_region_and_type_match_the_manifest(
    results: list[UnitResult], manifest: EstateManifest
) -> None:
    assert all(r.complete and r.error_code is None for r in results)
    found = Counter((a.region, a.native_type) for r in results for a in r.assets)
    assert found == manifest.expected
    assert manifest.total > 100


async def test_units_regions_and_verify(fresh_moto: str) -> None:
    async with AwsCollector(access_to(fresh_moto)) as collector:
        assert await collector.verify() == "123456789012"
        assert {"us-east-1", "eu-west-1"} <= set(await collector.regions())
        units = collector.units(REGIONS)
    regional = [s for s in aws_specs.SPECS if not s.is_global]
    assert len(units) == 2 * len(regional) + 1
    assert UnitKey("global", "aws.s3.bucket") in units


async def test_instance_relations_states_and_autoscaling(
    results: list[UnitResult], manifest: EstateManifest
) -> None:
    instances = assets_of(results, "aws.ec2.instance")
    for region, seeded in manifest.estates.items():
        for volume, instance_id in seeded.attached_volumes.items():
            instance = instances[instance_id]
            assert instance.region == region
            assert Relation("attached_volume", volume) in instance.relations
            assert Relation("in_network", seeded.vpc_id) in instance.relations
            assert Relation("in_subnet", seeded.subnet_ids[1]) in instance.relations
            web_sg = seeded.security_group_ids["web"]
            assert Relation("member_of_security_group", web_sg) in instance.relations
        assert {instances[i].state for i in seeded.running_instance_ids} == {State.RUNNING}
        assert {instances[i].state for i in seeded.stopped_instance_ids} == {State.STOPPED}
        members = {
            i
            for i, a in instances.items()
            if a.spec["autoscaling_group"] == seeded.asg_name and a.region == region
        }
        group = next(
            a for a in assets_of(results, "aws.autoscaling.group").values() if a.region == region
        )
        assert group.name == seeded.asg_name
        assert {r.target_native_id for r in group.relations if r.kind == "has_instance"} == members
        assert len(members) == 2


async def test_network_storage_and_data_relations(
    results: list[UnitResult], manifest: EstateManifest
) -> None:
    subnets = assets_of(results, "aws.ec2.subnet")
    volumes = assets_of(results, "aws.ec2.volume")
    for seeded in manifest.estates.values():
        for subnet_id in seeded.subnet_ids:
            assert subnets[subnet_id].relations == [Relation("in_network", seeded.vpc_id)]
        for volume_id, instance_id in seeded.attached_volumes.items():
            assert Relation("attached_to", instance_id) in volumes[volume_id].relations
            assert volumes[volume_id].state is State.RUNNING
        for volume_id in seeded.unattached_volume_ids:
            assert volumes[volume_id].relations == []
            assert volumes[volume_id].spec["attached"] is False
    snapshots = assets_of(results, "aws.ec2.snapshot").values()
    assert any(Relation("snapshot_of", v) in s.relations for s in snapshots for v in volumes)
    addresses = assets_of(results, "aws.ec2.elastic_ip").values()
    assert Counter(a.spec["associated"] for a in addresses) == {True: 4, False: 2}
    databases = assets_of(results, "aws.rds.db_instance").values()
    assert {(d.spec["engine"], d.spec["allocated_storage_gb"], d.state) for d in databases} == {
        ("postgres", 20, State.RUNNING)
    }


async def test_security_group_rules_are_normalised(
    results: list[UnitResult], manifest: EstateManifest
) -> None:
    groups = assets_of(results, "aws.ec2.security_group")
    seeded = manifest.estates["eu-west-1"].security_group_ids
    web_ports = {(r["protocol"], r["from_port"]) for r in groups[seeded["web"]].spec["ingress"]}
    assert web_ports == {("tcp", 80), ("tcp", 443)}
    (db_rule,) = groups[seeded["db"]].spec["ingress"]
    assert db_rule["source_groups"] == [seeded["web"]]
    assert groups[seeded["db"]].spec["egress"][0]["protocol"] == "all"


async def test_buckets_carry_their_region_and_tags(
    results: list[UnitResult], manifest: EstateManifest
) -> None:
    buckets = assets_of(results, "aws.s3.bucket")
    for region, seeded in manifest.estates.items():
        for name, tags in seeded.bucket_tags.items():
            assert (buckets[name].region, buckets[name].tags) == (region, tags)


async def test_api_calls_are_counted_per_unit(
    results: list[UnitResult], manifest: EstateManifest
) -> None:
    by_key = {r.key: r for r in results}
    assert by_key[UnitKey("eu-west-1", "aws.ec2.vpc")].api_calls == {"ec2.DescribeVpcs": 1}
    bucket_count = sum(len(e.bucket_tags) for e in manifest.estates.values())
    assert by_key[UnitKey("global", "aws.s3.bucket")].api_calls == {
        "s3.ListBuckets": 1,
        "s3.GetBucketLocation": bucket_count,
        "s3.GetBucketTagging": bucket_count,
    }


async def test_every_page_is_read_and_counted(
    fresh_moto: str, estate: EstateManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto pages only DescribeInstances, by reservation: add some, ask for pages of 5."""
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=fresh_moto, **CREDENTIALS)
    for _ in range(7):
        ec2.run_instances(ImageId=AMI_ID, MinCount=1, MaxCount=1)
    small_pages = dataclasses.replace(aws_specs.INSTANCE, params={"MaxResults": 5})
    monkeypatch.setitem(aws_specs.SPECS_BY_TYPE, "aws.ec2.instance", small_pages)
    async with AwsCollector(access_to(fresh_moto)) as collector:
        result = await collector.collect(UnitKey("us-east-1", "aws.ec2.instance"))
    assert result.complete
    assert len(result.assets) == estate.expected[("us-east-1", "aws.ec2.instance")] + 7
    assert result.api_calls == {"ec2.DescribeInstances": 2}


async def test_denied_region_is_incomplete_and_others_complete(
    fresh_moto: str, estate: EstateManifest
) -> None:
    async with region_denying_proxy(fresh_moto, "eu-west-1") as proxy:
        results = await collect(access_to(proxy))
    by_region: dict[str, list[UnitResult]] = {}
    for r in results:
        by_region.setdefault(r.key.region, []).append(r)
    assert all(r.complete for r in by_region["us-east-1"])
    denied = by_region["eu-west-1"]
    assert not any(r.complete or r.assets for r in denied)
    assert {r.error_code for r in denied} == {"AccessDenied", "UnauthorizedOperation"}
    # Buckets in the denied region cannot be read, so the account-wide S3 unit is incomplete.
    (buckets,) = by_region["global"]
    assert (buckets.complete, buckets.error_code) == (False, "AccessDenied")


async def test_unreachable_endpoint_is_reported_not_raised() -> None:
    access = access_to("http://127.0.0.1:9")
    async with AwsCollector(access, max_attempts=1) as collector:
        result = await collector.collect(UnitKey("us-east-1", "aws.ec2.vpc"))
    assert not result.complete
    assert result.error_code == "EndpointConnectionError"


async def test_bad_credentials_raise_invalid_credentials(fresh_moto: str) -> None:
    enforce_auth(fresh_moto, True)
    try:
        async with AwsCollector(access_to(fresh_moto)) as collector:
            with pytest.raises(InvalidCredentialsError, match="InvalidClientTokenId"):
                await collector.verify()
            unit = await collector.collect(UnitKey("us-east-1", "aws.ec2.instance"))
    finally:
        enforce_auth(fresh_moto, False)
    assert (unit.complete, unit.error_code) == (False, "AuthFailure")


async def test_role_is_assumed_once_with_the_key_pair(fresh_moto: str) -> None:
    role = "arn:aws:iam::210987654321:role/nephos-read-only"
    access = access_to(fresh_moto, role_arn=role, external_id="ext-123")
    async with AwsCollector(access) as collector:
        assert await collector.verify() == "210987654321"
        result = await collector.collect(UnitKey("us-east-1", "aws.ec2.vpc"))
    assert result.complete


async def test_secrets_stay_out_of_repr_and_logs(
    fresh_moto: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Even botocore's DEBUG logs (request params, response bodies) carry no credentials."""
    external_id = "ext-id-never-logged"
    role = "arn:aws:iam::123456789012:role/r"
    access = access_to(fresh_moto, role_arn=role, external_id=external_id)
    for text in (repr(access), str(access)):
        assert SECRET not in text and external_id not in text and "AKIATESTING" not in text
    caplog.set_level(logging.DEBUG)
    async with region_denying_proxy(fresh_moto, "eu-west-1") as proxy:
        denied = dataclasses.replace(access, endpoint_url=proxy)
        async with AwsCollector(denied) as collector:
            await collector.verify()
            for region in REGIONS:
                result = await collector.collect(UnitKey(region, "aws.ec2.instance"))
                assert SECRET not in repr(result)
    assert "botocore" in caplog.text
    assert "aws unit eu-west-1/aws.ec2.instance incomplete" in caplog.text
    for secret in (SECRET, external_id, "SecretAccessKey", "SessionToken", "Security-Token"):
        assert secret not in caplog.text
