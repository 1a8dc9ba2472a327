"""Synthetic, deterministic assets shaped like EC2 instances.

Each asset has five tags, a six-field spec, five relations and a raw listing
item of about 1 KB, as a real DescribeInstances item. Generation is a pure
function of (unit, index, generation), so a re-discovery regenerates exactly
the same assets, and a later generation changes a chosen share of them.
"""

from __future__ import annotations

from nephos_asset.collectors.base import Category, NormalizedAsset, Relation, State, UnitKey

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
TYPES = (
    "aws.ec2.instance",
    "aws.ec2.volume",
    "aws.ec2.network_interface",
    "aws.ec2.snapshot",
    "aws.ec2.security_group",
)
CHANGE_EVERY = 100  # generation >= 1 changes one asset in CHANGE_EVERY (1 %)


def units(count: int) -> list[UnitKey]:
    """``count`` distinct (region, type) units, as a real run has."""
    keys = [UnitKey(r, t) for t in TYPES for r in REGIONS]
    if count > len(keys):
        raise ValueError(f"at most {len(keys)} units")
    return keys[:count]


def _hex(unit: int, index: int, salt: int) -> str:
    return f"{unit:02x}{salt:02x}{index:013x}"


def asset(unit_no: int, key: UnitKey, index: int, generation: int = 0) -> NormalizedAsset:
    """One asset; at ``generation`` >= 1, every CHANGE_EVERY-th has a new tag value."""
    native_id = f"i-{_hex(unit_no, index, 0)}"
    volumes = [f"vol-{_hex(unit_no, index, n)}" for n in (1, 2)]
    group, subnet = f"sg-{_hex(unit_no, index % 50, 3)}", f"subnet-{_hex(unit_no, index % 8, 4)}"
    vpc = f"vpc-{_hex(unit_no, 0, 5)}"
    changed = generation > 0 and index % CHANGE_EVERY == 0
    ip = f"10.{unit_no}.{index // 256 % 256}.{index % 256}"
    zone = f"{key.region}{'abc'[index % 3]}"
    tags = {
        "Name": f"web-{index:05d}",
        "env": "prod" if index % 3 else "staging",
        "team": ("payments", "search", "platform", "data")[index % 4],
        "cost-center": f"cc-{1000 + index % 37}",
        "release": f"2026.{11 + generation if changed else 11}.{index % 28}",
    }
    raw = {
        "InstanceId": native_id,
        "ImageId": f"ami-{_hex(unit_no, index % 5, 6)}",
        "State": {"Code": 16, "Name": "running"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{key.region}.compute.internal",
        "InstanceType": ("m6i.large", "t3.micro", "c7g.xlarge")[index % 3],
        "LaunchTime": f"2026-10-{1 + index % 28:02d}T12:34:56+00:00",
        "Placement": {"AvailabilityZone": zone, "Tenancy": "default"},
        "SubnetId": subnet,
        "VpcId": vpc,
        "PrivateIpAddress": ip,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [
            {"DeviceName": f"/dev/sd{d}", "Ebs": {"VolumeId": v, "Status": "attached"}}
            for d, v in zip("af", volumes, strict=True)
        ],
        "SecurityGroups": [{"GroupName": "web", "GroupId": group}],
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "EbsOptimized": True,
    }
    return NormalizedAsset(
        provider="aws",
        native_id=native_id,
        native_type=key.native_type,
        category=Category.SERVER,
        region=key.region,
        name=tags["Name"],
        state=State.RUNNING,
        tags=tags,
        spec={
            "instance_type": raw["InstanceType"],
            "image_id": raw["ImageId"],
            "availability_zone": zone,
            "private_ip": ip,
            "public_ip": None,
            "autoscaling_group": None,
        },
        relations=[
            *(Relation("attached_volume", v) for v in volumes),
            Relation("member_of_security_group", group),
            Relation("in_subnet", subnet),
            Relation("in_network", vpc),
        ],
        raw=raw,
    )


def unit_assets(unit_no: int, key: UnitKey, count: int, generation: int) -> list[NormalizedAsset]:
    return [asset(unit_no, key, i, generation) for i in range(count)]
