"""Azure Monitor metrics for Azure targets through ``azure-mgmt-monitor``.

One ``metrics.list`` call per resource, with every metric of its spec; calls
run a few at a time. azure-core's retry policy honours ``Retry-After`` on 429
(lowered from its default of 10 attempts), so throttling slows a run down
instead of failing it. The client's token comes from the job's
``AzureSession`` and lives only as long as the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from azure.mgmt.monitor.aio import MonitorManagementClient

from nephos_common.arm import arm_client_options
from nephos_common.cloud_sessions import AzureSession
from nephos_monitoring.collection.azure_specs import SPECS, MonitorSpec
from nephos_monitoring.collection.cloudwatch import Window
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.targets.models import Target

CONCURRENT_CALLS = 8
RETRY_TOTAL = 3


@dataclass
class AzureResult:
    points: list[Point]
    calls: int
    targets: int


def monitor_client(session: AzureSession) -> MonitorManagementClient:
    credential = session.credential()
    options = arm_client_options(credential, session.arm_url, retry_total=RETRY_TOTAL)
    return MonitorManagementClient(credential, session.subscription_id, **options)


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def interval_of(period: int) -> str:
    """The ISO 8601 grain Azure accepts for the window's period (PT1M, PT5M, PT1H...)."""
    return f"PT{period // 60}M" if period < 3600 else f"PT{period // 3600}H"


async def _one(
    client: MonitorManagementClient, target: Target, spec: MonitorSpec, window: Window
) -> list[Point]:
    answer = await client.metrics.list(
        target.native_id.lstrip("/"),
        timespan=f"{_iso(window.start)}/{_iso(window.end)}",
        interval=interval_of(window.period),
        metricnames=spec.names,
        aggregation=spec.aggregations,
    )
    by_name = {m.name: m for m in spec.metrics}
    points = []
    for metric in answer.value or []:
        wanted = by_name.get(metric.name.value if metric.name else "")
        if wanted is None:
            continue
        for series in metric.timeseries or []:
            for value in series.data or []:
                reading = getattr(value, wanted.aggregation)
                if reading is not None:
                    points.append(
                        Point(target.asset_id, wanted.metric, value.time_stamp, float(reading))
                    )
    return points


async def collect_azure(
    session: AzureSession, targets: Sequence[Target], window: Window
) -> AzureResult:
    """Every metric of the ``targets`` that have a spec, over the window."""
    known = [(t, SPECS[t.native_type]) for t in targets if t.native_type in SPECS]
    result = AzureResult(points=[], calls=0, targets=len(known))
    if not known:
        return result
    slots = asyncio.Semaphore(CONCURRENT_CALLS)
    async with monitor_client(session) as client:

        async def guarded(target: Target, spec: MonitorSpec) -> list[Point]:
            async with slots:
                return await _one(client, target, spec, window)

        answers = await asyncio.gather(*(guarded(t, s) for t, s in known))
    result.calls = len(known)
    result.points = [p for answer in answers for p in answer]
    return result
