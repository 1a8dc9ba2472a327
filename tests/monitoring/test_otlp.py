"""OTLP/HTTP metrics push: protobuf and JSON bodies through the real endpoint, hosts
becoming on-premise server targets on first push, CPU utilisation mapped onto
``cpu_percent``, partial success for what cannot be used, tenants kept apart."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AGGREGATION_TEMPORALITY_CUMULATIVE,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
)

from tests.fixtures.monitoring import MonitoringService
from tests.monitoring.helpers import targets

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def _attrs(**values: str) -> list[KeyValue]:
    return [
        KeyValue(key=k.replace("_", "."), value=AnyValue(string_value=v)) for k, v in values.items()
    ]


def _point(at: datetime, value: float, **attrs: str) -> NumberDataPoint:
    nanos = int(at.timestamp() * 1e9)
    return NumberDataPoint(time_unix_nano=nanos, as_double=value, attributes=_attrs(**attrs))


def _host_metrics(at: datetime, **resource: str) -> ResourceMetrics:
    cpu = Metric(name="system.cpu.utilization", unit="1")
    cpu.gauge.data_points.extend([
        _point(at, 0.2, cpu="cpu0", state="user"),
        _point(at, 0.1, cpu="cpu0", state="system"),
        _point(at, 0.7, cpu="cpu0", state="idle"),
        _point(at, 0.5, cpu="cpu1", state="user"),
        _point(at, 0.5, cpu="cpu1", state="idle"),
    ])  # fmt: skip
    memory = Metric(name="system.memory.usage", unit="By")
    memory.gauge.data_points.extend(
        [_point(at, 100.0, state="used"), _point(at, 300.0, state="free")]
    )
    network = Metric(name="system.network.io", unit="By")
    network.sum.aggregation_temporality = AGGREGATION_TEMPORALITY_CUMULATIVE
    network.sum.is_monotonic = True
    network.sum.data_points.extend(
        [_point(at, 1000.0, direction="receive"), _point(at, 500.0, direction="transmit")]
    )
    latency = Metric(name="http.server.duration", unit="ms")
    latency.histogram.data_points.add(time_unix_nano=int(at.timestamp() * 1e9), count=3)
    latency.histogram.data_points.add(time_unix_nano=int(at.timestamp() * 1e9), count=4)
    rm = ResourceMetrics()
    rm.resource.attributes.extend(_attrs(**resource))
    rm.scope_metrics.add().metrics.extend([cpu, memory, network, latency])
    return rm


def _request(*resources: ResourceMetrics) -> ExportMetricsServiceRequest:
    return ExportMetricsServiceRequest(resource_metrics=list(resources))


async def _series(
    service: MonitoringService, asset_id: str, metric: str, at: datetime, tenant: str = "acme"
) -> list[float]:
    params = {
        "asset_id": asset_id,
        "metric": metric,
        "from": (at - timedelta(minutes=5)).isoformat(),
        "to": (at + timedelta(minutes=5)).isoformat(),
    }
    answer = await service.client.get("/series", params=params, headers=service.auth(tenant))
    assert answer.status_code == 200, answer.text
    return [p["avg"] for p in answer.json()["points"]]


def _host(found: list[dict[str, Any]], native_id: str) -> dict[str, Any]:
    return next(t for t in found if t["native_id"] == native_id)


async def test_protobuf_push_creates_the_host_and_maps_cpu(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    orphan = ResourceMetrics()
    orphan.scope_metrics.add().metrics.add(name="system.uptime").gauge.data_points.append(
        _point(at, 5.0)
    )
    body = _request(_host_metrics(at, host_id="b7f3-01", host_name="db-box"), orphan)

    answer = await service.client.post(
        "/v1/metrics", content=body.SerializeToString(), headers={**PROTOBUF, **service.auth()}
    )

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/x-protobuf"
    result = ExportMetricsServiceResponse.FromString(answer.content)
    assert result.partial_success.rejected_data_points == 3  # two histogram points, one orphan
    assert "host.id or host.name" in result.partial_success.error_message
    host = _host(await targets(service), "b7f3-01")
    assert (host["name"], host["category"], host["provider"]) == ("db-box", "server", "onprem")
    assert await _series(service, host["asset_id"], "cpu_percent", at) == [40.0]
    assert await _series(service, host["asset_id"], "system.memory.usage", at) == [200.0]
    # A cumulative sum is stored as its running total (summed over directions).
    assert await _series(service, host["asset_id"], "system.network.io", at) == [1500.0]


async def test_json_push_reuses_the_host_and_keeps_tenants_apart(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    first = _request(_host_metrics(at, host_name="web-7"))
    later = _request(_host_metrics(at + timedelta(seconds=30), host_name="web-7"))
    for body, extra in ((first, {}), (later, {"Content-Encoding": "gzip"})):
        text = json_format.MessageToJson(body).encode()
        content = gzip.compress(text) if extra else text
        answer = await service.client.post(
            "/v1/metrics", content=content, headers={**JSON, **extra, **service.auth()}
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["partialSuccess"]["rejectedDataPoints"] == "2"
    found = [t for t in await targets(service) if t["provider"] == "onprem"]
    assert [t["native_id"] for t in found] == ["web-7"]
    host = found[0]
    cpu = await _series(service, host["asset_id"], "cpu_percent", at)
    assert cpu == [40.0, 40.0]

    theirs = _request(_host_metrics(at, host_name="web-7"))
    pushed = await service.client.post(
        "/v1/metrics",
        content=theirs.SerializeToString(),
        headers={**PROTOBUF, **service.auth("globex")},
    )
    assert pushed.status_code == 200
    other = _host(await targets(service, "globex"), "web-7")
    assert other["asset_id"] != host["asset_id"]
    assert len([t for t in await targets(service) if t["provider"] == "onprem"]) == 1
    assert await _series(service, host["asset_id"], "cpu_percent", at, tenant="globex") == []


async def test_bad_requests_are_refused_clearly(monitoring_service: MonitoringService) -> None:
    service = monitoring_service
    body = _request(_host_metrics(datetime.now(UTC), host_name="x")).SerializeToString()
    garbage = await service.client.post(
        "/v1/metrics", content=b"\xff\x00not-protobuf", headers={**PROTOBUF, **service.auth()}
    )
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == "invalid_otlp"
    wrong = await service.client.post(
        "/v1/metrics", content=body, headers={"Content-Type": "text/plain", **service.auth()}
    )
    assert wrong.status_code == 415
    assert wrong.json()["error"]["code"] == "unsupported_media_type"
    viewer = await service.client.post(
        "/v1/metrics", content=body, headers={**PROTOBUF, **service.auth(role="viewer")}
    )
    assert viewer.status_code == 403
    anonymous = await service.client.post("/v1/metrics", content=body, headers=PROTOBUF)
    assert anonymous.status_code == 401
    assert [t for t in await targets(service) if t["provider"] == "onprem"] == []
