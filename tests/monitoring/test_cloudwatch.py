"""CloudWatch collection against moto in server mode: real PutMetricData (boto3),
real GetMetricData (aiobotocore), batched by 500 queries, credentials never kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import ACCOUNT, add_servers

SECRET = "never-log-this-secret-key"


def _put_cpu(endpoint: str, points: dict[str, list[tuple[datetime, float]]]) -> None:
    client = boto3.client(
        "cloudwatch",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="AKIDSEED",
        aws_secret_access_key="seed",
    )
    for instance, series in points.items():
        client.put_metric_data(
            Namespace="AWS/EC2",
            MetricData=[
                {
                    "MetricName": "CPUUtilization",
                    "Dimensions": [{"Name": "InstanceId", "Value": instance}],
                    "Timestamp": ts,
                    "Value": value,
                    "Unit": "Percent",
                }
                for ts, value in series
            ],
        )


async def _collect(service: MonitoringService, moto: str, end: datetime) -> dict[str, Any]:
    body = {
        "account_id": str(ACCOUNT),
        "regions": ["us-east-1"],
        "access_key_id": "AKIDCOLLECT",
        "secret_access_key": SECRET,
        "endpoint_url": moto,
        "end": end.isoformat(),
        "lookback_seconds": 600,
    }
    answer = await service.client.post("/collections", json=body, headers=service.auth())
    assert answer.status_code == 200, answer.text
    assert SECRET not in answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_collects_ec2_cpu_in_batches_and_feeds_the_overview(
    monitoring_service: MonitoringService, fresh_moto: str, caplog: pytest.LogCaptureFixture
) -> None:
    service = monitoring_service
    servers = await add_servers(service, 168)
    await add_servers(service, 1, state="stopped")
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    readings = {0: (10.0, 14.0), 1: (50.0, 54.0), 2: (95.0, 99.0)}
    seeded = {
        servers[i]["native_id"]: [(end - timedelta(minutes=4), a), (end - timedelta(minutes=3), b)]
        for i, (a, b) in readings.items()
    }
    await asyncio.to_thread(_put_cpu, fresh_moto, seeded)

    result = await _collect(service, fresh_moto, end)
    # Six EC2 metrics per instance: 1,008 queries in calls of at most 500.
    assert (result["targets"], result["queries"], result["api_calls"]) == (168, 1008, 3)
    assert result["points_stored"] == 6
    again = await _collect(service, fresh_moto, end)
    assert again["points_stored"] == 0
    assert SECRET not in caplog.text

    series = await service.client.get(
        "/series",
        params={
            "asset_id": str(servers[2]["asset_id"]),
            "metric": "cpu_percent",
            "from": (end - timedelta(hours=1)).isoformat(),
            "to": end.isoformat(),
        },
        headers=service.auth(),
    )
    body = series.json()
    assert body["resolution"] == "raw"
    assert [p["avg"] for p in body["points"]] == [95.0, 99.0]

    overview = (await service.client.get("/overview", headers=service.auth())).json()
    assert overview["cpu_histogram"] == {"0-20": 1, "20-40": 0, "40-60": 1, "60-80": 0, "80-100": 1}
    assert overview["by_status"]["normal"] == 3
    assert overview["by_status"]["stopped"] == 1
    assert overview["by_status"]["no_data"] == 165
    other = (await service.client.get("/overview", headers=service.auth("globex"))).json()
    assert other["targets_total"] == 0 and sum(other["cpu_histogram"].values()) == 0


async def test_endpoint_override_is_refused_where_disabled(
    monitoring_service: MonitoringService, fresh_moto: str
) -> None:
    service = monitoring_service
    service.app.state.settings = service.settings.model_copy(
        update={"allow_endpoint_override": False}
    )
    body = {
        "account_id": str(ACCOUNT),
        "access_key_id": "AKIDCOLLECT",
        "secret_access_key": SECRET,
        "endpoint_url": fresh_moto,
    }
    answer = await service.client.post("/collections", json=body, headers=service.auth())
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "endpoint_override_disabled"
    assert SECRET not in answer.text
