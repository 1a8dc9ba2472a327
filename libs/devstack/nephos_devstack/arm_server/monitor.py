"""Azure Monitor's metrics API on the stand-in: ``GET {resourceId}/providers/
Microsoft.Insights/metrics?timespan=&interval=&metricnames=&aggregation=``.

Answers in Azure Monitor's own shape: one entry per metric name, each with
one time series whose ``data`` has one element per interval from the start
of the timespan; an interval without data carries only ``timeStamp``, as
Azure's does. Values are the ones seeded with ``monitor_of(server).seed``;
a metric that the resource type does not define gets Azure's 400, a
resource the server does not hold its 404. Throttling is the server's usual
fault: ``server.throttle(METRICS_OPERATION, times, retry_after)``.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nephos_devstack.arm_server.store import ArmServer, parent_id

METRICS_OPERATION = "microsoft.insights/metrics"
_SUFFIX = ["providers", "microsoft.insights", "metrics"]
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")

DEFINITIONS: dict[str, dict[str, str]] = {
    "microsoft.compute/virtualmachines": {
        "Percentage CPU": "Percent",
        "Network In Total": "Bytes",
        "Network Out Total": "Bytes",
        "Disk Read Bytes": "Bytes",
        "Disk Write Bytes": "Bytes",
        "Available Memory Bytes": "Bytes",
    },
    "microsoft.sql/servers/databases": {
        "cpu_percent": "Percent",
        "storage_percent": "Percent",
        "connection_successful": "Count",
        "dtu_consumption_percent": "Percent",
    },
    "microsoft.dbforpostgresql/flexibleservers": {
        "cpu_percent": "Percent",
        "memory_percent": "Percent",
        "active_connections": "Count",
        "storage_percent": "Percent",
    },
}
"""Metric names (and units) each resource type defines, as Azure's metric definitions."""


@dataclass
class MonitorData:
    """Seeded samples: (lower-case resource id, metric name) -> [(time, value)]."""

    samples: dict[tuple[str, str], list[tuple[datetime, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def seed(self, resource_id: str, metric: str, points: list[tuple[datetime, float]]) -> None:
        self.samples[(resource_id.lower(), metric)].extend(points)

    def clear(self) -> None:
        self.samples.clear()


_DATA: weakref.WeakKeyDictionary[ArmServer, MonitorData] = weakref.WeakKeyDictionary()


def monitor_of(server: ArmServer) -> MonitorData:
    """The metric samples of one stand-in server (created empty on first use)."""
    if server not in _DATA:
        _DATA[server] = MonitorData()
    return _DATA[server]


def is_metrics_path(parts: list[str]) -> bool:
    return len(parts) > 5 and [p.lower() for p in parts[-3:]] == _SUFFIX


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def _resource_kind(parts: list[str]) -> tuple[str, str | None]:
    """The resource's collection key and, for a child, its parent's id."""
    lowered = [p.lower() for p in parts]
    at = lowered.index("providers")
    typed = lowered[at + 1 :]
    kind = "/".join([typed[0], *typed[1::2]])
    resource_id = "/" + "/".join(lowered)
    return kind, parent_id(resource_id) if kind.count("/") >= 2 else None


def _exists(arm: ArmServer, resource_id: str, kind: str, parent: str | None) -> bool:
    items = arm.children(parent, kind) if parent else arm.collection(kind)
    return any(str(i.get("id", "")).lower() == resource_id for i in items)


def _duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.upper())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _timespan(text: str) -> tuple[datetime, datetime] | None:
    try:
        start, end = (datetime.fromisoformat(p.replace("Z", "+00:00")) for p in text.split("/"))
    except ValueError:
        return None
    return (start.astimezone(UTC), end.astimezone(UTC)) if start < end else None


def _aggregate(values: list[float], aggregations: list[str]) -> dict[str, float]:
    if not values:
        return {}
    known = {
        "average": sum(values) / len(values),
        "total": sum(values),
        "minimum": min(values),
        "maximum": max(values),
        "count": float(len(values)),
    }
    return {name: known[name] for name in aggregations if name in known}


def _series(
    samples: list[tuple[datetime, float]],
    span: tuple[datetime, datetime],
    grain: timedelta,
    aggregations: list[str],
) -> list[dict[str, object]]:
    start, end = span
    data = []
    at = start
    while at < end:
        values = [v for ts, v in samples if at <= ts < at + grain]
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        data.append({"timeStamp": stamp, **_aggregate(values, aggregations)})
        at += grain
    return data


def _metric_entry(
    resource_id: str, name: str, unit: str, data: list[dict[str, object]]
) -> dict[str, object]:
    return {
        "id": f"{resource_id}/providers/Microsoft.Insights/metrics/{name}",
        "type": "Microsoft.Insights/metrics",
        "name": {"value": name, "localizedValue": name},
        "displayDescription": "",
        "unit": unit,
        "timeseries": [{"metadatavalues": [], "data": data}],
        "errorCode": "Success",
    }


async def metrics(request: Request, arm: ArmServer, parts: list[str]) -> Response:
    """Answer one metrics query (see the module docstring)."""
    query = request.query_params
    if "api-version" not in query:
        return _error(
            400, "MissingApiVersionParameter", "The api-version query parameter is required."
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not arm.token_valid(token):
        return _error(401, "InvalidAuthenticationToken", "The access token is invalid.")
    arm.calls[METRICS_OPERATION] += 1
    if arm.take_throttle(METRICS_OPERATION):
        retry = {"Retry-After": f"{arm.faults.retry_after:g}"}
        return _error(429, "TooManyRequests", "The request is being throttled.", retry)
    resource_parts = parts[:-3]
    resource_id = "/" + "/".join(p.lower() for p in resource_parts)
    kind, parent = _resource_kind(resource_parts)
    if not _exists(arm, resource_id, kind, parent):
        return _error(404, "ResourceNotFound", f"The resource '{resource_id}' was not found.")
    return _answer(arm, resource_id, kind, query.get("metricnames", ""), dict(query))


def _answer(
    arm: ArmServer, resource_id: str, kind: str, names: str, query: dict[str, str]
) -> Response:
    defined = DEFINITIONS.get(kind, {})
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in defined]
    if not wanted or unknown:
        message = f"Failed to find metric configuration for provider: {kind}, metrics: {unknown}"
        return _error(400, "BadRequest", message)
    span = _timespan(query.get("timespan", ""))
    grain = _duration(query.get("interval", "PT1M"))
    if span is None or grain is None:
        return _error(400, "BadRequest", "Invalid timespan or interval.")
    aggregations = [a.strip().lower() for a in query.get("aggregation", "average").split(",")]
    data = monitor_of(arm)
    value = [
        _metric_entry(
            resource_id,
            name,
            defined[name],
            _series(data.samples.get((resource_id, name), []), span, grain, aggregations),
        )
        for name in wanted
    ]
    body = {
        "cost": 0,
        "timespan": query["timespan"],
        "interval": query.get("interval", "PT1M"),
        "value": value,
        "namespace": kind,
        "resourceregion": arm.config.locations[0],
    }
    return JSONResponse(body)
