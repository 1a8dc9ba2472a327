"""What counts as a change of an asset, and how two versions differ."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from nephos_asset.collectors.base import NormalizedAsset

TRACKED_FIELDS = ("name", "state", "tags", "spec", "relations")


def tracked_values(asset: NormalizedAsset) -> dict[str, Any]:
    """The user-visible fields, in their stored (JSON-compatible) form."""
    return {
        "name": asset.name,
        "state": str(asset.state),
        "tags": asset.tags,
        "spec": to_json_compatible(asset.spec),
        "relations": sorted(
            ({"kind": r.kind, "target_native_id": r.target_native_id} for r in asset.relations),
            key=lambda r: (r["kind"], r["target_native_id"]),
        ),
    }


def fingerprint(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Field -> {"old", "new"} for every tracked field that differs."""
    return {
        name: {"old": old.get(name), "new": new.get(name)}
        for name in TRACKED_FIELDS
        if old.get(name) != new.get(name)
    }


def to_json_compatible(value: Any) -> Any:
    """Round-trip through JSON so that stored and fresh values compare equal."""
    return json.loads(json.dumps(value, default=str))
