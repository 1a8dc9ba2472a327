"""Metric storage: raw points in daily range partitions, 5-minute, hourly and daily
rollups, the latest value.

Core tables, not ORM classes: points are written and read in bulk, never as objects.
The partitions themselves are created by ``metrics.partitions``, not by the metadata.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, PrimaryKeyConstraint, String, Table, Uuid

from nephos_monitoring.db import Base

POINTS = Table(
    "metric_points",
    Base.metadata,
    Column("tenant", String(100), nullable=False),
    Column("asset_id", Uuid, nullable=False),
    Column("metric", String(100), nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("tenant", "asset_id", "metric", "ts"),
    postgresql_partition_by="RANGE (ts)",
)


def _rollup(name: str) -> Table:
    """One rollup table: count, sum, min and max of a series per bucket."""
    return Table(
        name,
        Base.metadata,
        Column("tenant", String(100), nullable=False),
        Column("asset_id", Uuid, nullable=False),
        Column("metric", String(100), nullable=False),
        Column("bucket", DateTime(timezone=True), nullable=False),
        Column("count", Integer, nullable=False),
        Column("sum", Float, nullable=False),
        Column("min", Float, nullable=False),
        Column("max", Float, nullable=False),
        PrimaryKeyConstraint("tenant", "asset_id", "metric", "bucket"),
    )


ROLLUP_5M = _rollup("metric_rollups_5m")
ROLLUP_1H = _rollup("metric_rollups_1h")
ROLLUP_1D = _rollup("metric_rollups_1d")

ROLLUPS = {"5m": ROLLUP_5M, "1h": ROLLUP_1H, "1d": ROLLUP_1D}
"""Every rollup by its resolution, finest first."""

LATEST = Table(
    "metric_latest",
    Base.metadata,
    Column("tenant", String(100), nullable=False),
    Column("asset_id", Uuid, nullable=False),
    Column("metric", String(100), nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("tenant", "asset_id", "metric"),
)
