"""How a cost summary groups rows: by which column, and how many groups it returns.

Service, account (the provider's sub-account), region and charge category are
held in the daily totals, and so are the values of cost allocation tags, so a
summary by them stays fast. Resources and the values of other tags are too
many for daily totals and are grouped over the line items; they can run to
hundreds of thousands of groups a year, so a summary by resource or tag
returns the ``limit`` largest groups by billed cost (``DEFAULT_LIMIT`` unless
asked) and folds the rest, per currency, into one ``other`` total with its
number of groups: the items plus ``other`` add up to the whole. Any grouping
takes a ``limit`` when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import InvalidInput
from nephos_metering.costs.models import Cost
from nephos_metering.costs.repository import rows_of

DIMENSIONS = frozenset({"service", "account", "region", "charge_category"})
FROM_TOTALS = DIMENSIONS | {"tag"}
"""The groupings daily totals can answer: a tag's when it is a cost allocation tag."""
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

GROUP_COLUMNS: dict[str, Any] = {
    "service": Cost.service_name,
    "account": Cost.sub_account_id,
    "region": Cost.region_id,
    "charge_category": Cost.charge_category,
    "resource": Cost.resource_id,
}


def group_key(group_by: str, tag_key: str | None) -> ColumnElement[Any]:
    """The line-item column (or tag value) that ``group_by`` groups by; an untagged
    row has no value for a tag key and falls in the null group."""
    if group_by == "tag":
        if not tag_key:
            raise InvalidInput("group_by tag needs tag_key", code="invalid_group_by")
        return Cost.tags[tag_key].astext
    if tag_key is not None:
        raise InvalidInput("tag_key goes with group_by tag only", code="invalid_group_by")
    column: ColumnElement[Any] = GROUP_COLUMNS[group_by].expression
    return column


def limit_for(group_by: str, asked: int | None) -> int | None:
    """The cap on returned groups: as asked, else ``DEFAULT_LIMIT`` for the
    many-valued groupings and none for the dimensions."""
    if asked is not None:
        return asked
    return None if group_by in DIMENSIONS else DEFAULT_LIMIT


@dataclass(frozen=True)
class GroupRow:
    """One group, or (``shown`` false) the groups beyond the limit in one currency."""

    key: str | None
    currency: str
    billed: Decimal
    effective: Decimal
    groups: int
    shown: bool


def _ranked(grouped: Select[Any], limit: int) -> Select[Any]:
    """The first ``limit`` groups by billed cost as they are, the rest summed per currency."""
    g = grouped.subquery()
    rank = func.row_number().over(order_by=(g.c.billed.desc(), g.c.key, g.c.currency))
    shown = (rank <= limit).label("shown")
    r = select(g, shown).subquery()
    key = case((r.c.shown, r.c.key)).label("key")
    s = select(key, r.c.currency, r.c.shown, r.c.billed, r.c.effective).subquery()
    billed = func.sum(s.c.billed)
    return (
        select(s.c.key, s.c.currency, billed, func.sum(s.c.effective), func.count(), s.c.shown)
        .group_by(s.c.key, s.c.currency, s.c.shown)
        .order_by(s.c.shown.desc(), billed.desc(), s.c.key, s.c.currency)
    )


def _all(grouped: Select[Any]) -> Select[Any]:
    g = grouped.subquery()
    return select(
        g.c.key, g.c.currency, g.c.billed, g.c.effective, literal(1), literal(True)
    ).order_by(g.c.billed.desc(), g.c.key, g.c.currency)


def ordered(grouped: Select[Any], limit: int | None) -> Select[Any]:
    """The groups of ``grouped`` (columns key, currency, billed, effective), largest
    first, the ones beyond ``limit`` folded per currency at the end."""
    return _all(grouped) if limit is None else _ranked(grouped, limit)


async def grouped_rows(
    session: AsyncSession, query: Select[Any], bound: dict[str, Any] | None = None
) -> list[GroupRow]:
    """The rows of an ``ordered`` statement."""
    return [GroupRow(*row) for row in await rows_of(session, query, bound or {})]
