"""Tag rules of service groups: ``Team=payments AND Env=prod OR Owner``.

AND binds tighter than OR. ``Key=Value`` needs that tag with that value;
``Key!=Value`` needs the tag absent or different; a bare ``Key`` needs the tag
with any value. A rule is kept as alternatives (OR) of conditions (AND), which
both PostgreSQL (for a full recompute) and Python (for the assets one sync
touched) evaluate the same way.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_

from nephos_asset.inventory.models import Asset
from nephos_common.errors import InvalidInput

Term = dict[str, Any]
"""One condition: ``{"key": k, "op": "eq"|"ne"|"exists", "value": v}``."""

_CONDITION = re.compile(r"^\s*([^=!\s][^=!]*?)\s*(?:(!=|=)\s*(.*?)\s*)?$")


def parse(rule: str) -> list[list[Term]]:
    """Alternatives of conditions; a clear 422 names the part that does not parse."""
    alternatives = []
    for alternative in re.split(r"\s+OR\s+", rule.strip()):
        conditions = []
        for part in re.split(r"\s+AND\s+", alternative):
            match = _CONDITION.match(part)
            if not part.strip() or match is None or (match[2] and not match[3]):
                raise InvalidInput(
                    f"cannot read {part!r} in rule", code="invalid_rule", field="rule"
                )
            key, op, value = match[1], match[2], match[3]
            kind = {"=": "eq", "!=": "ne", None: "exists"}[op]
            conditions.append({"key": key, "op": kind, "value": value})
        alternatives.append(conditions)
    return alternatives


def matches(alternatives: list[list[Term]], tags: dict[str, str]) -> bool:
    return any(all(_holds(t, tags) for t in conditions) for conditions in alternatives)


def _holds(term: Term, tags: dict[str, str]) -> bool:
    present = term["key"] in tags
    if term["op"] == "exists":
        return present
    equal = present and tags[term["key"]] == term["value"]
    return equal if term["op"] == "eq" else not equal


def as_sql(alternatives: list[list[Term]]) -> ColumnElement[bool]:
    if not alternatives:
        return false()
    return or_(*(and_(*(_sql_term(t) for t in conditions)) for conditions in alternatives))


def _sql_term(term: Term) -> ColumnElement[bool]:
    if term["op"] == "exists":
        return Asset.tags.has_key(term["key"])
    equal = Asset.tags.contains({term["key"]: term["value"]})
    return equal if term["op"] == "eq" else not_(equal)
