"""What a budget covers, as stored (a flat dict of strings) and as a cost filter.

``company``
    every cost of the company.
``account``
    the costs ingested for one cloud account (``account_id``, Nephos's id).
``service_group``
    the costs of the resources of the group's member assets, matched on the
    normal resource key that ``allocation`` keeps from asset events; a member
    asset the bill does not name adds nothing.
``tag``
    the costs whose resource tags hold ``key`` with ``value``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import InvalidInput
from nephos_metering.allocation import repository as allocation
from nephos_metering.budgets.schemas import BudgetScope
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.narrowing import heard_of_account

SCOPE_TYPES = ("company", "account", "service_group", "tag")


class UnknownScope(InvalidInput):
    code = "unknown_scope"


def _uuid(value: str | None, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise UnknownScope(f"scope {field} must be a UUID", field=field) from None


async def normalise(session: AsyncSession, tenant: str, scope: BudgetScope) -> dict[str, str]:
    """The stored form of ``scope``; refused when its type or its target is unknown."""
    given = {k for k, v in scope.model_dump(exclude={"type"}).items() if v is not None}
    expected = {"company": set(), "account": {"account_id"}, "service_group": {"group_id"},
                "tag": {"key", "value"}}.get(scope.type)  # fmt: skip
    if expected is None:
        raise UnknownScope(f"unknown scope type {scope.type!r}", allowed=list(SCOPE_TYPES))
    if given != expected:
        raise UnknownScope(f"a {scope.type} scope takes exactly {sorted(expected)}",
                           fields=sorted(given))  # fmt: skip
    if scope.type == "account":
        account_id = _uuid(scope.account_id, "account_id")
        if not await heard_of_account(session, tenant, account_id):
            raise UnknownScope(f"account {account_id} has no billing source, bill or resource "
                               "here", account_id=str(account_id))  # fmt: skip
        return {"type": "account", "account_id": str(account_id)}
    if scope.type == "service_group":
        group_id = _uuid(scope.group_id, "group_id")
        if await allocation.group(session, tenant, group_id) is None:
            raise UnknownScope(f"service group {group_id} is not known", group_id=str(group_id))
        return {"type": "service_group", "group_id": str(group_id)}
    if scope.type == "tag":
        if not scope.key:
            raise UnknownScope("a tag scope needs a key", field="key")
        return {"type": "tag", "key": scope.key, "value": str(scope.value)}
    return {"type": "company"}


def cost_filter(scope: dict[str, str]) -> CostFilter | None:
    """The filter keeping exactly the scope's costs; None for the whole company."""
    kind = scope["type"]
    if kind == "account":
        return CostFilter(account_ids=(uuid.UUID(scope["account_id"]),))
    if kind == "tag":
        return CostFilter(tags=((scope["key"], scope["value"]),))
    if kind == "service_group":
        return CostFilter(service_group_ids=(uuid.UUID(scope["group_id"]),))
    return None
