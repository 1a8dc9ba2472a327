"""The one normal form in which a bill's ``ResourceId`` and an asset's ids meet.

The bill names a resource as the provider's usage export does: AWS CUR puts
the bare id (``i-0abc``, ``vol-0abc``) for some services and the full ARN for
others; Azure puts the ARM id in whatever case the meter used. The asset
service names it by its native id. Both sides are reduced the same way: Azure
ids lowercased, ARNs cut to their last segment. The SQL function
``metering_resource_key`` (migrations 0004, 0019 and 0021) does the same on the costs table,
where an expression index makes the join an index lookup.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Text, func
from sqlalchemy.sql.elements import ColumnElement

from nephos_metering.costs.models import Cost

_ARN_PREFIX = re.compile(r"^.*[:/]")


def resource_key(resource_id: str) -> str:
    """Python twin of the SQL ``metering_resource_key``; keep them in step."""
    if resource_id.startswith("arn:"):
        return _ARN_PREFIX.sub("", resource_id, count=1)
    if resource_id.lower().startswith("/subscriptions/"):
        return resource_id.lower()
    return resource_id


def cost_key() -> ColumnElement[str]:
    """The costs row's key, written exactly as the expression index has it."""
    return func.metering_resource_key(Cost.resource_id, type_=Text)


def asset_keys(native_id: str, spec: dict[str, Any]) -> list[str]:
    """Every key under which the bill may name this asset.

    An Elastic IP's charges may carry its allocation id or its address,
    depending on the line item; both are kept.
    """
    keys = [resource_key(native_id)]
    public_ip = spec.get("public_ip") if native_id.startswith("eipalloc-") else None
    if isinstance(public_ip, str) and public_ip:
        keys.append(public_ip)
    return keys
