"""ARM JSON shapes of the resources the estate generator creates.

Each builder returns one resource as ARM lists it (id, name, type, location,
tags, sku, properties), trimmed to the fields the collector reads plus a few
that make the payloads look like the real thing. References between
resources are ids, as in ARM; ``shout`` upper-cases the resource group in a
reference, because ARM really does echo references in a different case
from the referenced resource's own id.
"""

from __future__ import annotations

from typing import Any

from nephos_devstack.arm_server.store import Item

SUCCEEDED = {"provisioningState": "Succeeded"}


def shout(resource_id: str) -> str:
    """The same id with its resource group upper-cased, as ARM often echoes references."""
    parts = resource_id.split("/")
    if len(parts) > 4 and parts[3].lower() == "resourcegroups":
        parts[4] = parts[4].upper()
    return "/".join(parts)


def ref(resource_id: str | None) -> dict[str, str] | None:
    """ARM's ``{"id": ...}`` sub-resource reference, or None."""
    return {"id": resource_id} if resource_id else None


class Shapes:
    """Builds resources of one subscription; the per-service builders extend it."""

    def __init__(self, subscription_id: str) -> None:
        self.sub = subscription_id

    def rid(self, group: str, kind: str, name: str) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{group}/providers/{kind}/{name}"

    def resource(
        self, group: str, rtype: str, name: str, location: str, props: Item, **extra: Any
    ) -> Item:
        """The common envelope; ``extra`` adds top-level fields (sku, kind, managedBy)."""
        item: Item = {
            "id": self.rid(group, rtype, name),
            "name": name,
            "type": rtype,
            "location": location,
            "tags": extra.pop("tags", None) or {"env": "demo"},
        }
        return {**item, **{k: v for k, v in extra.items() if v is not None}, "properties": props}


def instance_view(power: str) -> Item:
    """The statuses ARM reports for a VM: provisioning state, then power state."""
    return {
        "statuses": [
            {
                "code": "ProvisioningState/succeeded",
                "level": "Info",
                "displayStatus": "Provisioning succeeded",
            },
            {"code": f"PowerState/{power}", "level": "Info", "displayStatus": f"VM {power}"},
        ]
    }
