"""Every AWS resource type the collector discovers, one short spec each.

``native_type`` strings are ``aws.<service>.<resource>``. Relation kinds read
from the carrying asset: an instance ``attached_volume`` a volume, a subnet is
``in_network`` a VPC. S3 is listed once per account (unit region
``global``) and each bucket asset carries its own region from
GetBucketLocation; every other type is listed per region.
"""

from __future__ import annotations

from typing import Any

from nephos_asset.collectors.aws import enrich, network
from nephos_asset.collectors.aws.fields import (
    Item,
    fold_state,
    no_tags,
    rel,
    rels,
    search,
    state_at,
    tag_dict,
    tags_at,
)
from nephos_asset.collectors.aws.spec import ResourceSpec
from nephos_asset.collectors.base import Category, Relation, State

AUTOSCALING_GROUP_TAG = "aws:autoscaling:groupName"


def _instance_details(i: Item) -> dict[str, Any]:
    return {
        "instance_type": i.get("InstanceType"),
        "image_id": i.get("ImageId"),
        "availability_zone": search("Placement.AvailabilityZone", i),
        "private_ip": i.get("PrivateIpAddress"),
        "public_ip": i.get("PublicIpAddress"),
        "autoscaling_group": tag_dict(i.get("Tags")).get(AUTOSCALING_GROUP_TAG),
    }


def _instance_relations(i: Item) -> list[Relation]:
    return [
        *rels("attached_volume", "BlockDeviceMappings[].Ebs.VolumeId", i),
        *rels("member_of_security_group", "SecurityGroups[].GroupId", i),
        *rel("in_subnet", i.get("SubnetId")),
        *rel("in_network", i.get("VpcId")),
    ]


def _asg_state(g: Item) -> State:
    """A group has no state word until it is being deleted."""
    return State.RUNNING if not g.get("Status") else fold_state(g["Status"])


INSTANCE = ResourceSpec(
    native_type="aws.ec2.instance",
    category=Category.SERVER,
    service="ec2",
    operation="DescribeInstances",
    result_path="Reservations[].Instances[]",
    id_field="InstanceId",
    state=state_at("State.Name"),
    details=_instance_details,
    relations=_instance_relations,
)

AUTOSCALING_GROUP = ResourceSpec(
    native_type="aws.autoscaling.group",
    category=Category.AUTOSCALING_GROUP,
    service="autoscaling",
    operation="DescribeAutoScalingGroups",
    result_path="AutoScalingGroups[]",
    id_field="AutoScalingGroupARN",
    name_field="AutoScalingGroupName",
    state=_asg_state,
    details=lambda g: {
        "min_size": g.get("MinSize"),
        "max_size": g.get("MaxSize"),
        "desired_capacity": g.get("DesiredCapacity"),
    },
    relations=lambda g: rels("has_instance", "Instances[].InstanceId", g),
)

VOLUME = ResourceSpec(
    native_type="aws.ec2.volume",
    category=Category.DISK,
    service="ec2",
    operation="DescribeVolumes",
    result_path="Volumes[]",
    id_field="VolumeId",
    state=state_at("State"),
    details=lambda v: {
        "size_gb": v.get("Size"),
        "volume_type": v.get("VolumeType"),
        "encrypted": v.get("Encrypted"),
        "availability_zone": v.get("AvailabilityZone"),
        "attached": bool(v.get("Attachments")),
    },
    relations=lambda v: rels("attached_to", "Attachments[].InstanceId", v),
)

SNAPSHOT = ResourceSpec(
    native_type="aws.ec2.snapshot",
    category=Category.SNAPSHOT,
    service="ec2",
    operation="DescribeSnapshots",
    params={"OwnerIds": ["self"]},
    result_path="Snapshots[]",
    id_field="SnapshotId",
    details=lambda s: {"size_gb": s.get("VolumeSize"), "encrypted": s.get("Encrypted")},
    relations=lambda s: rel("snapshot_of", s.get("VolumeId")),
)

IMAGE = ResourceSpec(
    native_type="aws.ec2.image",
    category=Category.IMAGE,
    service="ec2",
    operation="DescribeImages",
    params={"Owners": ["self"]},
    paginated=False,
    result_path="Images[]",
    id_field="ImageId",
    name_field="Name",
    state=state_at("State"),
    details=lambda i: {"architecture": i.get("Architecture"), "public": i.get("Public")},
    relations=lambda i: rels("uses_snapshot", "BlockDeviceMappings[].Ebs.SnapshotId", i),
)

BUCKET = ResourceSpec(
    native_type="aws.s3.bucket",
    category=Category.BUCKET,
    service="s3",
    operation="ListBuckets",
    paginated=False,
    is_global=True,
    result_path="Buckets[]",
    id_field="Name",
    name_field="Name",
    region_field="BucketRegion",
    tags=tags_at("TagSet"),
    enrich=enrich.s3_buckets,
)

LOAD_BALANCER = ResourceSpec(
    native_type="aws.elbv2.load_balancer",
    category=Category.LOAD_BALANCER,
    service="elbv2",
    operation="DescribeLoadBalancers",
    result_path="LoadBalancers[]",
    id_field="LoadBalancerArn",
    name_field="LoadBalancerName",
    state=state_at("State.Code"),
    details=lambda lb: {
        "type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "dns_name": lb.get("DNSName"),
    },
    relations=lambda lb: [
        *rel("in_network", lb.get("VpcId")),
        *rels("in_subnet", "AvailabilityZones[].SubnetId", lb),
        *rel("member_of_security_group", *lb.get("SecurityGroups", [])),
    ],
    enrich=enrich.elbv2_tags,
)

DB_INSTANCE = ResourceSpec(
    native_type="aws.rds.db_instance",
    category=Category.DATABASE,
    service="rds",
    operation="DescribeDBInstances",
    result_path="DBInstances[]",
    id_field="DBInstanceArn",
    name_field="DBInstanceIdentifier",
    state=state_at("DBInstanceStatus"),
    tags=tags_at("TagList"),
    details=lambda d: {
        "engine": d.get("Engine"),
        "engine_version": d.get("EngineVersion"),
        "instance_class": d.get("DBInstanceClass"),
        "allocated_storage_gb": d.get("AllocatedStorage"),
        "multi_az": d.get("MultiAZ"),
    },
    relations=lambda d: [
        *rel("in_network", search("DBSubnetGroup.VpcId", d)),
        *rels("member_of_security_group", "VpcSecurityGroups[].VpcSecurityGroupId", d),
    ],
)

CACHE_CLUSTER = ResourceSpec(
    native_type="aws.elasticache.cluster",
    category=Category.CACHE,
    service="elasticache",
    operation="DescribeCacheClusters",
    result_path="CacheClusters[]",
    id_field="ARN",
    name_field="CacheClusterId",
    state=state_at("CacheClusterStatus"),
    tags=no_tags,
    details=lambda c: {
        "engine": c.get("Engine"),
        "engine_version": c.get("EngineVersion"),
        "node_type": c.get("CacheNodeType"),
        "nodes": c.get("NumCacheNodes"),
    },
    relations=lambda c: rels("member_of_security_group", "SecurityGroups[].SecurityGroupId", c),
)

SPECS: tuple[ResourceSpec, ...] = (
    INSTANCE,
    AUTOSCALING_GROUP,
    VOLUME,
    SNAPSHOT,
    IMAGE,
    network.VPC,
    network.SUBNET,
    network.ROUTE_TABLE,
    network.INTERNET_GATEWAY,
    network.NAT_GATEWAY,
    network.NETWORK_INTERFACE,
    network.ELASTIC_IP,
    network.SECURITY_GROUP,
    network.NETWORK_ACL,
    LOAD_BALANCER,
    DB_INSTANCE,
    CACHE_CLUSTER,
    BUCKET,
)
SPECS_BY_TYPE: dict[str, ResourceSpec] = {s.native_type: s for s in SPECS}
