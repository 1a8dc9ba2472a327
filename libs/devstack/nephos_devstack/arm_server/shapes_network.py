"""ARM JSON shapes of the networking resources (VNets, NSGs, NICs, IPs, balancers)."""

from __future__ import annotations

from nephos_devstack.arm_server.shapes import SUCCEEDED, Shapes, ref, shout
from nephos_devstack.arm_server.store import Item


class NetworkShapes(Shapes):
    """Builders of Microsoft.Network resources."""

    def vnet(self, group: str, name: str, loc: str, cidr: str, subnets: list[Item]) -> Item:
        vnet = self.resource(
            group,
            "Microsoft.Network/virtualNetworks",
            name,
            loc,
            {
                **SUCCEEDED,
                "addressSpace": {"addressPrefixes": [cidr]},
                "subnets": [],
            },
        )
        for subnet in subnets:
            props = {**SUCCEEDED, "addressPrefix": subnet["prefix"]}
            if subnet.get("nsg"):
                props["networkSecurityGroup"] = ref(subnet["nsg"])
            vnet["properties"]["subnets"].append(
                {
                    "id": f"{vnet['id']}/subnets/{subnet['name']}",
                    "name": subnet["name"],
                    "type": "Microsoft.Network/virtualNetworks/subnets",
                    "properties": props,
                }
            )
        return vnet

    def nsg(self, group: str, name: str, loc: str, rules: list[tuple[str, int, str, str]]) -> Item:
        """``rules``: (name, priority, destination port, source prefix), all inbound allows."""
        security_rules = [
            {
                "name": rule,
                "properties": {
                    "priority": priority,
                    "direction": "Inbound",
                    "access": "Allow",
                    "protocol": "Tcp",
                    "sourceAddressPrefix": source,
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": "*",
                    "destinationPortRange": port,
                    **SUCCEEDED,
                },
            }
            for rule, priority, port, source in rules
        ]
        return self.resource(
            group,
            "Microsoft.Network/networkSecurityGroups",
            name,
            loc,
            {
                **SUCCEEDED,
                "securityRules": security_rules,
                "networkInterfaces": [],
                "subnets": [],
            },
        )

    def nic(
        self,
        group: str,
        name: str,
        loc: str,
        subnet: str,
        ip: str,
        nsg: str | None,
        vm: str | None,
        public_ip: str | None = None,
    ) -> Item:
        config = {
            "privateIPAddress": ip,
            "privateIPAllocationMethod": "Dynamic",
            "subnet": ref(subnet),
            "primary": True,
            **SUCCEEDED,
        }
        if public_ip:
            config["publicIPAddress"] = ref(public_ip)
        nic = self.resource(
            group,
            "Microsoft.Network/networkInterfaces",
            name,
            loc,
            {
                **SUCCEEDED,
                "virtualMachine": ref(vm and shout(vm)),
                "networkSecurityGroup": ref(nsg),
                "primary": True,
                "macAddress": "00-0D-3A-00-00-01",
            },
        )
        config_id = f"{nic['id']}/ipConfigurations/ipconfig1"
        nic["properties"]["ipConfigurations"] = [
            {"id": config_id, "name": "ipconfig1", "properties": config}
        ]
        return nic

    def public_ip(
        self, group: str, name: str, loc: str, address: str, bound_to: str | None
    ) -> Item:
        return self.resource(
            group,
            "Microsoft.Network/publicIPAddresses",
            name,
            loc,
            {
                **SUCCEEDED,
                "ipAddress": address,
                "publicIPAllocationMethod": "Static",
                "publicIPAddressVersion": "IPv4",
                "ipConfiguration": ref(bound_to),
            },
            sku={"name": "Standard", "tier": "Regional"},
        )

    def load_balancer(self, group: str, name: str, loc: str, public_ip: str) -> Item:
        lb_id = self.rid(group, "Microsoft.Network/loadBalancers", name)
        frontend = {
            "id": f"{lb_id}/frontendIPConfigurations/public",
            "name": "public",
            "properties": {"publicIPAddress": ref(public_ip), **SUCCEEDED},
        }
        return self.resource(
            group,
            "Microsoft.Network/loadBalancers",
            name,
            loc,
            {
                **SUCCEEDED,
                "frontendIPConfigurations": [frontend],
                "backendAddressPools": [],
            },
            sku={"name": "Standard", "tier": "Regional"},
        )

    def app_gateway(self, group: str, name: str, loc: str, subnet: str, public_ip: str) -> Item:
        gw_id = self.rid(group, "Microsoft.Network/applicationGateways", name)
        return self.resource(
            group,
            "Microsoft.Network/applicationGateways",
            name,
            loc,
            {
                **SUCCEEDED,
                "operationalState": "Running",
                "sku": {"name": "Standard_v2", "tier": "Standard_v2", "capacity": 2},
                "gatewayIPConfigurations": [
                    {
                        "id": f"{gw_id}/gatewayIPConfigurations/gw",
                        "name": "gw",
                        "properties": {"subnet": ref(subnet)},
                    }
                ],
                "frontendIPConfigurations": [
                    {
                        "id": f"{gw_id}/frontendIPConfigurations/public",
                        "name": "public",
                        "properties": {"publicIPAddress": ref(public_ip)},
                    }
                ],
            },
        )
