"""Legacy CUR rows brought to CUR 2.0 names, so one mapping (``cur``) serves both.

Legacy headers are ``category/FieldName`` (``lineItem/UnblendedCost``); Athena's
rule turns them into CUR 2.0 names (``line_item_unblended_cost``, ``ARN`` ->
``a_r_n``). Tags are one column each (``resourceTags/user:team``) and product
attributes are plain columns, where CUR 2.0 has the maps ``resource_tags`` and
``product``.
"""

from __future__ import annotations

import re
from typing import Any

TAG_PREFIX = "tag/"
_UPPER = re.compile(r"([A-Z])")


def _snake(name: str) -> str:
    return _UPPER.sub(lambda m: "_" + m.group(1).lower(), name).lstrip("_")


def column_name(header: str) -> str:
    """``lineItem/UnblendedCost`` -> ``line_item_unblended_cost``; tags keep their key."""
    if header.startswith("resourceTags/"):
        return TAG_PREFIX + header.removeprefix("resourceTags/")
    category, _, field = header.partition("/")
    return f"{_snake(category)}_{_snake(field)}" if field else _snake(category)


def fold(raw: dict[str, Any]) -> dict[str, Any]:
    """Gather tag columns and product attributes into CUR 2.0's map columns."""
    tags = {k.removeprefix(TAG_PREFIX): v for k, v in raw.items() if k.startswith(TAG_PREFIX) and v}
    product = {"product_name": raw.get("product_product_name"), "region": raw.get("product_region")}
    return {**raw, "resource_tags": tags, "product": {k: v for k, v in product.items() if v}}
