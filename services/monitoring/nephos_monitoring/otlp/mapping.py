"""From OTLP metrics to our points, per host.

- A resource is a machine named by ``host.id`` (preferred) or ``host.name``;
  a resource with neither is rejected (its data points counted as rejected).
- Gauge and sum data points are kept; histograms, exponential histograms and
  summaries are rejected.
- ``system.cpu.utilization`` (a 0..1 ratio per ``cpu`` and ``state``) becomes
  our ``cpu_percent``: per CPU the busy share (1 - idle, or the sum of the
  non-idle states when idle is not reported), averaged over CPUs, times 100.
- Every other metric keeps its OTLP name (lower-cased). Data points of one
  metric at one timestamp that differ only in attributes are combined:
  gauges averaged, sums added (totals over devices or directions).
- Sums are stored as they arrive: a cumulative sum is stored as its running
  total, not converted to a rate; a chart or rule over it sees the counter.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric, NumberDataPoint

from nephos_monitoring.metrics.schemas import METRIC_NAME

CPU_UTILIZATION = "system.cpu.utilization"
CPU_METRIC = "cpu_percent"
NO_RECORDED_VALUE = 1
_NAME = re.compile(METRIC_NAME)


@dataclass(frozen=True)
class Host:
    key: str
    name: str


@dataclass
class HostPoints:
    host: Host
    points: dict[tuple[str, datetime], float] = field(default_factory=dict)


@dataclass
class Mapped:
    hosts: dict[str, HostPoints] = field(default_factory=dict)
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def reject(self, count: int, reason: str) -> None:
        if count:
            self.rejected += count
            if reason not in self.reasons:
                self.reasons.append(reason)


def attributes(pairs: Iterable[KeyValue]) -> dict[str, str]:
    """String, int, double and bool attribute values as text; others are ignored."""
    found = {}
    for pair in pairs:
        kind = pair.value.WhichOneof("value")
        if kind in ("string_value", "int_value", "double_value", "bool_value"):
            found[pair.key] = str(getattr(pair.value, kind))
    return found


def host_of(resource: dict[str, str]) -> Host | None:
    key = resource.get("host.id") or resource.get("host.name")
    if not key:
        return None
    return Host(key=key[:500], name=(resource.get("host.name") or key)[:500])


def _number(point: NumberDataPoint) -> float | None:
    kind = point.WhichOneof("value")
    value = float(point.as_double if kind == "as_double" else point.as_int)
    return value if kind and math.isfinite(value) else None


def _when(point: NumberDataPoint) -> datetime | None:
    nanos = point.time_unix_nano
    return datetime.fromtimestamp(nanos / 1e9, UTC) if nanos else None


def data_points(metric: Metric) -> tuple[str | None, list[NumberDataPoint]]:
    kind = metric.WhichOneof("data")
    if kind == "gauge":
        return kind, list(metric.gauge.data_points)
    if kind == "sum":
        return kind, list(metric.sum.data_points)
    holder = getattr(metric, kind) if kind else None
    return None, list(getattr(holder, "data_points", []))


def _readings(
    points: list[NumberDataPoint], mapped: Mapped
) -> Iterator[tuple[datetime, dict[str, str], float]]:
    for point in points:
        if point.flags & NO_RECORDED_VALUE:
            continue
        when, value = _when(point), _number(point)
        if when is None or value is None:
            mapped.reject(1, "data points need a time and a finite value")
            continue
        yield when, attributes(point.attributes), value


def _cpu_percent(readings: list[tuple[datetime, dict[str, str], float]]) -> dict[datetime, float]:
    by_cpu: dict[datetime, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for when, attrs, value in readings:
        by_cpu[when][attrs.get("cpu", "")][attrs.get("state", "")] = value
    result = {}
    for when, cpus in by_cpu.items():
        busy = [1 - s["idle"] if "idle" in s else sum(s.values()) for s in cpus.values()]
        result[when] = 100 * sum(busy) / len(busy)
    return result


def _combined(
    readings: list[tuple[datetime, dict[str, str], float]], kind: str
) -> dict[datetime, float]:
    grouped: dict[datetime, list[float]] = defaultdict(list)
    for when, _, value in readings:
        grouped[when].append(value)
    if kind == "sum":
        return {when: sum(values) for when, values in grouped.items()}
    return {when: sum(values) / len(values) for when, values in grouped.items()}


def _add_metric(target: HostPoints, metric: Metric, mapped: Mapped) -> None:
    kind, points = data_points(metric)
    if kind is None:
        mapped.reject(len(points), "only gauge and sum metrics are accepted")
        return
    name = metric.name.lower()
    if name != CPU_UTILIZATION and not _NAME.match(name):
        mapped.reject(len(points), f"metric name {metric.name[:100]!r} is not accepted")
        return
    readings = list(_readings(points, mapped))
    if name == CPU_UTILIZATION:
        values, name = _cpu_percent(readings), CPU_METRIC
    else:
        values = _combined(readings, kind)
    for when, value in values.items():
        target.points[(name, when)] = value


def map_request(request: ExportMetricsServiceRequest) -> Mapped:
    mapped = Mapped()
    for resource_metrics in request.resource_metrics:
        host = host_of(attributes(resource_metrics.resource.attributes))
        metrics = [m for scope in resource_metrics.scope_metrics for m in scope.metrics]
        if host is None:
            count = sum(len(data_points(m)[1]) for m in metrics)
            mapped.reject(count, "a resource needs host.id or host.name")
            continue
        target = mapped.hosts.setdefault(host.key, HostPoints(host))
        for metric in metrics:
            _add_metric(target, metric, mapped)
    return mapped
