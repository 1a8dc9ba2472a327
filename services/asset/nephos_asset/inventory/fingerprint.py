"""What counts as a change of an asset, and how two versions differ.

A sync serialises each asset once (orjson) and reuses the text for the
fingerprint, the COPY into the inventory and the event; only assets that
changed are turned back into plain values, for their diff.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from nephos_asset.collectors.base import NormalizedAsset

TRACKED_FIELDS = ("name", "state", "tags", "spec", "relations")


def dumps(value: Any, *, sort: bool = False) -> str:
    """JSON text; values JSON cannot hold (datetimes aside) become their ``str``."""
    option = orjson.OPT_SORT_KEYS if sort else 0
    return orjson.dumps(value, default=str, option=option).decode()


@dataclass(slots=True)
class Prepared:
    """One fresh asset with the texts every write of it needs."""

    asset: NormalizedAsset
    relations: list[dict[str, str]]
    tags_json: str
    spec_json: str
    relations_json: str
    fingerprint: str

    def values(self) -> dict[str, Any]:
        """The tracked fields in their stored form, for a diff against the stored row."""
        return {
            "name": self.asset.name,
            "state": str(self.asset.state),
            "tags": self.asset.tags,
            "spec": orjson.loads(self.spec_json),
            "relations": self.relations,
        }


def prepare(asset: NormalizedAsset) -> Prepared:
    relations = sorted(
        ({"kind": r.kind, "target_native_id": r.target_native_id} for r in asset.relations),
        key=lambda r: (r["kind"], r["target_native_id"]),
    )
    tags_json, spec_json = dumps(asset.tags, sort=True), dumps(asset.spec, sort=True)
    relations_json = dumps(relations)
    identity = "\x1f".join(
        (asset.name or "", str(asset.state), tags_json, spec_json, relations_json)
    )
    return Prepared(
        asset=asset,
        relations=relations,
        tags_json=tags_json,
        spec_json=spec_json,
        relations_json=relations_json,
        fingerprint=hashlib.sha256(identity.encode()).hexdigest(),
    )


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
