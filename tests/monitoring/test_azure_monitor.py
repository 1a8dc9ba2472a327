"""Azure Monitor through the real azure-mgmt-monitor client against the ARM stand-in:
VM and database metrics mapped onto ours, throttling (429 + Retry-After) waited out."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.exceptions import HttpResponseError

from nephos_common.cloud_sessions import AzureSession
from nephos_devstack.arm_server.monitor import METRICS_OPERATION, monitor_of
from nephos_monitoring.collection.azure_monitor import collect_azure
from nephos_monitoring.collection.cloudwatch import Window
from nephos_monitoring.targets.models import Target
from tests.fixtures.azure import ArmStandIn


def azure_session(arm: ArmStandIn) -> AzureSession:
    config = arm.server.config
    token = arm.server.issue_token(config.client_id, config.client_secret)
    assert token is not None
    return AzureSession(
        account_id=uuid.uuid4(),
        subscription_id=config.subscription_id,
        access_token=token,
        expires_at=time.time() + 3600,
        arm_url=arm.url,
    )


def target(native_type: str, native_id: str, category: str = "server") -> Target:
    return Target(
        tenant="acme",
        asset_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        provider="azure",
        region="westeurope",
        category=category,
        native_type=native_type,
        native_id=native_id.lower(),
        name=native_id.rsplit("/", 1)[-1],
        state="running",
        tags={},
    )


def _window() -> Window:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    return Window(start=end - timedelta(minutes=10), end=end, period=60)


def _postgres_id(arm: ArmStandIn) -> str:
    (server, *_) = arm.server.collection("microsoft.dbforpostgresql/flexibleservers")
    return str(server["id"])


async def test_vm_and_database_metrics_map_onto_ours(arm: ArmStandIn) -> None:
    estate = arm.manifest.estates["westeurope"]
    vm_id = next(iter(estate.vm_power))
    db_id = estate.sql_database_ids[0]
    pg_id = _postgres_id(arm)
    window = _window()
    at = window.start + timedelta(minutes=2)
    data = monitor_of(arm.server)
    data.clear()
    data.seed(vm_id, "Percentage CPU", [(at, 40.0), (at + timedelta(seconds=30), 60.0)])
    data.seed(vm_id, "Network In Total", [(at, 1000.0), (at + timedelta(seconds=10), 24.0)])
    data.seed(db_id, "cpu_percent", [(at + timedelta(minutes=1), 12.5)])
    data.seed(pg_id, "active_connections", [(at, 7.0)])
    data.seed(pg_id, "cpu_percent", [(window.end + timedelta(minutes=1), 99.0)])  # outside
    vm = target("azure.compute.virtual_machine", vm_id)
    db = target("azure.sql.database", db_id, "database")
    pg = target("azure.postgresql.flexible_server", pg_id, "database")
    disk = target("azure.compute.disk", vm_id + "-disk", "disk")

    result = await collect_azure(azure_session(arm), [vm, db, pg, disk], window)

    assert (result.targets, result.calls) == (3, 3)
    got = {(p.asset_id, p.metric, p.ts): p.value for p in result.points}
    assert got == {
        (vm.asset_id, "cpu_percent", at): 50.0,
        (vm.asset_id, "network_in_bytes", at): 1024.0,
        (db.asset_id, "cpu_percent", at + timedelta(minutes=1)): 12.5,
        (pg.asset_id, "db_connections", at): 7.0,
    }
    assert arm.server.calls[METRICS_OPERATION] == 3


async def test_throttling_is_waited_out(arm: ArmStandIn) -> None:
    vm_id = next(iter(arm.manifest.estates["eastus"].vm_power))
    window = _window()
    monitor_of(arm.server).clear()
    monitor_of(arm.server).seed(vm_id, "Percentage CPU", [(window.start, 5.0)])
    arm.server.throttle(METRICS_OPERATION, 1, retry_after=1)
    vm = target("azure.compute.virtual_machine", vm_id)

    result = await collect_azure(azure_session(arm), [vm], window)

    assert [(p.metric, p.value) for p in result.points] == [("cpu_percent", 5.0)]
    assert arm.server.calls[METRICS_OPERATION] == 2


async def test_an_unknown_resource_is_an_error_not_silence(arm: ArmStandIn) -> None:
    sub = arm.server.config.subscription_id
    ghost = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x"
    vm = target("azure.compute.virtual_machine", ghost)
    with pytest.raises(HttpResponseError) as raised:
        await collect_azure(azure_session(arm), [vm], _window())
    assert raised.value.status_code == 404
