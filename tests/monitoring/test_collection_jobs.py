"""Scheduled collection as jobs on the monitoring work queue, end to end: the asset
service hands out short-lived sessions, CloudWatch is moto (real PutMetricData),
Azure Monitor the ARM stand-in; one job per account and interval across replicas."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from nephos_devstack.arm_server.monitor import monitor_of
from nephos_monitoring.collection.scheduler import queue_due_jobs, slot_of
from nephos_monitoring.metrics.maintenance import maintain
from tests.asset.helpers import register_aws, register_azure
from tests.fixtures.asset import AssetService
from tests.fixtures.azure import ArmStandIn
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.helpers import add_servers

FINISHED = {"succeeded", "failed"}


def _put_cpu(endpoint: str, instance: str, at: datetime, value: float) -> None:
    client = boto3.client(
        "cloudwatch",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="AKIDSEED",
        aws_secret_access_key="seed",
    )
    client.put_metric_data(
        Namespace="AWS/EC2",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "InstanceId", "Value": instance}],
                "Timestamp": at,
                "Value": value,
            }
        ],
    )


async def _jobs(service: MonitoringService, tenant: str = "acme") -> list[dict[str, Any]]:
    answer = await service.client.get("/collection-jobs", headers=service.auth(tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _finished(
    service: MonitoringService, slot: datetime, expected: int
) -> list[dict[str, Any]]:
    """The jobs of one slot, once ``expected`` of them have finished."""

    async def of_slot() -> list[dict[str, Any]]:
        return [j for j in await _jobs(service) if datetime.fromisoformat(j["slot"]) == slot]

    return await wait_for(
        of_slot,
        lambda jobs: len([j for j in jobs if j["status"] in FINISHED]) >= expected,
        timeout=60,
    )


async def _cpu(service: MonitoringService, asset_id: Any, slot: datetime) -> list[float]:
    params = {
        "asset_id": str(asset_id),
        "metric": "cpu_percent",
        "from": (slot - timedelta(hours=1)).isoformat(),
        "to": slot.isoformat(),
    }
    answer = await service.client.get("/series", params=params, headers=service.auth())
    return [p["avg"] for p in answer.json()["points"]]


async def test_scheduled_jobs_collect_aws_and_azure_once_per_interval(
    wired: MonitoringService, asset_service: AssetService, fresh_moto: str, arm: ArmStandIn
) -> None:
    service = wired
    aws = await register_aws(asset_service.client, asset_service.auth(), fresh_moto)
    azure = await register_azure(asset_service.client, asset_service.auth(), arm)
    now = datetime.now(UTC)
    interval = service.settings.collection_interval_seconds
    slot = slot_of(now, interval)
    # The clouds hold the data before the targets exist: a scheduler tick may come any time.
    instance = f"i-{uuid.uuid4().hex[:17]}"
    await asyncio.to_thread(_put_cpu, fresh_moto, instance, slot - timedelta(minutes=2), 42.0)
    vm_id = next(iter(arm.manifest.estates["westeurope"].vm_power)).lower()
    monitor_of(arm.server).clear()
    monitor_of(arm.server).seed(vm_id, "Percentage CPU", [(slot - timedelta(minutes=3), 17.0)])
    (ec2,) = await add_servers(service, 1, account_id=uuid.UUID(aws["id"]), native_id=instance)
    (vm,) = await add_servers(
        service, 1, account_id=uuid.UUID(azure["id"]), provider="azure",
        region="westeurope", native_type="azure.compute.virtual_machine", native_id=vm_id,
    )  # fmt: skip
    ghost = uuid.uuid4()
    await add_servers(service, 1, account_id=ghost)

    database, tables = service.app.state.database, service.app.state.tables
    replicas = await asyncio.gather(
        *(queue_due_jobs(database, tables, now, interval) for _ in range(3))
    )
    service.app.state.relay.wake()
    # The service's own scheduler ticks too (another replica): it may have queued some first.
    assert sum(replicas) <= 3
    assert await queue_due_jobs(database, tables, now, interval) == 0

    jobs = await _finished(service, slot, 3)
    by_account = {j["account_id"]: j for j in jobs}
    assert len(jobs) == 3, "one job per account and interval, whichever replica queued it"
    assert by_account[aws["id"]]["status"] == "succeeded", by_account[aws["id"]]
    assert by_account[aws["id"]]["points_stored"] == 1
    assert by_account[azure["id"]]["status"] == "succeeded", by_account[azure["id"]]
    assert (by_account[azure["id"]]["provider"], by_account[azure["id"]]["api_calls"]) == (
        "azure",
        1,
    )
    failed = by_account[str(ghost)]
    assert failed["status"] == "failed" and "not found" in failed["error"]
    assert await _cpu(service, ec2["asset_id"], slot) == [42.0]
    assert await _cpu(service, vm["asset_id"], slot) == [17.0]


async def test_on_demand_job_and_tenant_isolation(
    wired: MonitoringService, asset_service: AssetService, fresh_moto: str
) -> None:
    service = wired
    aws = await register_aws(asset_service.client, asset_service.auth(), fresh_moto)
    await add_servers(service, 2, account_id=uuid.UUID(aws["id"]))

    queued = await service.client.post(
        "/collection-jobs", json={"account_id": aws["id"]}, headers=service.auth(role="operator")
    )
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job["trigger"], job["provider"]) == ("manual", "aws")
    done = await wait_for(
        lambda: service.client.get(f"/collection-jobs/{job['id']}", headers=service.auth()),
        lambda answer: answer.json()["status"] in FINISHED,
        timeout=60,
    )
    assert done.json()["status"] == "succeeded" and done.json()["targets"] == 2
    await maintain(service.app.state.database, service.settings, datetime.now(UTC))
    manual = [j["id"] for j in await _jobs(service) if j["trigger"] == "manual"]
    assert manual == [job["id"]]
    later = datetime.now(UTC) + timedelta(days=service.settings.collection_job_retention_days + 1)
    await maintain(service.app.state.database, service.settings, later)
    left = [j for j in await _jobs(service) if j["status"] in FINISHED]
    assert left == [], "finished jobs are forgotten after their retention"

    theirs = service.auth("globex", "admin")
    assert (
        await service.client.get(f"/collection-jobs/{job['id']}", headers=theirs)
    ).status_code == 404
    assert await _jobs(service, "globex") == []
    refused = await service.client.post(
        "/collection-jobs", json={"account_id": aws["id"]}, headers=theirs
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "account_not_found"
    viewer = await service.client.post(
        "/collection-jobs", json={"account_id": aws["id"]}, headers=service.auth(role="viewer")
    )
    assert viewer.status_code == 403
