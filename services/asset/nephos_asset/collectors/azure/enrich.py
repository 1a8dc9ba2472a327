"""Extra listings for types whose own listing lacks data the inventory needs.

Kept apart from the specs because they do I/O. Each enricher edits the
listed items in place. Both extra calls here are subscription-wide listings,
so a VM unit costs a fixed number of calls per page, never one per VM.
"""

from __future__ import annotations

from typing import Any

from nephos_asset.collectors.azure.fields import Item, arm_id, search
from nephos_asset.collectors.azure.spec import Lister

VM_NETWORK = "nephosNetwork"
"""Key under which a VM item gets what its NICs say (subnets, NSGs, private IPs)."""


async def vm_status_and_network(lister: Lister, vms: list[Item]) -> None:
    """Add each VM's instance view (power state) and its NICs' network facts.

    The plain VM listing has no instance view, and ``statusOnly=true`` gives
    the instance view *without* tags and profiles, so the two listings are
    merged by id; the per-VM instance-view call would cost one call per VM.
    A VM only references its NICs; subnet and NSG sit on the NIC, so the
    subscription's NICs are listed once and joined.
    """
    if not vms:
        return
    statuses = await lister.list_items("compute", "virtual_machines.list_all", status_only="true")
    views = {arm_id(s["id"]): search("properties.instanceView", s) for s in statuses}
    nics = await lister.list_items("network", "network_interfaces.list_all")
    facts = {arm_id(n["id"]): _nic_facts(n) for n in nics}
    for vm in vms:
        if view := views.get(arm_id(vm["id"])):
            vm.setdefault("properties", {})["instanceView"] = view
        nic_ids = search("properties.networkProfile.networkInterfaces[].id", vm) or []
        mine = [facts[key] for key in map(arm_id, nic_ids) if key in facts]
        vm[VM_NETWORK] = {
            key: [value for f in mine for value in f[key]]
            for key in ("subnets", "securityGroups", "privateIps")
        }


def _nic_facts(nic: Item) -> dict[str, list[Any]]:
    configs = search("properties.ipConfigurations[].properties", nic) or []
    group = search("properties.networkSecurityGroup.id", nic)
    return {
        "subnets": [c["subnet"]["id"] for c in configs if search("subnet.id", c)],
        "securityGroups": [group] if group else [],
        "privateIps": [c["privateIPAddress"] for c in configs if c.get("privateIPAddress")],
    }
