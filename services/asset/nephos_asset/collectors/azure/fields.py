"""Small readers shared by the Azure resource specs: ids, regions, states, relations.

ARM resource ids are case-insensitive and ARM does not keep their case
consistent: a VM's reference to its disk often carries the resource group in
upper case while the disk's own id does not. Every id is therefore lowered
(``arm_id``) both as an asset's ``native_id`` and as a relation target, so
the inventory can resolve relations by plain string equality.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nephos_asset.collectors.base import Relation
from nephos_asset.collectors.readers import StateWords, search

Item = dict[str, Any]

WORDS = StateWords(
    running=frozenset({"succeeded", "running", "ready", "online", "available"}),
    stopped=frozenset({"stopped", "deallocated", "paused", "disabled"}),
)
"""In service: provisioning ``Succeeded`` for resources without a run state (as AWS's
``available``), ``Ready`` servers, ``Online`` databases; deallocated VMs are stopped."""
fold_state = WORDS.fold
state_at = WORDS.at


def arm_id(value: str | None) -> str | None:
    """The canonical (lower-case) form of an ARM resource id."""
    return value.lower() if value else None


def parent_of(resource_id: str, levels: int = 1) -> str:
    """The id ``levels`` child steps up (``.../vnets/v/subnets/s`` -> ``.../vnets/v``)."""
    return resource_id.rsplit("/", 2 * levels)[0]


def resource_group(resource_id: str) -> str:
    """The resource group named in an id (``/subscriptions/s/resourceGroups/<rg>/...``)."""
    return resource_id.split("/")[4]


def region_of(item: Item) -> str:
    """ARM's location, canonical: some providers answer ``West Europe``, most ``westeurope``."""
    return str(item.get("location") or "").replace(" ", "").lower()


provisioning_state = state_at("properties.provisioningState")


def power_state(item: Item) -> str | None:
    """``running`` from an instance view's ``PowerState/running`` status, if any."""
    statuses = search("properties.instanceView.statuses[].code", item) or []
    codes = [c.split("/", 1)[1] for c in statuses if c.lower().startswith("powerstate/")]
    return codes[0].lower() if codes else None


def tags_of(item: Item) -> dict[str, str]:
    """ARM tags are already a dict; values may be null."""
    return {str(k): "" if v is None else str(v) for k, v in (item.get("tags") or {}).items()}


def rel(kind: str, *targets: str | None) -> list[Relation]:
    """Relations of one kind to each non-empty target id (lowered, order kept, no repeats)."""
    ids = (arm_id(t) for t in targets)
    return [Relation(kind, t) for t in dict.fromkeys(ids) if t]


def rels(kind: str, path: str, item: Item) -> list[Relation]:
    """Relations of one kind to every id found at a JMESPath ``path``."""
    return rel(kind, *_flat(search(path, item)))


def _flat(found: Any) -> Iterable[str | None]:
    if found is None:
        return ()
    return [found] if isinstance(found, str) else found


def gib(size_bytes: int | None) -> float | None:
    """Bytes as GiB (SQL databases report their size in bytes)."""
    return None if size_bytes is None else round(size_bytes / 1024**3, 2)


def everything(_: Item) -> bool:
    """Keep every listed item."""
    return True
