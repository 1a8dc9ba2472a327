"""CloudWatch ``GetMetricData`` for AWS targets: up to 500 queries per call, paged.

One query per (target, metric) from the declarative specs in ``aws_specs``;
each query's id indexes the list of queries of its call, so results map back
without parsing labels. The client retries in botocore's ``standard`` mode,
which backs off on throttling (``Throttling``, HTTP 429) where the default
``legacy`` mode would not. Credentials are passed to the client for this run
only and kept nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from nephos_monitoring.collection.aws_specs import SPECS, CloudWatchSpec, MetricSpec
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.targets.models import Target

MAX_QUERIES_PER_CALL = 500


@dataclass(frozen=True)
class AwsKeys:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def client_kwargs(self, endpoint_url: str | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }
        if endpoint_url:
            kwargs["endpoint_url"] = endpoint_url
        return kwargs


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


@dataclass(frozen=True)
class Wanted:
    """One query: which target, which metric, and the dimension value naming it."""

    target: Target
    spec: CloudWatchSpec
    metric: MetricSpec
    dimension_value: str


def wanted(targets: Sequence[Target]) -> list[Wanted]:
    """Every (target, metric) the specs know; targets of other types are ignored."""
    found: list[Wanted] = []
    for target in targets:
        spec = SPECS.get(target.native_type)
        value = spec.dimension_value(target) if spec else None
        if spec is None or value is None:
            continue
        found.extend(Wanted(target, spec, metric, value) for metric in spec.metrics)
    return found


def _query(index: int, item: Wanted, period: int) -> dict[str, Any]:
    return {
        "Id": f"q{index}",
        "MetricStat": {
            "Metric": {
                "Namespace": item.spec.namespace,
                "MetricName": item.metric.name,
                "Dimensions": [{"Name": item.spec.dimension, "Value": item.dimension_value}],
            },
            "Period": period,
            "Stat": item.metric.stat,
        },
        "ReturnData": True,
    }


def client_config() -> AioConfig:
    """``standard`` retries back off on throttling (botocore's default mode does not)."""
    return AioConfig(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=10)


async def collect_region(
    client_kwargs: dict[str, Any],
    region: str,
    targets: Sequence[Target],
    window: Window,
) -> RegionResult:
    """Every metric of ``targets`` (all in ``region``) over the window."""
    queries = wanted(targets)
    session: Any = get_session()
    result = RegionResult(points=[], calls=0, queries=len(queries))
    if not queries:
        return result
    async with session.create_client(
        "cloudwatch", region_name=region, config=client_config(), **client_kwargs
    ) as client:
        for offset in range(0, len(queries), MAX_QUERIES_PER_CALL):
            chunk = queries[offset : offset + MAX_QUERIES_PER_CALL]
            await _fetch_chunk(client, chunk, window, result)
    return result


async def _fetch_chunk(
    client: Any, chunk: list[Wanted], window: Window, result: RegionResult
) -> None:
    queries = [_query(i, item, window.period) for i, item in enumerate(chunk)]
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
        for data in answer.get("MetricDataResults", []):
            item = chunk[int(data["Id"][1:])]
            asset, metric = item.target.asset_id, item.metric.metric
            for ts, value in zip(data.get("Timestamps", []), data.get("Values", []), strict=False):
                result.points.append(Point(asset, metric, ts, float(value)))
        token = answer.get("NextToken")
        if not token:
            return
