"""A small, realistic AWS estate seeded into moto, and what it should contain.

The manifest's expected counts are *accounted*, not listed back: every create
call adds what it makes, including what moto makes alongside it. The rules,
checked against moto 5.x:

- a new VPC brings its default security group, main route table and default
  network ACL;
- every instance (also those an Auto Scaling group launches) brings a root
  volume and a primary network interface;
- a NAT gateway brings a network interface; CreateImage brings a snapshot.

The defaults moto creates in every region (default VPC, its subnets, security
group, route table and network ACL) are listed *before* seeding. Seed into a
freshly reset server: resources left from earlier seeding are not accounted.
``scale`` multiplies the per-region counts: about 29 resources per region per
unit of scale, so ``scale=60`` over three regions gives over 5,000 resources.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3

from nephos_devstack import aws_types as t

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
AMI_ID = "ami-12345678"  # moto launches from any image id when default AMIs are off
_RUN_BATCH = 50
_DEFAULT_LISTINGS = {
    t.VPC: ("describe_vpcs", "Vpcs"),
    t.SUBNET: ("describe_subnets", "Subnets"),
    t.SECURITY_GROUP: ("describe_security_groups", "SecurityGroups"),
    t.ROUTE_TABLE: ("describe_route_tables", "RouteTables"),
    t.NETWORK_ACL: ("describe_network_acls", "NetworkAcls"),
    t.INTERNET_GATEWAY: ("describe_internet_gateways", "InternetGateways"),
}
_SERVICES = ("ec2", "autoscaling", "elbv2", "rds", "elasticache", "s3")


@dataclass
class RegionEstate:
    """Ids of what was seeded in one region, for tests to check relations against."""

    region: str
    vpc_id: str = ""
    subnet_ids: list[str] = field(default_factory=list)
    security_group_ids: dict[str, str] = field(default_factory=dict)
    running_instance_ids: list[str] = field(default_factory=list)
    stopped_instance_ids: list[str] = field(default_factory=list)
    asg_name: str = ""
    attached_volumes: dict[str, str] = field(default_factory=dict)
    unattached_volume_ids: list[str] = field(default_factory=list)
    image_id: str = ""
    bucket_tags: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class EstateManifest:
    """Expected asset counts per (region, native_type), and the seeded ids."""

    regions: tuple[str, ...]
    expected: Counter[tuple[str, str]] = field(default_factory=Counter)
    estates: dict[str, RegionEstate] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many resources a full discovery should find."""
        return sum(self.expected.values())


@dataclass
class _Seeder:
    """One region's clients, the ids seeded so far and the running account."""

    region: str
    scale: int
    expected: Counter[tuple[str, str]]
    clients: dict[str, Any]
    estate: RegionEstate

    @property
    def ec2(self) -> Any:
        return self.clients["ec2"]

    def add(self, native_type: str, count: int = 1) -> None:
        self.expected[(self.region, native_type)] += count


def _tags(resource: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _count_defaults(s: _Seeder) -> None:
    for native_type, (method, key) in _DEFAULT_LISTINGS.items():
        s.add(native_type, len(getattr(s.ec2, method)()[key]))


def _seed_vpc(s: _Seeder) -> None:
    vpc = s.ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=_tags("vpc", Name="demo"))
    s.estate.vpc_id = vpc["Vpc"]["VpcId"]
    s.add(t.VPC)
    s.add(t.SECURITY_GROUP)
    s.add(t.ROUTE_TABLE)
    s.add(t.NETWORK_ACL)
    zones = [z["ZoneName"] for z in s.ec2.describe_availability_zones()["AvailabilityZones"]]
    for i, (zone, role) in enumerate(zip(zones[:2], ("public", "private"), strict=True)):
        subnet = s.ec2.create_subnet(
            VpcId=s.estate.vpc_id,
            CidrBlock=f"10.0.{i * 16}.0/20",  # room for scaled-up benchmarks
            AvailabilityZone=zone,
            TagSpecifications=_tags("subnet", Name=role),
        )
        s.estate.subnet_ids.append(subnet["Subnet"]["SubnetId"])
    s.add(t.SUBNET, 2)


def _seed_routing(s: _Seeder) -> None:
    vpc_id, (public, private) = s.estate.vpc_id, s.estate.subnet_ids
    igw = s.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    s.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    allocation = s.ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = s.ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]
    s.add(t.INTERNET_GATEWAY)
    s.add(t.ELASTIC_IP)
    s.add(t.NAT_GATEWAY)
    s.add(t.NETWORK_INTERFACE)
    for subnet, target in (
        (public, {"GatewayId": igw}),
        (private, {"NatGatewayId": nat["NatGatewayId"]}),
    ):
        table = s.ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        s.ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **target)
        s.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        s.add(t.ROUTE_TABLE)
    acl = s.ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    s.ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 443, "To": 443},
    )
    s.add(t.NETWORK_ACL)


def _seed_security_groups(s: _Seeder) -> None:
    groups = s.estate.security_group_ids
    for role in ("web", "db"):
        answer = s.ec2.create_security_group(
            GroupName=f"demo-{role}", Description=f"demo {role} tier", VpcId=s.estate.vpc_id
        )
        groups[role] = answer["GroupId"]
    s.add(t.SECURITY_GROUP, 2)
    web = [
        {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        for p in (80, 443)
    ]
    s.ec2.authorize_security_group_ingress(GroupId=groups["web"], IpPermissions=web)
    db = [
        {
            "IpProtocol": "tcp",
            "FromPort": 5432,
            "ToPort": 5432,
            "UserIdGroupPairs": [{"GroupId": groups["web"]}],
        }
    ]
    s.ec2.authorize_security_group_ingress(GroupId=groups["db"], IpPermissions=db)


def _run(s: _Seeder, count: int, name: str) -> list[str]:
    """Launch ``count`` instances in batches (one reservation each)."""
    ids: list[str] = []
    while len(ids) < count:
        batch = min(_RUN_BATCH, count - len(ids))
        answer = s.ec2.run_instances(
            ImageId=AMI_ID,
            MinCount=batch,
            MaxCount=batch,
            InstanceType="t3.micro",
            SubnetId=s.estate.subnet_ids[1],
            SecurityGroupIds=[s.estate.security_group_ids["web"]],
            TagSpecifications=_tags("instance", Name=name, env="demo"),
        )
        ids += [i["InstanceId"] for i in answer["Instances"]]
    _account_instances(s, count)
    return ids


def _account_instances(s: _Seeder, count: int) -> None:
    s.add(t.INSTANCE, count)
    s.add(t.VOLUME, count)
    s.add(t.NETWORK_INTERFACE, count)


def _seed_instances(s: _Seeder) -> None:
    s.estate.running_instance_ids = _run(s, 4 * s.scale, "web")
    s.estate.stopped_instance_ids = _run(s, 2 * s.scale, "batch")
    s.ec2.stop_instances(InstanceIds=s.estate.stopped_instance_ids)
    image = s.ec2.create_image(InstanceId=s.estate.running_instance_ids[0], Name="demo-web")
    s.estate.image_id = image["ImageId"]
    s.add(t.IMAGE)
    s.add(t.SNAPSHOT)
    template = {"ImageId": AMI_ID, "InstanceType": "t3.small"}
    s.ec2.create_launch_template(LaunchTemplateName="demo-workers", LaunchTemplateData=template)
    s.estate.asg_name = "demo-workers"
    size = 2 * s.scale
    s.clients["autoscaling"].create_auto_scaling_group(
        AutoScalingGroupName=s.estate.asg_name,
        LaunchTemplate={"LaunchTemplateName": "demo-workers"},
        MinSize=size,
        MaxSize=size,
        DesiredCapacity=size,
        VPCZoneIdentifier=s.estate.subnet_ids[1],
    )
    s.add(t.AUTOSCALING_GROUP)
    _account_instances(s, size)


def _seed_storage(s: _Seeder) -> None:
    zone = s.ec2.describe_subnets(SubnetIds=[s.estate.subnet_ids[1]])["Subnets"][0][
        "AvailabilityZone"
    ]
    volumes = [
        s.ec2.create_volume(Size=20 + i, AvailabilityZone=zone, VolumeType="gp3")["VolumeId"]
        for i in range(2 * s.scale)
    ]
    s.add(t.VOLUME, len(volumes))
    to_attach, s.estate.unattached_volume_ids = volumes[: s.scale], volumes[s.scale :]
    for volume, instance in zip(to_attach, s.estate.running_instance_ids, strict=False):
        s.ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdf")
        s.estate.attached_volumes[volume] = instance
    for volume in volumes[: s.scale]:
        s.ec2.create_snapshot(VolumeId=volume, Description="nightly")
    s.add(t.SNAPSHOT, s.scale)


def _seed_addresses(s: _Seeder) -> None:
    bound = s.ec2.allocate_address(Domain="vpc")["AllocationId"]
    s.ec2.associate_address(AllocationId=bound, InstanceId=s.estate.running_instance_ids[0])
    for _ in range(s.scale):
        s.ec2.allocate_address(Domain="vpc")
    s.add(t.ELASTIC_IP, 1 + s.scale)


def _seed_services(s: _Seeder) -> None:
    s.clients["elbv2"].create_load_balancer(
        Name="demo-web",
        Subnets=s.estate.subnet_ids,
        SecurityGroups=[s.estate.security_group_ids["web"]],
        Tags=[{"Key": "env", "Value": "demo"}],
    )
    s.add(t.LOAD_BALANCER)
    s.clients["rds"].create_db_instance(
        DBInstanceIdentifier="demo-db",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="demo",
        MasterUserPassword="demo-password-1",
        VpcSecurityGroupIds=[s.estate.security_group_ids["db"]],
        Tags=[{"Key": "env", "Value": "demo"}],
    )
    s.add(t.DB_INSTANCE)
    s.clients["elasticache"].create_cache_cluster(
        CacheClusterId="demo-cache", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )
    s.add(t.CACHE_CLUSTER)


def _seed_buckets(s: _Seeder) -> None:
    """``scale`` tagged buckets plus one untagged (S3 answers NoSuchTagSet for it)."""
    s3 = s.clients["s3"]
    location = {} if s.region == "us-east-1" else {"LocationConstraint": s.region}
    for i in range(s.scale + 1):
        name = f"nephos-demo-{s.region}-{i}"
        s3.create_bucket(
            Bucket=name, **({"CreateBucketConfiguration": location} if location else {})
        )
        tags = {"env": "demo", "index": str(i)} if i else {}
        if tags:
            tag_set = [{"Key": k, "Value": v} for k, v in tags.items()]
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_set})
        s.estate.bucket_tags[name] = tags
    s.add(t.BUCKET, s.scale + 1)


_STEPS = (
    _count_defaults,
    _seed_vpc,
    _seed_routing,
    _seed_security_groups,
    _seed_instances,
    _seed_storage,
    _seed_addresses,
    _seed_services,
    _seed_buckets,
)


def seed_estate(
    endpoint_url: str, regions: Iterable[str] = ("us-east-1", "eu-west-1"), scale: int = 1
) -> EstateManifest:
    """Seed every region and return what a full discovery should find there."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    manifest = EstateManifest(regions=tuple(regions))
    for region in manifest.regions:
        kw: dict[str, Any] = {"endpoint_url": endpoint_url, "region_name": region, **CREDENTIALS}
        seeder = _Seeder(
            region=region,
            scale=scale,
            expected=manifest.expected,
            clients={name: boto3.client(name, **kw) for name in _SERVICES},
            estate=RegionEstate(region),
        )
        for step in _STEPS:
            step(seeder)
        manifest.estates[region] = seeder.estate
    return manifest
