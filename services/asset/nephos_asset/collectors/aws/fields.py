"""Small readers shared by the resource specs: tags, names, states, relations.

AWS spells the same ideas many ways (``Tags``/``TagList``/``TagSet``,
``State.Name``/``Status``/``DBInstanceStatus``); these helpers fold them so
each spec stays a few declarative lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import jmespath

from nephos_asset.collectors.base import Relation, State

Item = dict[str, Any]

_RUNNING = frozenset({"running", "available", "active", "in-use", "inservice", "attached"})
_STOPPED = frozenset({"stopped"})


def tag_dict(tags: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` as a dict; missing values become ``""``."""
    return {t["Key"]: t.get("Value") or "" for t in tags or () if "Key" in t}


def tags_at(field: str) -> Callable[[Item], dict[str, str]]:
    """Reader of a Key/Value tag list stored at ``field``."""
    return lambda item: tag_dict(item.get(field))


def standard_tags(item: Item) -> dict[str, str]:
    """Tags at ``Tags``, where most services keep them."""
    return tag_dict(item.get("Tags"))


def no_tags(_: Item) -> dict[str, str]:
    """For listings that carry no tags."""
    return {}


def fold_state(raw: str | None) -> State:
    """Provider state word -> running / stopped / other.

    "running" means in service (an instance running, a volume in use, a VPC
    available); resources without a lifecycle state fold to OTHER.
    """
    word = (raw or "").lower()
    if word in _RUNNING:
        return State.RUNNING
    if word in _STOPPED:
        return State.STOPPED
    return State.OTHER


def state_at(path: str) -> Callable[[Item], State]:
    """Reader folding the state found at a JMESPath ``path``."""
    expr = jmespath.compile(path)
    return lambda item: fold_state(expr.search(item))


def stateless(_: Item) -> State:
    """For resources that have no lifecycle state."""
    return State.OTHER


def search(path: str, item: Item) -> Any:
    """JMESPath lookup; kept here so specs read like data."""
    return jmespath.search(path, item)


def rel(kind: str, *targets: str | None) -> list[Relation]:
    """Relations of one kind to each non-empty target id (order kept, duplicates dropped)."""
    return [Relation(kind, t) for t in dict.fromkeys(targets) if t]


def rels(kind: str, path: str, item: Item) -> list[Relation]:
    """Relations of one kind to every id found at a JMESPath ``path``."""
    return rel(kind, *(search(path, item) or ()))


def no_details(_: Item) -> dict[str, Any]:
    """For resources with nothing worth copying into ``spec``."""
    return {}


def no_relations(_: Item) -> list[Relation]:
    """For resources that point at nothing else."""
    return []
