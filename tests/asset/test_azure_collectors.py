"""The Azure collector with the real azure-mgmt clients against the ARM stand-in over HTTP.

Run alone with ``uv run pytest tests/asset/test_azure_collectors.py -p tests.fixtures.azure``
until the root conftest loads the plugin.
"""

from __future__ import annotations

import json
import logging
import math
import time
import urllib.request
from collections import Counter

import pytest
from azure.core.exceptions import ServiceRequestError
from azure.mgmt.compute.aio import ComputeManagementClient

from nephos_asset.collectors.azure import SPECS, AzureAccess, AzureCollector
from nephos_asset.collectors.azure.access import build_credential
from nephos_asset.collectors.azure.loopback import LoopbackSecretCredential
from nephos_asset.collectors.base import NormalizedAsset, State, UnitKey, UnitResult
from nephos_asset.collectors.errors import InvalidCredentialsError
from nephos_devstack.arm_server import ArmConfig, ArmServer, running_arm_server, seed_azure_estate
from tests.fixtures.azure import PAGE_SIZE, ArmStandIn

VM, DISK, SUBNET = "azure.compute.virtual_machine", "azure.compute.disk", "azure.network.subnet"


async def collect(access: AzureAccess, **options: int) -> list[UnitResult]:
    async with AzureCollector(access, **options) as collector:
        return [r async for r in collector.collect_all(collector.units([]))]


def assets_of(results: list[UnitResult], native_type: str) -> dict[str, NormalizedAsset]:
    return {a.native_id: a for r in results for a in r.assets if a.native_type == native_type}


def targets(asset: NormalizedAsset, kind: str) -> set[str]:
    return {r.target_native_id for r in asset.relations if r.kind == kind}


def low(*ids: str) -> set[str]:
    return {i.lower() for i in ids}


@pytest.fixture(scope="module")
async def results(arm_stand_in: ArmStandIn) -> list[UnitResult]:
    """One full discovery of the seeded estate, shared by the read-only tests."""
    arm_stand_in.server.reset_faults()
    return await collect(arm_stand_in.access())


async def test_counts_per_location_and_type_match_the_manifest(
    results: list[UnitResult], arm_stand_in: ArmStandIn
) -> None:
    assert all(r.complete and r.error_code is None for r in results)
    found = Counter((a.region, a.native_type) for r in results for a in r.assets)
    assert found == arm_stand_in.manifest.expected
    assert arm_stand_in.manifest.total > 80


async def test_every_page_is_followed_and_counted(
    results: list[UnitResult], arm_stand_in: ArmStandIn
) -> None:
    by_type = {r.key.native_type: r for r in results}
    disks = sum(n for (_, t), n in arm_stand_in.manifest.expected.items() if t == DISK)
    assert disks > PAGE_SIZE
    assert by_type[DISK].api_calls == {"compute.disks.list": math.ceil(disks / PAGE_SIZE)}
    servers = len(arm_stand_in.manifest.locations)
    sql = by_type["azure.sql.database"].api_calls
    assert sql == {"sql.servers.list": 1, "sql.databases.list_by_server": servers}
    vm_calls = by_type[VM].api_calls  # plain listing + statusOnly listing, then the NICs
    assert set(vm_calls) == {
        "compute.virtual_machines.list_all",
        "network.network_interfaces.list_all",
    }


async def test_verify_regions_and_units(arm: ArmStandIn) -> None:
    async with AzureCollector(arm.access()) as collector:
        assert await collector.verify() == arm.server.config.subscription_id
        assert await collector.regions() == sorted(arm.manifest.locations)
        units = collector.units(["westeurope"])
    assert units == [UnitKey("global", s.native_type) for s in SPECS]


async def test_vm_relations_and_power_states(
    results: list[UnitResult], arm_stand_in: ArmStandIn
) -> None:
    """References come back with upper-cased resource groups; relations still match."""
    vms = assets_of(results, VM)
    folded = {"running": State.RUNNING, "deallocated": State.STOPPED, "stopped": State.STOPPED}
    for seeded in arm_stand_in.manifest.estates.values():
        for vm_id, power in seeded.vm_power.items():
            vm = vms[vm_id.lower()]
            assert (vm.region, vm.state, vm.spec["power_state"]) == (
                seeded.location, folded[power], power,
            )  # fmt: skip
            assert vm.spec["autoscaling_group"] is None
            assert targets(vm, "attached_volume") == low(*seeded.vm_disks[vm_id])
            assert targets(vm, "has_network_interface") == low(seeded.vm_nics[vm_id])
            assert targets(vm, "in_subnet") == low(seeded.subnet_ids["app"])
            assert targets(vm, "in_network") == low(seeded.vnet_id)
            assert targets(vm, "member_of_security_group") == low(seeded.nsg_ids["web"])
            assert vm.tags["env"] == "demo"
    assert {d.native_id for d in assets_of(results, DISK).values()} >= {
        disk.lower() for s in arm_stand_in.manifest.estates.values() for d in s.vm_disks.values()
        for disk in d
    }  # fmt: skip


async def test_network_scale_set_and_disk_relations(
    results: list[UnitResult], arm_stand_in: ArmStandIn
) -> None:
    subnets, disks = assets_of(results, SUBNET), assets_of(results, DISK)
    members = assets_of(results, "azure.compute.virtual_machine_scale_set_vm")
    groups = assets_of(results, "azure.compute.virtual_machine_scale_set")
    for seeded in arm_stand_in.manifest.estates.values():
        for name, subnet_id in seeded.subnet_ids.items():
            subnet = subnets[subnet_id.lower()]
            assert (subnet.name, subnet.region) == (name, seeded.location)
            assert targets(subnet, "in_network") == low(seeded.vnet_id)
        assert targets(subnets[seeded.subnet_ids["web"].lower()], "member_of_security_group") == (
            low(seeded.nsg_ids["web"])
        )
        group = groups[seeded.scale_set_id.lower()]
        assert group.spec["capacity"] == len(seeded.scale_set_vm_ids)
        for member_id in seeded.scale_set_vm_ids:
            member = members[member_id.lower()]
            assert member.state is State.RUNNING
            assert member.spec["autoscaling_group"] == group.native_id
            assert targets(member, "member_of_autoscaling_group") == {group.native_id}
        for vm_id, disk_ids in seeded.vm_disks.items():
            assert all(targets(disks[d.lower()], "attached_to") == low(vm_id) for d in disk_ids)
        for disk_id in seeded.unattached_disk_ids:
            assert disks[disk_id.lower()].relations == []
            assert disks[disk_id.lower()].spec["attached"] is False


async def test_data_services_are_normalised(
    results: list[UnitResult], arm_stand_in: ArmStandIn
) -> None:
    databases = assets_of(results, "azure.sql.database")
    assert not any(d.name == "master" for d in databases.values())
    for seeded in arm_stand_in.manifest.estates.values():
        assert set(databases) >= low(*seeded.sql_database_ids)
        for db_id in seeded.sql_database_ids:
            db = databases[db_id.lower()]
            assert targets(db, "hosted_on") == low(seeded.sql_server_id)
            assert db.spec["allocated_storage_gb"] == 32
    assert Counter(d.state for d in databases.values()) == {State.RUNNING: 2, State.STOPPED: 2}
    flexible = [*assets_of(results, "azure.postgresql.flexible_server").values(),
                *assets_of(results, "azure.mysql.flexible_server").values()]  # fmt: skip
    assert {(f.spec["engine"], f.spec["allocated_storage_gb"], f.state) for f in flexible} == {
        ("postgresql", 128, State.RUNNING), ("mysql", 32, State.STOPPED),
    }  # fmt: skip
    caches = assets_of(results, "azure.cache.redis").values()
    assert {c.region for c in caches} == set(arm_stand_in.manifest.locations)  # "West Europe"


async def test_throttled_listing_honours_retry_after_and_completes(arm: ArmStandIn) -> None:
    arm.server.throttle("microsoft.compute/disks", times=2, retry_after=0.3)
    async with AzureCollector(arm.access()) as collector:
        started = time.monotonic()
        result = await collector.collect(UnitKey("global", DISK))
        elapsed = time.monotonic() - started
    assert result.complete
    assert elapsed >= 0.6
    pages = result.api_calls["compute.disks.list"]
    assert arm.server.calls["microsoft.compute/disks"] == pages + 2


async def test_throttling_past_the_retries_fails_only_that_unit(arm: ArmStandIn) -> None:
    arm.server.throttle("microsoft.compute/disks", times=100, retry_after=0.01)
    async with AzureCollector(arm.access(), max_attempts=3) as collector:
        disks = await collector.collect(UnitKey("global", DISK))
        images = await collector.collect(UnitKey("global", "azure.compute.image"))
    assert (disks.complete, disks.error_code, disks.assets) == (False, "TooManyRequests", [])
    assert arm.server.calls["microsoft.compute/disks"] == 3
    assert images.complete


async def test_denied_provider_fails_only_its_units(arm: ArmStandIn) -> None:
    arm.server.deny("Microsoft.Cache")
    results = await collect(arm.access())
    failed = [r for r in results if not r.complete]
    assert [(r.key.native_type, r.error_code) for r in failed] == [
        ("azure.cache.redis", "AuthorizationFailed")
    ]
    assert "action 'Microsoft.Cache/redis/read'" in (failed[0].error_message or "")
    assert len(results) == len(SPECS)


async def test_bad_secret_raises_invalid_credentials(arm: ArmStandIn) -> None:
    async with AzureCollector(arm.access(client_secret="not-the-secret")) as collector:
        with pytest.raises(InvalidCredentialsError, match="AADSTS7000215"):
            await collector.verify()
        unit = await collector.collect(UnitKey("global", VM))
    assert (unit.complete, unit.error_code) == (False, "ClientAuthenticationError")


async def test_unknown_subscription_raises_invalid_credentials(arm: ArmStandIn) -> None:
    access = arm.access(subscription_id="00000000-0000-0000-0000-000000000000")
    async with AzureCollector(access) as collector:
        with pytest.raises(InvalidCredentialsError, match="SubscriptionNotFound"):
            await collector.verify()


async def test_secret_and_token_stay_out_of_repr_and_logs(
    arm: ArmStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """azure-core logs request headers at INFO; Authorization must show as REDACTED."""
    secret = arm.server.config.client_secret
    access = arm.access()
    for text in (repr(access), str(access), repr(build_credential(access))):
        assert secret not in text
    caplog.set_level(logging.DEBUG)
    arm.server.deny("Microsoft.Cache")
    async with AzureCollector(access) as collector:
        await collector.verify()
        for native_type in (VM, "azure.cache.redis"):
            assert secret not in repr(await collector.collect(UnitKey("global", native_type)))
    async with AzureCollector(arm.access(client_secret=secret + "-wrong")) as collector:
        with pytest.raises(InvalidCredentialsError):
            await collector.verify()
    assert "'Authorization': 'REDACTED'" in caplog.text
    assert "azure unit azure.cache.redis incomplete: AuthorizationFailed" in caplog.text
    tokens = list(arm.server._tokens)
    assert tokens and not any(token in caplog.text for token in tokens)
    assert secret not in caplog.text


async def test_credentials_are_chosen_by_authority(monkeypatch: pytest.MonkeyPatch) -> None:
    base = AzureAccess("t-1", "c-1", "s3cret", "sub", base_url=None, authority_url=None)
    assert type(build_credential(base)).__name__ == "ClientSecretCredential"
    local = AzureAccess("t-1", "c-1", "s3cret", "sub", authority_url="http://127.0.0.1:1")
    assert isinstance(build_credential(local), LoopbackSecretCredential)
    with pytest.raises(ValueError, match="loopback"):
        build_credential(AzureAccess("t-1", "c-1", "s", "sub", authority_url="http://login.evil"))
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", __file__)
    federated = AzureAccess("t-1", "c-1", None, "sub", use_workload_identity=True)
    assert type(build_credential(federated)).__name__ == "WorkloadIdentityCredential"
    assert "client_secret=None" in repr(federated)


async def test_sdk_refuses_plain_http_without_our_bearer_policy(arm: ArmStandIn) -> None:
    """Why ``PlainHttpBearerPolicy`` exists: the default ARM policy refuses http."""
    access = arm.access()
    async with build_credential(access) as credential:
        client = ComputeManagementClient(
            credential, access.subscription_id, base_url=arm.url,
            credential_scopes=access.scopes, retry_total=0,
        )  # fmt: skip
        async with client:
            with pytest.raises(ServiceRequestError, match="non-TLS"):
                [vm async for vm in client.virtual_machines.list_all()]


def test_stand_in_pages_with_absolute_next_links(arm: ArmStandIn) -> None:
    config = arm.server.config
    token = arm.server.issue_token(config.client_id, config.client_secret)
    path = f"/subscriptions/{config.subscription_id}/providers/Microsoft.Compute/disks"
    request = urllib.request.Request(
        f"{arm.url}{path}?api-version=2024-03-02", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as answer:
        page = json.load(answer)
    assert len(page["value"]) == PAGE_SIZE
    assert page["nextLink"].startswith(f"{arm.url}{path}?api-version=2024-03-02&")


async def test_benchmark_scale_estate_is_discovered_in_full() -> None:
    server = ArmServer(ArmConfig(page_size=1000))
    manifest = seed_azure_estate(server, scale=90)
    assert manifest.total >= 5000
    with running_arm_server(server) as url:
        config = server.config
        access = AzureAccess(config.tenant_id, config.client_id, config.client_secret,
                             config.subscription_id, base_url=url, authority_url=url)  # fmt: skip
        results = await collect(access)
    assert sum(len(r.assets) for r in results) == manifest.total
