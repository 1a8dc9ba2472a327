"""Which Azure Monitor metrics each kind of Azure target has, as data.

One ``MonitorSpec`` per native type: the metrics (our name, Azure's metric
name, the aggregation whose value we keep). A metrics query asks for every
metric of a resource at once (Azure allows up to 20 names per call).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AzureMetric:
    metric: str
    name: str
    aggregation: str
    """``average``, ``total``, ``maximum``, ``minimum`` or ``count``."""


@dataclass(frozen=True)
class MonitorSpec:
    native_type: str
    metrics: tuple[AzureMetric, ...]

    @property
    def names(self) -> str:
        return ",".join(m.name for m in self.metrics)

    @property
    def aggregations(self) -> str:
        return ",".join(sorted({m.aggregation for m in self.metrics}))


VIRTUAL_MACHINE = MonitorSpec(
    native_type="azure.compute.virtual_machine",
    metrics=(
        AzureMetric("cpu_percent", "Percentage CPU", "average"),
        AzureMetric("network_in_bytes", "Network In Total", "total"),
        AzureMetric("network_out_bytes", "Network Out Total", "total"),
        AzureMetric("disk_read_bytes", "Disk Read Bytes", "total"),
        AzureMetric("disk_write_bytes", "Disk Write Bytes", "total"),
    ),
)

SQL_DATABASE = MonitorSpec(
    native_type="azure.sql.database",
    metrics=(
        AzureMetric("cpu_percent", "cpu_percent", "average"),
        AzureMetric("storage_percent", "storage_percent", "maximum"),
    ),
)

POSTGRESQL_SERVER = MonitorSpec(
    native_type="azure.postgresql.flexible_server",
    metrics=(
        AzureMetric("cpu_percent", "cpu_percent", "average"),
        AzureMetric("db_connections", "active_connections", "average"),
        AzureMetric("storage_percent", "storage_percent", "maximum"),
    ),
)

SPECS: dict[str, MonitorSpec] = {
    s.native_type: s for s in (VIRTUAL_MACHINE, SQL_DATABASE, POSTGRESQL_SERVER)
}
