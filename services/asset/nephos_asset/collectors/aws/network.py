"""Specs of the EC2 networking resource types (VPC and what lives in it)."""

from __future__ import annotations

from typing import Any

from nephos_asset.collectors.aws.fields import Item, rel, rels, search, state_at, tags_at
from nephos_asset.collectors.aws.spec import ResourceSpec
from nephos_asset.collectors.base import Category


def _rules(permissions: list[Item] | None) -> list[dict[str, Any]]:
    """Security group permissions as flat, comparable rule dicts."""
    return [
        {
            "protocol": "all" if p.get("IpProtocol") == "-1" else p.get("IpProtocol"),
            "from_port": p.get("FromPort"),
            "to_port": p.get("ToPort"),
            "cidrs": [r["CidrIp"] for r in p.get("IpRanges", [])],
            "ipv6_cidrs": [r["CidrIpv6"] for r in p.get("Ipv6Ranges", [])],
            "source_groups": [g["GroupId"] for g in p.get("UserIdGroupPairs", [])],
        }
        for p in permissions or ()
    ]


def _acl_entries(acl: Item) -> list[dict[str, Any]]:
    return [
        {
            "rule_number": e.get("RuleNumber"),
            "egress": e.get("Egress"),
            "protocol": "all" if e.get("Protocol") == "-1" else e.get("Protocol"),
            "action": e.get("RuleAction"),
            "cidr": e.get("CidrBlock") or e.get("Ipv6CidrBlock"),
            "ports": search("PortRange", e),
        }
        for e in acl.get("Entries", [])
    ]


VPC = ResourceSpec(
    native_type="aws.ec2.vpc",
    category=Category.NETWORK,
    service="ec2",
    operation="DescribeVpcs",
    result_path="Vpcs[]",
    id_field="VpcId",
    state=state_at("State"),
    details=lambda v: {"cidr": v.get("CidrBlock"), "is_default": v.get("IsDefault", False)},
)

SUBNET = ResourceSpec(
    native_type="aws.ec2.subnet",
    category=Category.SUBNET,
    service="ec2",
    operation="DescribeSubnets",
    result_path="Subnets[]",
    id_field="SubnetId",
    state=state_at("State"),
    details=lambda s: {
        "cidr": s.get("CidrBlock"),
        "availability_zone": s.get("AvailabilityZone"),
        "public_ip_on_launch": s.get("MapPublicIpOnLaunch"),
        "is_default": s.get("DefaultForAz", False),
    },
    relations=lambda s: rel("in_network", s.get("VpcId")),
)

ROUTE_TABLE = ResourceSpec(
    native_type="aws.ec2.route_table",
    category=Category.ROUTE_TABLE,
    service="ec2",
    operation="DescribeRouteTables",
    result_path="RouteTables[]",
    id_field="RouteTableId",
    details=lambda t: {
        "main": any(a.get("Main") for a in t.get("Associations", [])),
        "routes": [
            {
                "destination": r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock"),
                "target": r.get("GatewayId") or r.get("NatGatewayId") or r.get("InstanceId"),
            }
            for r in t.get("Routes", [])
        ],
    },
    relations=lambda t: [
        *rel("in_network", t.get("VpcId")),
        *rels("associated_with_subnet", "Associations[].SubnetId", t),
    ],
)

INTERNET_GATEWAY = ResourceSpec(
    native_type="aws.ec2.internet_gateway",
    category=Category.GATEWAY,
    service="ec2",
    operation="DescribeInternetGateways",
    result_path="InternetGateways[]",
    id_field="InternetGatewayId",
    state=state_at("Attachments[0].State"),
    relations=lambda g: rels("attached_to", "Attachments[].VpcId", g),
)

NAT_GATEWAY = ResourceSpec(
    native_type="aws.ec2.nat_gateway",
    category=Category.GATEWAY,
    service="ec2",
    operation="DescribeNatGateways",
    result_path="NatGateways[]",
    id_field="NatGatewayId",
    state=state_at("State"),
    details=lambda g: {"public_ips": search("NatGatewayAddresses[].PublicIp", g) or []},
    relations=lambda g: [
        *rel("in_subnet", g.get("SubnetId")),
        *rel("in_network", g.get("VpcId")),
        *rels("uses_network_interface", "NatGatewayAddresses[].NetworkInterfaceId", g),
    ],
)

NETWORK_INTERFACE = ResourceSpec(
    native_type="aws.ec2.network_interface",
    category=Category.NETWORK_INTERFACE,
    service="ec2",
    operation="DescribeNetworkInterfaces",
    result_path="NetworkInterfaces[]",
    id_field="NetworkInterfaceId",
    state=state_at("Status"),
    tags=tags_at("TagSet"),
    details=lambda n: {
        "private_ip": n.get("PrivateIpAddress"),
        "interface_type": n.get("InterfaceType"),
    },
    relations=lambda n: [
        *rel("in_subnet", n.get("SubnetId")),
        *rel("in_network", n.get("VpcId")),
        *rel("attached_to", search("Attachment.InstanceId", n)),
        *rels("member_of_security_group", "Groups[].GroupId", n),
    ],
)

ELASTIC_IP = ResourceSpec(
    native_type="aws.ec2.elastic_ip",
    category=Category.IP,
    service="ec2",
    operation="DescribeAddresses",
    paginated=False,
    result_path="Addresses[]",
    id_field="AllocationId",
    name_field="PublicIp",
    details=lambda a: {
        "public_ip": a.get("PublicIp"),
        "associated": bool(a.get("AssociationId")),
    },
    relations=lambda a: rel("associated_with", a.get("InstanceId"), a.get("NetworkInterfaceId")),
)

SECURITY_GROUP = ResourceSpec(
    native_type="aws.ec2.security_group",
    category=Category.SECURITY_GROUP,
    service="ec2",
    operation="DescribeSecurityGroups",
    result_path="SecurityGroups[]",
    id_field="GroupId",
    name_field="GroupName",
    details=lambda g: {
        "description": g.get("Description"),
        "ingress": _rules(g.get("IpPermissions")),
        "egress": _rules(g.get("IpPermissionsEgress")),
    },
    relations=lambda g: rel("in_network", g.get("VpcId")),
)

NETWORK_ACL = ResourceSpec(
    native_type="aws.ec2.network_acl",
    category=Category.NETWORK_ACL,
    service="ec2",
    operation="DescribeNetworkAcls",
    result_path="NetworkAcls[]",
    id_field="NetworkAclId",
    details=lambda a: {"is_default": a.get("IsDefault", False), "entries": _acl_entries(a)},
    relations=lambda a: [
        *rel("in_network", a.get("VpcId")),
        *rels("applies_to_subnet", "Associations[].SubnetId", a),
    ],
)
