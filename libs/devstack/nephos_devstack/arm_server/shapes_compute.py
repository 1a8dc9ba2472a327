"""ARM JSON shapes of the compute resources (VMs, disks, images, scale sets)."""

from __future__ import annotations

import uuid

from nephos_devstack.arm_server.shapes import SUCCEEDED, Shapes, instance_view, ref, shout
from nephos_devstack.arm_server.store import Item


class ComputeShapes(Shapes):
    """Builders of Microsoft.Compute resources."""

    def vm(
        self,
        group: str,
        name: str,
        loc: str,
        size: str,
        nic: str,
        os_disk: Item,
        data_disks: list[Item],
        power: str,
    ) -> Item:
        """A VM; ``power`` (running, deallocated, stopped) goes to its instance view."""
        disk = {
            "name": os_disk["name"],
            "osType": "Linux",
            "createOption": "FromImage",
            "diskSizeGB": os_disk["properties"]["diskSizeGB"],
            "managedDisk": {"id": shout(os_disk["id"]), "storageAccountType": "Premium_LRS"},
        }
        data = [
            {
                "lun": lun,
                "name": d["name"],
                "createOption": "Attach",
                "diskSizeGB": d["properties"]["diskSizeGB"],
                "managedDisk": {"id": shout(d["id"])},
            }
            for lun, d in enumerate(data_disks)
        ]
        return self.resource(
            group,
            "Microsoft.Compute/virtualMachines",
            name,
            loc,
            {
                **SUCCEEDED,
                "vmId": str(uuid.uuid5(uuid.NAMESPACE_URL, self.rid(group, "vm", name))),
                "hardwareProfile": {"vmSize": size},
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "ubuntu-24_04-lts",
                        "sku": "server",
                        "version": "latest",
                    },
                    "osDisk": disk,
                    "dataDisks": data,
                },
                "osProfile": {"computerName": name, "adminUsername": "azureuser"},
                "networkProfile": {
                    "networkInterfaces": [{"id": nic, "properties": {"primary": True}}]
                },
                "instanceView": instance_view(power),
            },
            tags={"env": "demo", "role": name.rsplit("-", 1)[0]},
        )

    def disk(self, group: str, name: str, loc: str, size_gb: int, managed_by: str | None) -> Item:
        return self.resource(
            group,
            "Microsoft.Compute/disks",
            name,
            loc,
            {
                **SUCCEEDED,
                "diskSizeGB": size_gb,
                "diskState": "Attached" if managed_by else "Unattached",
                "creationData": {"createOption": "Empty"},
                "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
            },
            sku={"name": "Premium_LRS", "tier": "Premium"},
            managedBy=managed_by and shout(managed_by),
        )

    def snapshot(self, group: str, name: str, loc: str, source: Item) -> Item:
        return self.resource(
            group,
            "Microsoft.Compute/snapshots",
            name,
            loc,
            {
                **SUCCEEDED,
                "diskSizeGB": source["properties"]["diskSizeGB"],
                "incremental": True,
                "creationData": {"createOption": "Copy", "sourceResourceId": source["id"]},
            },
            sku={"name": "Standard_ZRS"},
        )

    def image(self, group: str, name: str, loc: str, vm: Item) -> Item:
        os_disk = vm["properties"]["storageProfile"]["osDisk"]
        return self.resource(
            group,
            "Microsoft.Compute/images",
            name,
            loc,
            {
                **SUCCEEDED,
                "sourceVirtualMachine": ref(vm["id"]),
                "hyperVGeneration": "V2",
                "storageProfile": {
                    "osDisk": {
                        "osType": "Linux",
                        "osState": "Generalized",
                        "managedDisk": os_disk["managedDisk"],
                    }
                },
            },
        )

    def scale_set(self, group: str, name: str, loc: str, capacity: int, subnet: str) -> Item:
        nic_config = {
            "name": "nic",
            "properties": {
                "primary": True,
                "ipConfigurations": [{"name": "ipconfig", "properties": {"subnet": ref(subnet)}}],
            },
        }
        return self.resource(
            group,
            "Microsoft.Compute/virtualMachineScaleSets",
            name,
            loc,
            {
                **SUCCEEDED,
                "orchestrationMode": "Uniform",
                "upgradePolicy": {"mode": "Manual"},
                "virtualMachineProfile": {
                    "networkProfile": {"networkInterfaceConfigurations": [nic_config]}
                },
            },
            sku={"name": "Standard_B2s", "tier": "Standard", "capacity": capacity},
        )

    def scale_set_vm(self, scale_set: Item, index: int, os_disk: Item) -> Item:
        vm_id = f"{scale_set['id']}/virtualMachines/{index}"
        nic = f"{vm_id}/networkInterfaces/nic"
        return {
            "id": vm_id,
            "name": f"{scale_set['name']}_{index}",
            "instanceId": str(index),
            "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
            "location": scale_set["location"],
            "tags": scale_set["tags"],
            "sku": {"name": scale_set["sku"]["name"], "tier": "Standard"},
            "properties": {
                **SUCCEEDED,
                "latestModelApplied": True,
                "vmId": f"vmss-{index}",
                "hardwareProfile": {"vmSize": scale_set["sku"]["name"]},
                "storageProfile": {
                    "osDisk": {
                        "name": os_disk["name"],
                        "osType": "Linux",
                        "managedDisk": {"id": shout(os_disk["id"])},
                    }
                },
                "networkProfile": {"networkInterfaces": [{"id": nic}]},
                "instanceView": instance_view("running"),
            },
        }
