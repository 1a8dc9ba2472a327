"""Metric storage: raw points in daily range partitions, an hourly rollup, the latest value.

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

ROLLUP_1H = Table(
    "metric_rollups_1h",
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
