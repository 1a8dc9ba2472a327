"""Cost questions narrowed by a filter (a cost set, a budget's scope, a dashboard
question's cloud account, service group or tag), or grouped by resource or tag.

They read the ``costs`` line items themselves: a filter may combine accounts,
services, regions, charge categories, tags and service groups at once, and
resources and tag values are too many for per-dimension daily totals. Always
scoped by tenant; days are UTC days of the charge period start, as in the rest
of ``costs``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_metering.allocation import repository as allocation
from nephos_metering.allocation.keys import cost_key
from nephos_metering.costs.models import Cost

Where = Sequence[ColumnElement[bool]]
"""Conditions on cost rows; all must hold."""
Tag = tuple[str, str | None]
"""A tag key and the value rows must hold; no value: the key with any value."""


@dataclass(frozen=True)
class Narrowing:
    """What of a filter daily totals could answer: its accounts (none: all), and its one
    tag or its one service group."""

    accounts: tuple[uuid.UUID, ...] = ()
    tag: Tag | None = None
    group: uuid.UUID | None = None


@dataclass(frozen=True)
class CostFilter:
    """Which cost rows a question is about: an empty field does not narrow, values
    within a field are alternatives, and every field (and every tag) must hold.

    ``tags`` are key/value pairs the row's tags must hold; ``tag_keys`` are keys
    it must hold with any value; ``service_group_ids`` keep the rows of the
    groups' member assets (see ``allocation``).
    """

    account_ids: tuple[uuid.UUID, ...] = ()
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    charge_categories: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    tag_keys: tuple[str, ...] = ()
    service_group_ids: tuple[uuid.UUID, ...] = ()

    def totals_narrowing(self) -> Narrowing | None:
        """What daily totals could answer of this filter (see ``Narrowing``); None when it
        narrows by anything else, by several tags or groups, or by a tag and a group, which
        only the line items answer."""
        rest = replace(self, account_ids=(), tags=(), tag_keys=(), service_group_ids=())
        if rest != CostFilter():
            return None
        tags: list[Tag] = [*self.tags, *((key, None) for key in self.tag_keys)]
        if len(tags) + len(self.service_group_ids) > 1:
            return None
        group = self.service_group_ids[0] if self.service_group_ids else None
        return Narrowing(self.account_ids, tags[0] if tags else None, group)

    def conditions(self, tenant: str) -> list[ColumnElement[bool]]:
        """The conditions on ``tenant``'s cost rows; the tenant scopes group membership."""
        narrowing: list[tuple[ColumnElement[Any], tuple[Any, ...]]] = [
            (Cost.account_id.expression, self.account_ids),
            (Cost.service_name.expression, self.services),
            (Cost.region_id.expression, self.regions),
            (Cost.charge_category.expression, self.charge_categories),
        ]
        found = [any_of(column, values) for column, values in narrowing if values]
        # JSONB containment (@>) per tag reads the GIN index on tags; key existence (?)
        # per key reads the default partition's, and a delivery's partition whole
        # (migration 0018).
        found += [Cost.tags.contains({key: value}) for key, value in self.tags]
        found += [Cost.tags.has_key(key) for key in self.tag_keys]
        if self.service_group_ids:
            keys = allocation.group_resource_keys(tenant, self.service_group_ids)
            found += [Cost.resource_id.is_not(None), cost_key().in_(keys)]
        return found


def charge_day() -> Any:
    """The UTC calendar day of a cost row, as a SQL expression."""
    return func.date(func.timezone("UTC", Cost.charge_period_start))


def within(tenant: str, start: datetime, end: datetime, where: Where = ()) -> tuple[Any, ...]:
    return (Cost.tenant == tenant, Cost.charge_period_start >= start,
            Cost.charge_period_start < end, *where)  # fmt: skip


def grouped_query(
    tenant: str, start: datetime, end: datetime, key: ColumnElement[Any], where: Where
) -> Select[Any]:
    """Per ``key`` and currency over [start, end), the sums as ``grouping`` reads them.

    The key is computed in a subquery so that grouping names it once: a key with
    a parameter (a tag's key) written twice would be two expressions to PostgreSQL.
    """
    rows = (
        select(key.label("key"), Cost.billing_currency.label("currency"),
               Cost.billed_cost, Cost.effective_cost)
        .where(*within(tenant, start, end, where))
        .subquery()
    )  # fmt: skip
    return select(
        rows.c.key, rows.c.currency, func.sum(rows.c.billed_cost).label("billed"),
        func.sum(rows.c.effective_cost).label("effective"),
    ).group_by(rows.c.key, rows.c.currency)  # fmt: skip


async def currencies(session: AsyncSession, tenant: str, where: Where) -> list[str]:
    query = select(Cost.billing_currency).where(Cost.tenant == tenant, *where).distinct()
    return sorted(await session.scalars(query))


async def daily_billed(
    session: AsyncSession, tenant: str, start: datetime, end: datetime, currency: str,
    where: Where,
) -> dict[date, Decimal]:  # fmt: skip
    """Billed cost per UTC day over [start, end) in one currency; days without cost absent."""
    day = charge_day()
    query = (
        select(day, func.sum(Cost.billed_cost))
        .where(*within(tenant, start, end, where), Cost.billing_currency == currency)
        .group_by(day)
    )
    return {d: total for d, total in (await session.execute(query)).all()}


async def first_day(session: AsyncSession, tenant: str, currency: str, where: Where) -> date | None:
    """The first UTC day with cost in ``currency`` among the rows kept: history starts there."""
    first: datetime | None = await session.scalar(
        select(func.min(Cost.charge_period_start)).where(
            Cost.tenant == tenant, Cost.billing_currency == currency, *where
        )
    )
    return None if first is None else first.astimezone(UTC).date()
