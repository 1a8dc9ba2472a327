"""Every AWS metric spec against moto in server mode: real PutMetricData (boto3) for
EC2, RDS, ALB and classic ELB, read back by the real GetMetricData; throttling
(HTTP 429 Throttling) retried by botocore's standard mode."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import boto3
from aiohttp import web

from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import ACCOUNT, add_servers

REGION = "us-east-1"
ALB_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
)
NLB_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/net/tcp/70dc6c495c0c9188"
)
RDS_ARN = f"arn:aws:rds:{REGION}:123456789012:db:orders-db"


def _put(endpoint: str, namespace: str, dimension: tuple[str, str], values: dict[str, Any]) -> None:
    client = boto3.client(
        "cloudwatch",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="AKIDSEED",
        aws_secret_access_key="seed",
    )
    name, value = dimension
    client.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": name, "Value": value}],
                "Timestamp": ts,
                "Value": reading,
            }
            for metric, series in values.items()
            for ts, reading in series
        ],
    )


async def _collect(service: MonitoringService, endpoint: str, end: datetime) -> dict[str, Any]:
    body = {
        "account_id": str(ACCOUNT),
        "regions": [REGION],
        "access_key_id": "AKIDCOLLECT",
        "secret_access_key": "collect-secret",
        "endpoint_url": endpoint,
        "end": end.isoformat(),
        "lookback_seconds": 600,
    }
    answer = await service.client.post("/collections", json=body, headers=service.auth())
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def _values(
    service: MonitoringService, asset_id: Any, metric: str, end: datetime, tenant: str = "acme"
) -> list[float]:
    params = {
        "asset_id": str(asset_id),
        "metric": metric,
        "from": (end - timedelta(hours=1)).isoformat(),
        "to": end.isoformat(),
    }
    answer = await service.client.get("/series", params=params, headers=service.auth(tenant))
    assert answer.status_code == 200, answer.text
    return [p["avg"] for p in answer.json()["points"]]


async def test_ec2_rds_and_load_balancer_metrics(
    monitoring_service: MonitoringService, fresh_moto: str
) -> None:
    service = monitoring_service
    (ec2,) = await add_servers(service, 1)
    (rds,) = await add_servers(
        service, 1, category="database", native_type="aws.rds.db_instance", native_id=RDS_ARN
    )
    alb, nlb = await add_servers(
        service, 2, category="load_balancer", native_type="aws.elbv2.load_balancer",
        native_id=ALB_ARN,
    )  # fmt: skip
    # The second load balancer is a network one: no ALB metrics, so no queries.
    await service.publish(_changed_native_id(nlb, NLB_ARN))
    (elb,) = await add_servers(
        service, 1, category="load_balancer", native_type="aws.elb.load_balancer",
        native_id="legacy-web",
    )  # fmt: skip
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    at = end - timedelta(minutes=3)
    puts = [
        ("AWS/EC2", ("InstanceId", ec2["native_id"]),
         {"NetworkIn": [(at, 2048.0)], "EBSWriteBytes": [(at, 512.0)],
          "StatusCheckFailed": [(at, 1.0)]}),
        ("AWS/RDS", ("DBInstanceIdentifier", "orders-db"),
         {"CPUUtilization": [(at, 33.0)], "DatabaseConnections": [(at, 12.0)],
          "FreeStorageSpace": [(at, 5e9)]}),
        ("AWS/ApplicationELB", ("LoadBalancer", "app/web/50dc6c495c0c9188"),
         {"RequestCount": [(at, 120.0)], "HTTPCode_ELB_5XX_Count": [(at, 3.0)]}),
        ("AWS/ELB", ("LoadBalancerName", "legacy-web"), {"RequestCount": [(at, 40.0)]}),
    ]  # fmt: skip
    for namespace, dimension, values in puts:
        await asyncio.to_thread(_put, fresh_moto, namespace, dimension, values)

    result = await _collect(service, fresh_moto, end)

    assert result["queries"] == 6 + 3 + 2 + 2
    assert result["points_stored"] == 9
    expected = [
        (ec2, "network_in_bytes", [2048.0]),
        (ec2, "disk_write_bytes", [512.0]),
        (ec2, "status_check_failed", [1.0]),
        (ec2, "cpu_percent", []),
        (rds, "cpu_percent", [33.0]),
        (rds, "db_connections", [12.0]),
        (rds, "free_storage_bytes", [5e9]),
        (alb, "request_count", [120.0]),
        (alb, "http_5xx_count", [3.0]),
        (elb, "request_count", [40.0]),
    ]
    for asset, metric, readings in expected:
        assert await _values(service, asset["asset_id"], metric, end) == readings, metric
    assert await _values(service, alb["asset_id"], "request_count", end, "globex") == []


def _changed_native_id(fields: dict[str, Any], native_id: str) -> Any:
    from tests.monitoring.helpers import changed

    return changed("acme", {**fields, "native_id": native_id})


@asynccontextmanager
async def throttling_proxy(upstream: str, times: int) -> AsyncIterator[tuple[str, list[int]]]:
    """A proxy to moto that answers the first ``times`` requests with 429 Throttling,
    in the wire format CloudWatch uses for errors."""
    answered: list[int] = []
    async with aiohttp.ClientSession(auto_decompress=False) as session:

        async def forward(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            if len(answered) < times:
                answered.append(429)
                return web.Response(
                    status=429,
                    text=json.dumps({"__type": "Throttling", "message": "Rate exceeded"}),
                    headers={
                        "Content-Type": "application/x-amz-json-1.0",
                        "x-amzn-query-error": "Throttling;Sender",
                    },
                )
            answered.append(200)
            skip = {"host", "content-length", "transfer-encoding", "connection"}
            headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
            async with session.request(
                request.method, upstream + request.path_qs, headers=headers, data=body
            ) as answer:
                content = await answer.read()
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in skip}
                kept.pop("Content-Encoding", None)
                return web.Response(status=answer.status, body=content, headers=kept)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", forward)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            host, port = runner.addresses[0][:2]
            yield f"http://{host}:{port}", answered
        finally:
            await runner.cleanup()


async def test_throttled_calls_are_retried(
    monitoring_service: MonitoringService, fresh_moto: str
) -> None:
    service = monitoring_service
    (ec2,) = await add_servers(service, 1, native_id=f"i-{uuid.uuid4().hex[:17]}")
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    values = {"CPUUtilization": [(end - timedelta(minutes=2), 61.0)]}
    await asyncio.to_thread(_put, fresh_moto, "AWS/EC2", ("InstanceId", ec2["native_id"]), values)

    async with throttling_proxy(fresh_moto, times=2) as (proxy, answered):
        result = await _collect(service, proxy, end)

    assert answered == [429, 429, 200]
    assert (result["api_calls"], result["points_stored"]) == (1, 1)
    assert await _values(service, ec2["asset_id"], "cpu_percent", end) == [61.0]
