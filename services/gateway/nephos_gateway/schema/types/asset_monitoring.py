"""Monitoring fields of assets and service groups: open incidents, latest metrics,
series, a group's status.

Resolvers kept apart from the types they extend and attached there with
``strawberry.field(resolver=...)``. Each goes through the request's batch
loaders (``schema.monitoring_batch``): a list of any length costs one
monitoring call per field, not one per asset or group.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from nephos_gateway.clients.monitoring import SeriesWindow
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.incidents import Incident
from nephos_gateway.schema.types.metrics import LatestMetric, MetricResolution, MetricSeries
from nephos_gateway.schema.types.monitoring import MonitoringOverview

Info = strawberry.Info[GatewayContext]


async def open_incidents(root: Any, info: Info) -> list[Incident]:
    found = await info.context.monitoring_batch.open_incidents_of.load(str(root.id))
    return [Incident.of(i) for i in found]


async def latest_metrics(
    root: Any,
    info: Info,
    metrics: Annotated[
        list[str] | None, strawberry.argument(description="e.g. [cpu_percent]; all when null.")
    ] = None,
) -> list[LatestMetric]:
    found = await info.context.monitoring_batch.latest_of.load(str(root.id))
    wanted = set(metrics) if metrics is not None else None
    return [LatestMetric.of(p) for p in found if wanted is None or p.metric in wanted]


async def metric_series(
    root: Any,
    info: Info,
    metric: str,
    start: Annotated[datetime, strawberry.argument(name="from")],
    to: datetime,
    resolution: Annotated[
        MetricResolution | None,
        strawberry.argument(
            description="Coarser than the range's own if wanted; finer is refused."
        ),
    ] = None,
) -> MetricSeries | None:
    window = SeriesWindow(metric, start, to, resolution.value if resolution else None)
    found = await info.context.monitoring_batch.series_of.load((str(root.id), window))
    return MetricSeries.of(found) if found else None


async def group_status(root: Any, info: Info) -> MonitoringOverview:
    found = await info.context.monitoring_batch.group_status.load(str(root.id))
    return MonitoringOverview.of(found) if found else MonitoringOverview.empty()


INCIDENTS_HELP = "Its open (or acknowledged) incidents; at most one is open per asset."
LATEST_HELP = "The newest point of each of its metrics (CPU, memory, ...), by metric name."
SERIES_HELP = "One of its metrics over a range, as a chart shows it."
GROUP_STATUS_HELP = "The monitoring overview of its members: status counts, CPU, firing alerts."
