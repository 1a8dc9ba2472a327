"""Specs of the compute resource types: VMs, scale sets and their VMs, disks, images.

Relation kinds match the AWS ones: a VM ``attached_volume`` its disks, is
``in_subnet``/``in_network`` and ``member_of_security_group`` through its NICs
(see ``enrich.vm_status_and_network``), and additionally
``has_network_interface``; a scale-set VM is ``member_of_autoscaling_group``.
"""

from __future__ import annotations

from typing import Any

from nephos_asset.collectors.azure import enrich
from nephos_asset.collectors.azure.fields import (
    Item,
    arm_id,
    fold_state,
    parent_of,
    power_state,
    rel,
    rels,
    search,
)
from nephos_asset.collectors.azure.spec import ChildListing, ResourceSpec
from nephos_asset.collectors.base import Category, Relation, State

_DISK_IDS = (
    "[properties.storageProfile.osDisk.managedDisk.id,"
    " properties.storageProfile.dataDisks[].managedDisk.id][]"
)


def _power(item: Item) -> State:
    """running / stopped (``stopped`` still bills compute, ``deallocated`` not) / other."""
    return fold_state(power_state(item))


def _machine_details(v: Item, autoscaling_group: str | None) -> dict[str, Any]:
    image = search("properties.storageProfile.imageReference", v) or {}
    return {
        "vm_size": search("properties.hardwareProfile.vmSize", v) or search("sku.name", v),
        "power_state": power_state(v),
        "os_type": search("properties.storageProfile.osDisk.osType", v),
        "image": ":".join(str(image[k]) for k in ("publisher", "offer", "sku") if k in image)
        or None,
        "availability_zone": (v.get("zones") or [None])[0],
        "private_ips": search(f"{enrich.VM_NETWORK}.privateIps", v) or [],
        "autoscaling_group": autoscaling_group,
    }


def _vm_relations(v: Item) -> list[Relation]:
    subnets = search(f"{enrich.VM_NETWORK}.subnets", v) or []
    return [
        *rels("attached_volume", _DISK_IDS, v),
        *rels("has_network_interface", "properties.networkProfile.networkInterfaces[].id", v),
        *rel("in_subnet", *subnets),
        *rel("in_network", *(parent_of(s) for s in subnets)),
        *rels("member_of_security_group", f"{enrich.VM_NETWORK}.securityGroups", v),
    ]


VIRTUAL_MACHINE = ResourceSpec(
    native_type="azure.compute.virtual_machine",
    category=Category.SERVER,
    client="compute",
    operation="virtual_machines.list_all",
    state=_power,
    details=lambda v: _machine_details(v, None),
    relations=_vm_relations,
    enrich=enrich.vm_status_and_network,
)

SCALE_SET = ResourceSpec(
    native_type="azure.compute.virtual_machine_scale_set",
    category=Category.AUTOSCALING_GROUP,
    client="compute",
    operation="virtual_machine_scale_sets.list_all",
    details=lambda s: {
        "vm_size": search("sku.name", s),
        "capacity": search("sku.capacity", s),
        "orchestration_mode": search("properties.orchestrationMode", s),
    },
    relations=lambda s: rels(
        "in_subnet",
        "properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[]"
        ".properties.ipConfigurations[].properties.subnet.id",
        s,
    ),
)

SCALE_SET_VM = ResourceSpec(
    native_type="azure.compute.virtual_machine_scale_set_vm",
    category=Category.SERVER,
    client="compute",
    operation="virtual_machine_scale_sets.list_all",
    children=ChildListing("virtual_machine_scale_set_vms.list", params={"expand": "instanceView"}),
    state=_power,
    details=lambda v: _machine_details(v, arm_id(parent_of(v["id"]))),
    relations=lambda v: [
        *rel("member_of_autoscaling_group", parent_of(v["id"])),
        *rels("attached_volume", _DISK_IDS, v),
        *rels("has_network_interface", "properties.networkProfile.networkInterfaces[].id", v),
    ],
)

DISK = ResourceSpec(
    native_type="azure.compute.disk",
    category=Category.DISK,
    client="compute",
    operation="disks.list",
    details=lambda d: {
        "size_gb": search("properties.diskSizeGB", d),
        "sku": search("sku.name", d),
        "disk_state": search("properties.diskState", d),
        "attached": bool(d.get("managedBy")),
        "encryption": search("properties.encryption.type", d),
        "availability_zone": (d.get("zones") or [None])[0],
    },
    relations=lambda d: rel("attached_to", d.get("managedBy")),
)

SNAPSHOT = ResourceSpec(
    native_type="azure.compute.snapshot",
    category=Category.SNAPSHOT,
    client="compute",
    operation="snapshots.list",
    details=lambda s: {
        "size_gb": search("properties.diskSizeGB", s),
        "incremental": search("properties.incremental", s),
        "sku": search("sku.name", s),
    },
    relations=lambda s: rels("snapshot_of", "properties.creationData.sourceResourceId", s),
)

IMAGE = ResourceSpec(
    native_type="azure.compute.image",
    category=Category.IMAGE,
    client="compute",
    operation="images.list",
    details=lambda i: {
        "os_type": search("properties.storageProfile.osDisk.osType", i),
        "hyper_v_generation": search("properties.hyperVGeneration", i),
    },
    relations=lambda i: [
        *rels("created_from", "properties.sourceVirtualMachine.id", i),
        *rels("uses_disk", "properties.storageProfile.osDisk.managedDisk.id", i),
    ],
)
