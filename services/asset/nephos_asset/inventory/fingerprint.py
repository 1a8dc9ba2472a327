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
    """Field -> what changed, for every tracked field that differs.

    Every entry has ``old`` and ``new``; mappings (tags, spec) also say which
    keys were added, removed or changed, and relations which edges came and
    went, so a reader sees "tag Env changed" rather than two whole dicts.
    """
    changes: dict[str, Any] = {}
    for name in TRACKED_FIELDS:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        entry: dict[str, Any] = {"old": before, "new": after}
        if isinstance(before, dict) and isinstance(after, dict):
            entry.update(_mapping_delta(before, after))
        elif name == "relations":
            entry.update(_edge_delta(before or [], after or []))
        changes[name] = entry
    return changes


def _mapping_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        "added": {k: v for k, v in after.items() if k not in before},
        "removed": {k: v for k, v in before.items() if k not in after},
        "changed": {
            k: {"old": before[k], "new": v}
            for k, v in after.items()
            if k in before and before[k] != v
        },
    }


def _edge_delta(before: list[dict[str, str]], after: list[dict[str, str]]) -> dict[str, Any]:
    def key(edge: dict[str, str]) -> tuple[str, str]:
        return edge["kind"], edge["target_native_id"]

    old_keys, new_keys = {key(e) for e in before}, {key(e) for e in after}
    return {
        "added": [e for e in after if key(e) not in old_keys],
        "removed": [e for e in before if key(e) not in new_keys],
    }


def to_json_compatible(value: Any) -> Any:
    """Round-trip through JSON so that stored and fresh values compare equal."""
    return json.loads(json.dumps(value, default=str))
