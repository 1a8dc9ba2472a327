"""Which CloudWatch metrics each kind of AWS target has, as data.

One ``CloudWatchSpec`` per native type: the namespace, the dimension that
names the resource and how its value derives from the target, and the
metrics (our name, CloudWatch's name, the statistic). A new resource type is
a new spec here and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nephos_monitoring.targets.models import Target


@dataclass(frozen=True)
class MetricSpec:
    """How one of our metric names reads from CloudWatch."""

    metric: str
    name: str
    stat: str


@dataclass(frozen=True)
class CloudWatchSpec:
    native_type: str
    namespace: str
    dimension: str
    dimension_value: Callable[[Target], str | None]
    """``None``: this target has no CloudWatch metrics of this kind (it is skipped)."""
    metrics: tuple[MetricSpec, ...]


def native_id(target: Target) -> str | None:
    return target.native_id


def rds_identifier(target: Target) -> str | None:
    """``arn:aws:rds:<region>:<acct>:db:<identifier>`` -> ``<identifier>``."""
    _, sep, identifier = target.native_id.rpartition(":db:")
    return identifier if sep else target.native_id


def alb_dimension(target: Target) -> str | None:
    """``arn:...:loadbalancer/app/<name>/<id>`` -> ``app/<name>/<id>``; other kinds: None."""
    _, sep, suffix = target.native_id.partition(":loadbalancer/")
    return suffix if sep and suffix.startswith("app/") else None


def classic_elb_name(target: Target) -> str | None:
    """Classic load balancers are named, not ARN'd, in CloudWatch."""
    _, sep, name = target.native_id.partition(":loadbalancer/")
    return name if sep else target.native_id


EC2 = CloudWatchSpec(
    native_type="aws.ec2.instance",
    namespace="AWS/EC2",
    dimension="InstanceId",
    dimension_value=native_id,
    metrics=(
        MetricSpec("cpu_percent", "CPUUtilization", "Average"),
        MetricSpec("network_in_bytes", "NetworkIn", "Sum"),
        MetricSpec("network_out_bytes", "NetworkOut", "Sum"),
        MetricSpec("disk_read_bytes", "EBSReadBytes", "Sum"),
        MetricSpec("disk_write_bytes", "EBSWriteBytes", "Sum"),
        MetricSpec("status_check_failed", "StatusCheckFailed", "Maximum"),
    ),
)

RDS = CloudWatchSpec(
    native_type="aws.rds.db_instance",
    namespace="AWS/RDS",
    dimension="DBInstanceIdentifier",
    dimension_value=rds_identifier,
    metrics=(
        MetricSpec("cpu_percent", "CPUUtilization", "Average"),
        MetricSpec("db_connections", "DatabaseConnections", "Average"),
        MetricSpec("free_storage_bytes", "FreeStorageSpace", "Minimum"),
    ),
)

ALB = CloudWatchSpec(
    native_type="aws.elbv2.load_balancer",
    namespace="AWS/ApplicationELB",
    dimension="LoadBalancer",
    dimension_value=alb_dimension,
    metrics=(
        MetricSpec("request_count", "RequestCount", "Sum"),
        MetricSpec("http_5xx_count", "HTTPCode_ELB_5XX_Count", "Sum"),
    ),
)

CLASSIC_ELB = CloudWatchSpec(
    native_type="aws.elb.load_balancer",
    namespace="AWS/ELB",
    dimension="LoadBalancerName",
    dimension_value=classic_elb_name,
    metrics=(
        MetricSpec("request_count", "RequestCount", "Sum"),
        MetricSpec("http_5xx_count", "HTTPCode_ELB_5XX", "Sum"),
    ),
)

SPECS: dict[str, CloudWatchSpec] = {s.native_type: s for s in (EC2, RDS, ALB, CLASSIC_ELB)}
