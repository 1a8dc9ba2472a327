"""The baseline: a bare sequential boto3 script making only the list calls.

It lists the same resource types as our collector, page by page, one call at
a time, and keeps nothing but counts: the least work any scanner can do. It
runs in a process of its own (``bench.child``), so its time and peak memory
are its own.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config

# (native type, service, method, result key, params, global) in our types' terms.
LISTINGS: tuple[tuple[str, str, str, str, dict[str, Any], bool], ...] = (
    ("aws.ec2.instance", "ec2", "describe_instances", "Reservations", {}, False),
    ("aws.autoscaling.group", "autoscaling", "describe_auto_scaling_groups",
     "AutoScalingGroups", {}, False),
    ("aws.ec2.volume", "ec2", "describe_volumes", "Volumes", {}, False),
    ("aws.ec2.snapshot", "ec2", "describe_snapshots", "Snapshots", {"OwnerIds": ["self"]}, False),
    ("aws.ec2.image", "ec2", "describe_images", "Images", {"Owners": ["self"]}, False),
    ("aws.ec2.vpc", "ec2", "describe_vpcs", "Vpcs", {}, False),
    ("aws.ec2.subnet", "ec2", "describe_subnets", "Subnets", {}, False),
    ("aws.ec2.route_table", "ec2", "describe_route_tables", "RouteTables", {}, False),
    ("aws.ec2.internet_gateway", "ec2", "describe_internet_gateways",
     "InternetGateways", {}, False),
    ("aws.ec2.nat_gateway", "ec2", "describe_nat_gateways", "NatGateways", {}, False),
    ("aws.ec2.network_interface", "ec2", "describe_network_interfaces",
     "NetworkInterfaces", {}, False),
    ("aws.ec2.elastic_ip", "ec2", "describe_addresses", "Addresses", {}, False),
    ("aws.ec2.security_group", "ec2", "describe_security_groups", "SecurityGroups", {}, False),
    ("aws.ec2.network_acl", "ec2", "describe_network_acls", "NetworkAcls", {}, False),
    ("aws.elbv2.load_balancer", "elbv2", "describe_load_balancers", "LoadBalancers", {}, False),
    ("aws.rds.db_instance", "rds", "describe_db_instances", "DBInstances", {}, False),
    ("aws.elasticache.cluster", "elasticache", "describe_cache_clusters",
     "CacheClusters", {}, False),
    ("aws.s3.bucket", "s3", "list_buckets", "Buckets", {}, True),
)  # fmt: skip
GLOBAL_CLIENT_REGION = "us-east-1"


def _pages(client: Any, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of a listing (a single answer where the API does not paginate)."""
    if client.can_paginate(method):
        return list(client.get_paginator(method).paginate(**params))
    return [getattr(client, method)(**params)]


def _size(native_type: str, key: str, page: dict[str, Any]) -> int:
    if native_type == "aws.ec2.instance":  # instances come grouped in reservations
        return sum(len(r.get("Instances", [])) for r in page.get(key, []))
    return len(page.get(key, []))


def run(endpoint: str, regions: list[str]) -> dict[str, Any]:
    """List every type in every region sequentially; return time, calls and counts."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    config = Config(retries={"mode": "standard", "max_attempts": 4})
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}.{model.name}"] += 1

    clients: dict[tuple[str, str], Any] = {}
    found: Counter[str] = Counter()
    started, cpu = time.perf_counter(), time.process_time()
    for native_type, service, method, key, params, is_global in LISTINGS:
        for region in [GLOBAL_CLIENT_REGION] if is_global else regions:
            if (service, region) not in clients:
                client = session.client(
                    service, region_name=region, endpoint_url=endpoint, config=config
                )
                client.meta.events.register("before-call", count)
                clients[(service, region)] = client
            for page in _pages(clients[(service, region)], method, params):
                found[native_type] += _size(native_type, key, page)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": elapsed, "cpu": cpu, "api_calls": dict(calls), "found": dict(found)}
