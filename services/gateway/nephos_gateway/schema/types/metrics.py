"""Metric series and latest values, as charts and asset lists show them."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from nephos_gateway.clients import monitoring_models as m


@strawberry.enum(description="Raw points or rollup buckets; each bucket has avg, min and max.")
class MetricResolution(enum.Enum):
    RAW = "raw"
    FIVE_MINUTES = "5m"
    HOURLY = "1h"
    DAILY = "1d"


@strawberry.type(description="A raw point (avg = min = max) or a rollup bucket.")
class MetricPoint:
    ts: datetime = strawberry.field(description="The point's time, or its bucket's start.")
    avg: float
    min: float
    max: float


@strawberry.type(
    description=(
        "One metric of one asset over a range. The resolution follows from the range's length "
        "(raw up to 6 hours, 5-minute up to 2 days, hourly up to 60 days, then daily) unless "
        "a coarser one is asked for; points are the chart's, not pages."
    )
)
class MetricSeries:
    asset_id: strawberry.ID
    metric: str
    start: datetime = strawberry.field(name="from")
    end: datetime = strawberry.field(name="to")
    resolution: MetricResolution
    points: list[MetricPoint]

    @classmethod
    def of(cls, s: m.Series) -> MetricSeries:
        return cls(
            asset_id=strawberry.ID(s.asset_id),
            metric=s.metric,
            start=s.start,
            end=s.end,
            resolution=MetricResolution(s.resolution),
            points=[MetricPoint(ts=p.ts, avg=p.avg, min=p.min, max=p.max) for p in s.points],
        )


@strawberry.type(description="The newest point of one metric of an asset.")
class LatestMetric:
    metric: str = strawberry.field(description="e.g. cpu_percent.")
    value: float
    at: datetime

    @classmethod
    def of(cls, p: m.LatestPoint) -> LatestMetric:
        return cls(metric=p.metric, value=p.value, at=p.ts)
