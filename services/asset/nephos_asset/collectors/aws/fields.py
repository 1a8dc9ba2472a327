"""Small readers shared by the resource specs: tags, names, states, relations.

AWS spells the same ideas many ways (``Tags``/``TagList``/``TagSet``,
``State.Name``/``Status``/``DBInstanceStatus``); these helpers fold them so
each spec stays a few declarative lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from nephos_asset.collectors.base import Relation, State
from nephos_asset.collectors.readers import StateWords, search

Item = dict[str, Any]

WORDS = StateWords(
    running=frozenset({"running", "available", "active", "in-use", "inservice", "attached"}),
    stopped=frozenset({"stopped"}),
)
"""In service: an instance running, a volume in use, a VPC available."""
fold_state = WORDS.fold
state_at = WORDS.at


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


def stateless(_: Item) -> State:
    """For resources that have no lifecycle state."""
    return State.OTHER


def rel(kind: str, *targets: str | None) -> list[Relation]:
    """Relations of one kind to each non-empty target id (order kept, duplicates dropped)."""
    return [Relation(kind, t) for t in dict.fromkeys(targets) if t]


def rels(kind: str, path: str, item: Item) -> list[Relation]:
    """Relations of one kind to every id found at a JMESPath ``path``."""
    return rel(kind, *(search(path, item) or ()))
