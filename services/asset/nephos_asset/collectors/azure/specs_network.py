"""Specs of the networking resource types (VNets and what lives in and around them)."""

from __future__ import annotations

from typing import Any

from nephos_asset.collectors.azure.fields import Item, parent_of, rel, rels, search, state_at
from nephos_asset.collectors.azure.spec import ResourceSpec, nested_in, parent_relation
from nephos_asset.collectors.base import Category

_IP_CONFIGS = "properties.ipConfigurations[].properties"
_FRONTENDS = "properties.frontendIPConfigurations[].properties"


def _rules(group: Item, direction: str) -> list[dict[str, Any]]:
    """NSG rules of one direction as flat, comparable dicts, by priority."""
    rules = [
        r for r in search("properties.securityRules", group) or []
        if search("properties.direction", r) == direction
    ]  # fmt: skip
    return [
        {
            "name": r.get("name"),
            "priority": p.get("priority"),
            "access": p.get("access"),
            "protocol": "all" if p.get("protocol") == "*" else str(p.get("protocol")).lower(),
            "ports": p.get("destinationPortRanges") or [p.get("destinationPortRange")],
            "sources": p.get("sourceAddressPrefixes") or [p.get("sourceAddressPrefix")],
        }
        for r in sorted(rules, key=lambda r: search("properties.priority", r) or 0)
        for p in [r.get("properties", {})]
    ]


def _owner_of_ip_configuration(config_id: str | None) -> str | None:
    """A public IP points at an IP configuration; its owner (NIC, balancer) is the parent."""
    return parent_of(config_id) if config_id else None


VIRTUAL_NETWORK = ResourceSpec(
    native_type="azure.network.virtual_network",
    category=Category.NETWORK,
    client="network",
    operation="virtual_networks.list_all",
    details=lambda v: {
        "cidrs": search("properties.addressSpace.addressPrefixes", v) or [],
        "subnet_count": len(search("properties.subnets", v) or []),
    },
)

SUBNET = ResourceSpec(
    native_type="azure.network.subnet",
    category=Category.SUBNET,
    client="network",
    operation="virtual_networks.list_all",
    nested=nested_in("subnets"),
    details=lambda s: {
        "cidrs": search("properties.addressPrefixes", s) or [search("properties.addressPrefix", s)],
    },
    relations=lambda s: [
        *parent_relation("in_network")(s),
        *rels("member_of_security_group", "properties.networkSecurityGroup.id", s),
        *rels("uses_route_table", "properties.routeTable.id", s),
    ],
)

NETWORK_INTERFACE = ResourceSpec(
    native_type="azure.network.network_interface",
    category=Category.NETWORK_INTERFACE,
    client="network",
    operation="network_interfaces.list_all",
    details=lambda n: {
        "private_ips": search(f"{_IP_CONFIGS}.privateIPAddress", n) or [],
        "mac_address": search("properties.macAddress", n),
        "primary": search("properties.primary", n),
    },
    relations=lambda n: [
        *rels("attached_to", "properties.virtualMachine.id", n),
        *rels("in_subnet", f"{_IP_CONFIGS}.subnet.id", n),
        *rel("in_network", *(parent_of(s) for s in search(f"{_IP_CONFIGS}.subnet.id", n) or [])),
        *rels("member_of_security_group", "properties.networkSecurityGroup.id", n),
        *rels("has_public_ip", f"{_IP_CONFIGS}.publicIPAddress.id", n),
    ],
)

PUBLIC_IP = ResourceSpec(
    native_type="azure.network.public_ip_address",
    category=Category.IP,
    client="network",
    operation="public_ip_addresses.list_all",
    details=lambda a: {
        "public_ip": search("properties.ipAddress", a),
        "allocation": search("properties.publicIPAllocationMethod", a),
        "version": search("properties.publicIPAddressVersion", a),
        "sku": search("sku.name", a),
        "associated": bool(search("properties.ipConfiguration.id", a)),
    },
    relations=lambda a: rel(
        "associated_with", _owner_of_ip_configuration(search("properties.ipConfiguration.id", a))
    ),
)

SECURITY_GROUP = ResourceSpec(
    native_type="azure.network.network_security_group",
    category=Category.SECURITY_GROUP,
    client="network",
    operation="network_security_groups.list_all",
    details=lambda g: {"ingress": _rules(g, "Inbound"), "egress": _rules(g, "Outbound")},
    relations=lambda g: [
        *rels("applies_to_subnet", "properties.subnets[].id", g),
        *rels("applies_to_network_interface", "properties.networkInterfaces[].id", g),
    ],
)

LOAD_BALANCER = ResourceSpec(
    native_type="azure.network.load_balancer",
    category=Category.LOAD_BALANCER,
    client="network",
    operation="load_balancers.list_all",
    details=lambda lb: {
        "type": "load_balancer",
        "sku": search("sku.name", lb),
        "scheme": "internet-facing" if search(f"{_FRONTENDS}.publicIPAddress", lb) else "internal",
    },
    relations=lambda lb: [
        *rels("uses_public_ip", f"{_FRONTENDS}.publicIPAddress.id", lb),
        *rels("in_subnet", f"{_FRONTENDS}.subnet.id", lb),
    ],
)

APPLICATION_GATEWAY = ResourceSpec(
    native_type="azure.network.application_gateway",
    category=Category.LOAD_BALANCER,
    client="network",
    operation="application_gateways.list_all",
    state=state_at("properties.operationalState"),
    details=lambda g: {
        "type": "application_gateway",
        "sku": search("properties.sku.name", g),
        "capacity": search("properties.sku.capacity", g),
    },
    relations=lambda g: [
        *rels("in_subnet", "properties.gatewayIPConfigurations[].properties.subnet.id", g),
        *rels("uses_public_ip", f"{_FRONTENDS}.publicIPAddress.id", g),
    ],
)
