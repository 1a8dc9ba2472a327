"""Stage, check, swap: how a delivery replaces its billing period atomically.

``costs`` is partitioned by (tenant, billing account, billing period), the unit
a delivery replaces. Each delivery is loaded into a table of its own with no
index, so COPY only appends; the rows are checked there; their indexes are then
built in one sorted pass each, several times cheaper than keeping them up row
by row; and the previous partition of the period is dropped and the new table
attached in its place. All of it is one transaction: a failure anywhere rolls
it back, the new table was never visible, and the costs already stored stay
exactly as they were. A restated period costs a dropped table, not a million
deleted rows. The checks also read the partition's cloud account and latest
charge period end, which ``cost_partitions`` keeps for freshness questions.

Rows written into ``costs`` directly, not by a delivery, land in its default
partition; the swap removes a period's rows there too. Those writes keep the
daily totals by trigger; an attached or dropped partition adds or subtracts
its own through ``cost_daily_totals_apply``.

Locks, in the one order every swap takes them (so none waits on another in a
circle): loading locks nothing shared (the load table is defined from the
catalog, not ``LIKE costs``, which would hold a lock on ``costs`` until commit);
then swaps take turns on an advisory lock, and whatever else reads ``costs``
inside a delivery's transaction takes that turn first (``take_turn``); the daily
totals are moved while readers still run; only the drop and the attach hold
``costs`` exclusively, from there to the commit, a few milliseconds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import copy_csv, copy_rows
from nephos_common.errors import InvalidInput
from nephos_metering.ingest.cur import (
    ALLOWED_CHARGE_CATEGORIES,
    COST_COLUMNS,
    CSV_COLUMNS,
    SHARED_COLUMNS,
    Stamp,
)
from nephos_metering.ingest.manifest import BillingPeriod

_BILLED = COST_COLUMNS.index("billed_cost")
_PERIOD_START = COST_COLUMNS.index("billing_period_start")
_PERIOD_END = COST_COLUMNS.index("billing_period_end")
_SCOPE = "tenant = :tenant AND billing_account_id = :account AND billing_period_start = :start"
PARTITION_TEMPLATE = "costs_partition_template"
"""An empty table holding the index definitions of a delivery's partition."""
_TEMPLATE_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ ")
_SWAP_TURN = 0x636F737473  # the advisory lock swaps take turns on ("costs")
_COLUMNS_OF_COSTS = """
    SELECT string_agg(format('%I %s%s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
               coalesce(' COLLATE ' || quote_ident(l.collname), ''),
               CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
               coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')),
           ', ' ORDER BY a.attnum)
    FROM pg_attribute AS a
    LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation AS l ON l.oid = a.attcollation
    WHERE a.attrelid = 'costs'::regclass AND a.attnum > 0 AND NOT a.attisdropped
"""
_UNSTUDIED = (
    "id", "delivery_id", "billing_period_end", "charge_period_end", "billed_cost",
    "effective_cost", "list_cost", "contracted_cost", "charge_class", "charge_description",
    "resource_type", "sku_id", "pricing_quantity", "pricing_unit", "consumed_quantity",
    "consumed_unit", "commitment_discount_type", "x_line_item_type", "x_product_code",
    "x_usage_type", "x_operation", "invoice_id",
)  # fmt: skip
"""Columns no question filters, groups or joins a partition's rows by: the partition's
statistics leave them out, which halves the time ANALYZE takes over a delivery."""
_STATISTICS_TARGET = 30
"""The statistics target of a partition's ANALYZE: its sample is 300 times this many rows.
A partition holds one company's billing account for one period, so the columns questions
read have few values each (services, regions, days); 9,000 rows describe them, and
sampling them costs a quarter of the default's 30,000."""
_INDEX_MEMORY = "256MB"
"""Enough for the sorts of a million-row delivery's index builds to stay in memory."""


Periods = set[tuple[datetime, datetime]]


@dataclass
class Tally:
    """Row count and BilledCost total, summed in Python while the files are read, and the
    billing periods the rows name (the staged rows take the manifest's: ``stage_csv``)."""

    rows: int = 0
    billed: Decimal = Decimal(0)
    periods: Periods = field(default_factory=set)

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        self.add_total(len(rows), sum((row[_BILLED] for row in rows), Decimal(0)),
                       {(row[_PERIOD_START], row[_PERIOD_END]) for row in rows})  # fmt: skip

    def add_total(self, rows: int, billed: Decimal, periods: Periods) -> None:
        self.rows += rows
        self.billed += billed
        self.periods |= periods


@dataclass(frozen=True)
class Staged:
    rows: int
    billed: Decimal
    billing_account_id: str
    currency: str | None
    account_id: uuid.UUID
    """The cloud account the delivery was ingested for: its partition's."""
    data_through: datetime
    """The latest charge period end of its rows: the partition's freshness."""


class CheckFailed(InvalidInput):
    code = "delivery_check_failed"


@dataclass(frozen=True)
class Load:
    """The table one delivery's rows are staged in, to become its period's partition."""

    delivery_id: uuid.UUID

    @property
    def table(self) -> str:
        return f"costs_d_{self.delivery_id.hex}"


async def open_load(session: AsyncSession, delivery_id: uuid.UUID) -> Load:
    """A new, empty table with the columns of ``costs`` (see module doc on locks)."""
    load = Load(delivery_id)
    columns = (await session.execute(text(_COLUMNS_OF_COSTS))).scalar_one()
    await session.execute(text(f"CREATE TABLE {load.table} ({columns})"))
    return load


async def take_turn(session: AsyncSession) -> None:
    """Wait for the swaps' turn, until the end of the transaction (see module doc)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SWAP_TURN})


async def hold_costs(session: AsyncSession) -> None:
    """Take the swaps' turn and hold ``costs`` against writes (``SHARE`` mode: readers go
    on) until the end of the transaction: for rebuilding totals from the line items, which
    no write may change meanwhile."""
    await take_turn(session)
    await session.execute(text("LOCK TABLE costs IN SHARE MODE"))


async def stage(
    session: AsyncSession, load: Load,
    rows: Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]],
) -> None:  # fmt: skip
    """COPY mapped rows (``COST_COLUMNS`` order) into the load; an async iterable is
    streamed, so the server stores rows while the next ones are read and mapped."""
    await copy_rows(session, load.table, COST_COLUMNS, rows)


async def stage_csv(
    session: AsyncSession, load: Load, stamp: Stamp, period: BillingPeriod,
    chunks: AsyncIterable[bytes],
) -> None:  # fmt: skip
    """``stage`` for rows already written as CSV in ``CSV_COLUMNS`` order: the columns
    every row shares (``SHARED_COLUMNS``: the stamp, and the manifest's period, which the
    rows' own were checked against in the tally) are the load's defaults for the COPY,
    which then neither carries nor parses them a million times. The load was made in this
    transaction, so its rows are copied frozen (``copy_csv``): a vacuum finds nothing
    left to do in the partition it becomes."""
    values = (stamp.tenant, str(stamp.account_id), str(stamp.delivery_id),
              period.start.isoformat(), period.end.isoformat())  # fmt: skip
    shared = dict(zip(SHARED_COLUMNS, values, strict=True))
    defaults = ", ".join(f"ALTER COLUMN {column} SET DEFAULT %L" for column in shared)
    await _execute_formatted(session, f"ALTER TABLE {load.table} {defaults}", *shared.values())
    await copy_csv(session, load.table, CSV_COLUMNS, chunks, freeze=True)
    dropped = ", ".join(f"ALTER COLUMN {column} DROP DEFAULT" for column in shared)
    await session.execute(text(f"ALTER TABLE {load.table} {dropped}"))


async def check(session: AsyncSession, load: Load, tally: Tally, period: BillingPeriod) -> Staged:
    """The staged rows against what was read, the manifest's period and FOCUS's values.

    One pass of aggregates PostgreSQL can split over parallel workers (a distinct list
    cannot be): a column holds one value where its least and greatest agree. The values
    a failed check names are read only then."""
    facts = (await session.execute(text(
        f"SELECT count(*), coalesce(sum(billed_cost), 0),"
        f" min(billing_account_id), max(billing_account_id),"
        f" coalesce(bool_and(charge_category = ANY(:allowed)), true),"
        f" min(billing_currency), max(billing_currency),"
        f" min(account_id::text), max(account_id::text), max(charge_period_end)"
        f" FROM {load.table}"
    ), {"allowed": sorted(ALLOWED_CHARGE_CATEGORIES)})).one()  # fmt: skip
    count, billed, account, last_account, allowed, currency, last_currency = facts[:7]
    owner, last_owner, through = facts[7:]
    if count == 0:
        raise CheckFailed("the delivery has no line items; refusing to show a zero bill")
    if count != tally.rows or billed != tally.billed:
        raise CheckFailed(f"staged {count} rows totalling {billed}, read {tally.rows} "
                          f"totalling {tally.billed}")  # fmt: skip
    if account != last_account:
        raise CheckFailed(
            "the delivery mixes billing accounts",
            accounts=await _distinct(session, load, "billing_account_id"),
        )
    if not allowed:
        raise CheckFailed(
            "ChargeCategory values outside FOCUS",
            values=await _distinct(session, load, "charge_category"),
        )
    if tally.periods - {(period.start, period.end)}:
        raise CheckFailed("rows belong to another billing period than the manifest's")
    if owner != last_owner:
        raise CheckFailed(
            "the delivery mixes cloud accounts",
            accounts=await _distinct(session, load, "account_id::text"),
        )
    return Staged(rows=count, billed=billed, billing_account_id=account,
                  currency=currency if currency == last_currency else None,
                  account_id=uuid.UUID(owner), data_through=through)  # fmt: skip


async def _distinct(session: AsyncSession, load: Load, column: str) -> list[Any]:
    """The sorted distinct values of ``column`` in the load, for a failed check's error."""
    return list((await session.execute(text(
        f"SELECT DISTINCT {column} AS v FROM {load.table} ORDER BY v"
    ))).scalars())  # fmt: skip


async def swap(
    session: AsyncSession, load: Load, tenant: str, staged: Staged, period: BillingPeriod
) -> None:
    """Make the load the period's partition of ``costs`` (see module doc).

    Deliveries of one period build their tables side by side; the last to swap
    wins whole.
    """
    scope = {"tenant": tenant, "account": staged.billing_account_id, "start": period.start}
    await _index(session, load)
    await _bound(session, load, scope, staged.account_id)
    await take_turn(session)
    previous = (await session.execute(text(
        f"DELETE FROM cost_partitions WHERE {_SCOPE} RETURNING table_name"
    ), scope)).scalar_one_or_none()  # fmt: skip
    if previous is not None:
        await _apply_totals(session, previous, -1)
    await _apply_totals(session, load.table, 1)
    await session.execute(text("LOCK TABLE costs IN ACCESS EXCLUSIVE MODE"))
    if previous is not None:
        await session.execute(text(f"DROP TABLE {previous}"))
    await session.execute(text(f"DELETE FROM costs WHERE {_SCOPE}"), scope)
    await _attach(session, load, scope, staged)
    await session.execute(text(
        f"UPDATE deliveries SET status = 'superseded' WHERE {_SCOPE}"
        " AND status = 'succeeded' AND id <> :id"
    ), {**scope, "id": load.delivery_id})  # fmt: skip


async def _index(session: AsyncSession, load: Load) -> None:
    """The indexes of a delivery's partition (``costs_partition_template``'s, see
    migration 0018) on the load, each built in one pass, and its statistics (of the
    columns questions read, ``_UNSTUDIED``, from a sample of ``_STATISTICS_TARGET``)."""
    await session.execute(text(f"SET LOCAL maintenance_work_mem = '{_INDEX_MEMORY}'"))
    definitions = (await session.execute(text(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        f" AND tablename = '{PARTITION_TEMPLATE}'"
    ))).scalars()  # fmt: skip
    for definition in definitions:
        own = _TEMPLATE_INDEX.sub(rf"CREATE \1INDEX ON {load.table} ", definition)
        await session.execute(text(own))
    unstudied = ", ".join(f"ALTER COLUMN {column} SET STATISTICS 0" for column in _UNSTUDIED)
    await session.execute(text(f"ALTER TABLE {load.table} {unstudied}"))
    await session.execute(text(f"SET LOCAL default_statistics_target = {_STATISTICS_TARGET}"))
    await session.execute(text(f"ANALYZE {load.table}"))


async def _bound(
    session: AsyncSession, load: Load, scope: dict[str, Any], owner: uuid.UUID
) -> None:
    """A constraint proving the partition's bounds: the attach then reads no row. It names
    the partition's cloud account too, for the planner to leave the partition out of
    questions narrowed to other accounts (migration 0018)."""
    await _execute_formatted(session, (
        f"ALTER TABLE {load.table} ADD CONSTRAINT {load.table}_scope CHECK (tenant = %L AND"
        " billing_account_id = %L AND billing_period_start = %L AND account_id = %L)"
    ), *_bounds(scope), str(owner))  # fmt: skip


async def _apply_totals(session: AsyncSession, table: str, sign: int) -> None:
    await session.execute(text("SELECT cost_daily_totals_apply(CAST(:t AS regclass), :sign)"),
                          {"t": table, "sign": sign})  # fmt: skip


async def _attach(session: AsyncSession, load: Load, scope: dict[str, Any], staged: Staged) -> None:
    await _execute_formatted(session, (
        f"ALTER TABLE costs ATTACH PARTITION {load.table} FOR VALUES FROM (%L, %L, %L)"
        " TO (%L, %L, CAST(%L AS timestamptz) + interval '1 microsecond')"
    ), *_bounds(scope), *_bounds(scope))  # fmt: skip
    await session.execute(text(
        "INSERT INTO cost_partitions (tenant, billing_account_id, billing_period_start,"
        " table_name, account_id, data_through)"
        " VALUES (:tenant, :account, :start, :table, :owner, :through)"
    ), {**scope, "table": load.table, "owner": staged.account_id,
        "through": staged.data_through})  # fmt: skip


def _bounds(scope: dict[str, Any]) -> tuple[str, str, str]:
    return scope["tenant"], scope["account"], scope["start"].isoformat()


async def _execute_formatted(session: AsyncSession, template: str, *values: str) -> None:
    """DDL with literals: DDL takes no parameters, so PostgreSQL's ``format`` quotes them."""
    casts = "".join(f", CAST(:v{i} AS text)" for i in range(len(values)))
    statement = (await session.execute(
        text(f"SELECT format(:template{casts})"),
        {"template": template, **{f"v{i}": value for i, value in enumerate(values)}},
    )).scalar_one()  # fmt: skip
    connection = await session.connection()
    await connection.exec_driver_sql(statement)
