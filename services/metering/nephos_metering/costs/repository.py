"""Every query on cost rows, always scoped by tenant.

Days are UTC calendar days of the charge period start, as in the provider's bill.
Totals are read from ``cost_daily_totals`` rather than summed over line items,
so a dashboard question reads a few thousand rows whatever the bill's size; a
question narrowed to cloud accounts reads ``cost_account_daily_totals``, the
same sums per account (migration 0011), and one narrowed to (or grouped by) a
cost allocation tag ``cost_tag_daily_totals``, the same sums per tag value too
(migration 0012), and one narrowed to a service group ``cost_group_daily_totals``,
the sums of the group's resources per account (migration 0014). Their statements
are built once per ``Shape`` and run on the session's connection: building them
per request cost a third of its CPU.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Numeric,
    Select,
    TableClause,
    Uuid,
    any_,
    bindparam,
    column,
    func,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.ingest.models import Delivery, DeliveryStatus

TOTALS = table(
    "cost_daily_totals",
    column("tenant"), column("dimension"), column("day", Date), column("billing_currency"),
    column("key"), column("billed_cost", Numeric), column("effective_cost", Numeric),
)  # fmt: skip
"""Daily sums per dimension, kept exact by triggers on ``costs`` (migration 0006)."""
ACCOUNT_TOTALS = table(
    "cost_account_daily_totals",
    column("tenant"), column("account_id", Uuid), column("dimension"), column("day", Date),
    column("billing_currency"), column("key"), column("billed_cost", Numeric),
    column("effective_cost", Numeric),
)  # fmt: skip
"""The same sums per cloud account as well (migration 0011)."""
TAG_TOTALS = table(
    "cost_tag_daily_totals",
    column("tenant"), column("tag_key"), column("tagged", Boolean), column("tag_value"),
    column("account_id", Uuid), column("dimension"), column("day", Date),
    column("billing_currency"), column("key"), column("billed_cost", Numeric),
    column("effective_cost", Numeric),
)  # fmt: skip
"""The same sums per value of each cost allocation tag as well (migration 0012)."""
GROUP_TOTALS = table(
    "cost_group_daily_totals",
    column("tenant"), column("group_id", Uuid), column("account_id", Uuid), column("dimension"),
    column("day", Date), column("billing_currency"), column("key"),
    column("billed_cost", Numeric), column("effective_cost", Numeric),
)  # fmt: skip
"""The same sums per account of each service group's rows (migration 0014)."""

# Every cost row counts once in each dimension; totals over all rows read this one.
WHOLE = "charge_category"
BY_TAG = "tag"
"""The grouping of ``grouped_by`` by a cost allocation tag's values."""

TagRows = Literal["valued", "tagged", "every"]
"""Of a cost allocation tag's totals, the rows holding the bound value, those holding the
key with any value, or every row (to group by the key's values)."""


@dataclass(frozen=True)
class Shape:
    """Which totals a question reads and how they are narrowed: one statement per shape,
    built once, with the company, accounts, tag or service group, and days bound per call."""

    accounts: bool = False
    tag: TagRows | None = None
    group: bool = False


@dataclass(frozen=True)
class Scope:
    """The company, and the accounts (none: all) and the cost allocation tag or service
    group a question is narrowed to; see ``Shape`` for ``tag_rows``."""

    tenant: str
    accounts: tuple[uuid.UUID, ...] = ()
    tag_key: str | None = None
    tag_value: str | None = None
    tag_rows: TagRows | None = None
    group_id: uuid.UUID | None = None

    @property
    def shape(self) -> Shape:
        return Shape(bool(self.accounts), self.tag_rows, self.group_id is not None)

    def bound(self, **days: Any) -> dict[str, Any]:
        return {"tenant": self.tenant, "accounts": list(self.accounts), "tag_key": self.tag_key,
                "tag_value": self.tag_value, "group_id": self.group_id, **days}  # fmt: skip


def _source(shape: Shape) -> tuple[TableClause, list[Any]]:
    """The totals ``shape`` reads and the conditions scoping them to the bound values."""
    if shape.group:
        totals = GROUP_TOTALS
        where = [totals.c.tenant == bindparam("tenant"),
                 totals.c.group_id == bindparam("group_id", type_=Uuid())]  # fmt: skip
    elif shape.tag is not None:
        t = TAG_TOTALS.c
        where = [t.tenant == bindparam("tenant"), t.tag_key == bindparam("tag_key")]
        if shape.tag == "valued":
            where.append(t.tag_value == bindparam("tag_value"))
        elif shape.tag == "tagged":
            where.append(t.tagged)
        totals = TAG_TOTALS
    else:
        totals = ACCOUNT_TOTALS if shape.accounts else TOTALS
        where = [totals.c.tenant == bindparam("tenant")]
    if shape.accounts:
        where.append(totals.c.account_id == any_(bindparam("accounts", type_=ARRAY(Uuid()))))
    return totals, where


def _days(c: Any) -> list[Any]:
    return [c.day >= bindparam("first"), c.day < bindparam("after")]


def _day(moment: datetime) -> date:
    """Callers pass UTC midnights (whole days), which is what the daily totals hold."""
    utc = moment.astimezone(UTC)
    if utc.time() != time():
        raise ValueError(f"{moment} is not a UTC midnight")
    return utc.date()


def days_bound(start: datetime, end: datetime) -> dict[str, date]:
    """The days [start, end) as the statements here bind them."""
    return {"first": _day(start), "after": _day(end)}


def grouped_by(dimension: str, shape: Shape) -> Select[Any]:
    """Per key of ``dimension`` (or, ``BY_TAG``, per value of the bound tag key) and
    currency, the sums as ``grouping`` reads them, over the days bound (``days_bound``)."""
    totals, where = _source(shape)
    c = totals.c
    key, dimension = (c.tag_value, WHOLE) if dimension == BY_TAG else (c.key, dimension)
    return (
        select(key.label("key"), c.billing_currency.label("currency"),
               func.sum(c.billed_cost).label("billed"),
               func.sum(c.effective_cost).label("effective"))
        .where(*where, c.dimension == dimension, *_days(c))
        .group_by(key, c.billing_currency)
    )  # fmt: skip


@lru_cache(maxsize=64)
def _currencies(shape: Shape) -> Select[Any]:
    totals, where = _source(shape)
    return select(totals.c.billing_currency).where(*where).distinct()


@lru_cache(maxsize=64)
def _daily_billed(shape: Shape) -> Select[Any]:
    totals, where = _source(shape)
    c = totals.c
    currency = c.billing_currency == bindparam("currency")
    query = select(c.day, func.sum(c.billed_cost)).where(*where, c.dimension == WHOLE, currency)
    return query.where(*_days(c)).group_by(c.day)


@lru_cache(maxsize=64)
def _first_day(shape: Shape) -> Select[Any]:
    totals, where = _source(shape)
    c = totals.c
    currency = c.billing_currency == bindparam("currency")
    return select(func.min(c.day)).where(*where, c.dimension == WHOLE, currency)


async def rows_of(session: AsyncSession, query: Select[Any], bound: dict[str, Any]) -> list[Any]:
    """A kept statement's rows, run on the session's connection (plain rows, none of the
    ORM's per-result work)."""
    connection = await session.connection()
    return list((await connection.execute(query, bound)).all())


async def currencies(session: AsyncSession, scope: Scope) -> list[str]:
    return sorted(c for (c,) in await rows_of(session, _currencies(scope.shape), scope.bound()))


PARTITIONS = table(
    "cost_partitions", column("tenant"), column("account_id", Uuid),
    column("data_through", DateTime(timezone=True)),
)  # fmt: skip
"""Each delivery's partition, with its account and latest charge period end (0013)."""
DEFAULT_PARTITION = table(
    "costs_default", column("tenant"), column("account_id", Uuid),
    column("charge_period_end", DateTime(timezone=True)),
)  # fmt: skip
"""The rows written into ``costs`` directly, not by a delivery; indexed for freshness."""


def _latest(table: TableClause, end: Any, tenant: Any, account: Any = None) -> Any:
    """The latest of ``end`` in ``table`` for the company (and one account): an index read."""
    c = table.c
    query = select(func.max(end)).where(c.tenant == tenant)
    return query.where(c.account_id == account) if account is not None else query


def latest_charge_end(tenant: Any, account: Any = None) -> Any:
    """The latest charge period end held for the company (or one cloud account, given or
    correlated): the latest of its partitions' and of its rows written directly."""
    return func.greatest(
        _latest(PARTITIONS, PARTITIONS.c.data_through, tenant, account).scalar_subquery(),
        _latest(DEFAULT_PARTITION, DEFAULT_PARTITION.c.charge_period_end, tenant,
                account).scalar_subquery(),
    )  # fmt: skip


async def data_through(
    session: AsyncSession, tenant: str, accounts: Sequence[uuid.UUID] = ()
) -> datetime | None:
    """Freshness: the latest charge period end held for the company (or its ``accounts``)."""
    ends = [latest_charge_end(tenant, a) for a in accounts] or [latest_charge_end(tenant)]
    latest: datetime | None = await session.scalar(select(func.greatest(*ends)))
    return latest


async def daily_billed(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime, currency: str
) -> dict[date, Decimal]:
    """Billed cost per UTC day over [start, end) in one currency; days without cost absent."""
    bound = scope.bound(currency=currency, **days_bound(start, end))
    return {d: total for d, total in await rows_of(session, _daily_billed(scope.shape), bound)}


async def first_day(session: AsyncSession, scope: Scope, currency: str) -> date | None:
    """The first UTC day holding any cost in ``currency``: history starts there."""
    rows = await rows_of(session, _first_day(scope.shape), scope.bound(currency=currency))
    first: date | None = rows[0][0]
    return first


async def latest_deliveries(session: AsyncSession, tenant: str, day: datetime) -> list[datetime]:
    """Per billing account, when its latest successful delivery covering ``day`` finished."""
    query = (
        select(func.max(Delivery.finished_at))
        .where(
            Delivery.tenant == tenant,
            Delivery.status == DeliveryStatus.SUCCEEDED,
            Delivery.billing_period_start <= day,
            Delivery.billing_period_end > day,
            Delivery.finished_at.is_not(None),
        )
        .group_by(Delivery.billing_account_id)
    )
    return [finished for finished in (await session.scalars(query)).all() if finished is not None]
