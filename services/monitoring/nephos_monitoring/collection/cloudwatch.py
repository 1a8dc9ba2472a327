"""CloudWatch ``GetMetricData`` for EC2 targets: up to 500 queries per call, paged.

One query per (instance, metric); each query's id indexes the list of queries
of its call, so results map back without parsing labels. Credentials are
passed to the client for this run only and kept nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from nephos_monitoring.metrics.store import Point
from nephos_monitoring.targets.models import Target

MAX_QUERIES_PER_CALL = 500


@dataclass(frozen=True)
class MetricSpec:
    """How one of our metric names reads from CloudWatch."""

    metric: str
    namespace: str
    name: str
    dimension: str
    stat: str


EC2_METRICS = (
    MetricSpec("cpu_percent", "AWS/EC2", "CPUUtilization", "InstanceId", "Average"),
    MetricSpec("network_in_bytes", "AWS/EC2", "NetworkIn", "InstanceId", "Sum"),
    MetricSpec("network_out_bytes", "AWS/EC2", "NetworkOut", "InstanceId", "Sum"),
)


@dataclass(frozen=True)
class AwsKeys:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    period: int


@dataclass
class RegionResult:
    points: list[Point]
    calls: int
    queries: int


def _query(index: int, target: Target, spec: MetricSpec, period: int) -> dict[str, Any]:
    return {
        "Id": f"q{index}",
        "MetricStat": {
            "Metric": {
                "Namespace": spec.namespace,
                "MetricName": spec.name,
                "Dimensions": [{"Name": spec.dimension, "Value": target.native_id}],
            },
            "Period": period,
            "Stat": spec.stat,
        },
        "ReturnData": True,
    }


def client_config() -> AioConfig:
    """``standard`` retries back off on throttling (botocore's default mode does not)."""
    return AioConfig(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=10)


async def collect_region(
    keys: AwsKeys,
    region: str,
    targets: Sequence[Target],
    window: Window,
    endpoint_url: str | None = None,
) -> RegionResult:
    """Every EC2 metric of ``targets`` (all in ``region``) over the window."""
    wanted = [(t, spec) for t in targets for spec in EC2_METRICS]
    session: Any = get_session()
    result = RegionResult(points=[], calls=0, queries=len(wanted))
    async with session.create_client(
        "cloudwatch",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
        config=client_config(),
    ) as client:
        for offset in range(0, len(wanted), MAX_QUERIES_PER_CALL):
            chunk = wanted[offset : offset + MAX_QUERIES_PER_CALL]
            await _fetch_chunk(client, chunk, window, result)
    return result


async def _fetch_chunk(
    client: Any, chunk: list[tuple[Target, MetricSpec]], window: Window, result: RegionResult
) -> None:
    queries = [_query(i, t, spec, window.period) for i, (t, spec) in enumerate(chunk)]
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        answer = await client.get_metric_data(
            MetricDataQueries=queries,
            StartTime=window.start,
            EndTime=window.end,
            ScanBy="TimestampAscending",
            **extra,
        )
        result.calls += 1
        for item in answer.get("MetricDataResults", []):
            target, spec = chunk[int(item["Id"][1:])]
            for ts, value in zip(item.get("Timestamps", []), item.get("Values", []), strict=False):
                result.points.append(Point(target.asset_id, spec.metric, ts, float(value)))
        token = answer.get("NextToken")
        if not token:
            return
