"""Stage, check, swap: how a delivery replaces its billing period atomically.

Rows are COPYed into a temporary table of the load's own transaction, checked
there, and only then swapped in: the period's old rows are deleted and the
staged ones inserted in the same transaction. A failure anywhere rolls it all
back, so the costs already stored stay exactly as they were.

Large files (CUR) are staged in place instead: one streaming COPY per file
writes straight into ``costs`` under the delivery's own id, so the server
stores and indexes rows while the next ones are still being read, and the
rows are written once rather than twice (temporary table, then ``costs``).
They stay invisible to everyone else until the transaction commits, are
checked by delivery id, and the swap then only removes the period's old rows;
a failure rolls them back with the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import copy_csv, copy_rows
from nephos_common.errors import InvalidInput
from nephos_metering.ingest.cur import ALLOWED_CHARGE_CATEGORIES, COST_COLUMNS
from nephos_metering.ingest.manifest import BillingPeriod

STAGING = "cost_staging"
_COLUMNS = ", ".join(COST_COLUMNS)
_BILLED = COST_COLUMNS.index("billed_cost")
_SCOPE = "tenant = :tenant AND billing_account_id = :account AND billing_period_start = :start"


@dataclass
class Tally:
    """Row count and BilledCost total, summed in Python while the files are read."""

    rows: int = 0
    billed: Decimal = Decimal(0)

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        self.add_total(len(rows), sum((row[_BILLED] for row in rows), Decimal(0)))

    def add_total(self, rows: int, billed: Decimal) -> None:
        self.rows += rows
        self.billed += billed


@dataclass(frozen=True)
class Staged:
    rows: int
    billed: Decimal
    billing_account_id: str
    currency: str | None


class CheckFailed(InvalidInput):
    code = "delivery_check_failed"


async def create(session: AsyncSession) -> None:
    await session.execute(text(
        f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS SELECT {_COLUMNS} FROM costs WITH NO DATA"
    ))  # fmt: skip


async def stage(session: AsyncSession, rows: Sequence[Sequence[Any]]) -> None:
    await copy_rows(session, STAGING, COST_COLUMNS, rows)


async def stage_in_place(session: AsyncSession, rows: AsyncIterable[Sequence[Any]]) -> None:
    """Stream rows straight into ``costs`` with one COPY (see module doc)."""
    await copy_rows(session, "costs", COST_COLUMNS, rows)


async def stage_csv_in_place(session: AsyncSession, chunks: AsyncIterable[bytes]) -> None:
    """``stage_in_place`` for rows already written as CSV in ``COST_COLUMNS`` order."""
    await copy_csv(session, "costs", COST_COLUMNS, chunks)


async def check(session: AsyncSession, tally: Tally, period: BillingPeriod) -> Staged:
    """The staged rows against what was read, the manifest's period and FOCUS's values."""
    return await _checked(session, tally, period, STAGING, {})


async def check_in_place(
    session: AsyncSession, tally: Tally, period: BillingPeriod, delivery_id: uuid.UUID
) -> Staged:
    """``check`` for rows staged in place: the delivery's own rows in ``costs``."""
    return await _checked(session, tally, period, "costs WHERE delivery_id = :delivery",
                          {"delivery": delivery_id})  # fmt: skip


async def _checked(
    session: AsyncSession, tally: Tally, period: BillingPeriod, source: str,
    params: dict[str, Any],
) -> Staged:  # fmt: skip
    facts = (await session.execute(text(
        f"SELECT count(*), coalesce(sum(billed_cost), 0), array_agg(DISTINCT billing_account_id),"
        f" array_agg(DISTINCT charge_category), array_agg(DISTINCT billing_currency),"
        f" bool_and(billing_period_start = :start AND billing_period_end = :end)"
        f" FROM {source}"
    ), {"start": period.start, "end": period.end, **params})).one()  # fmt: skip
    count, billed, accounts, categories, currencies, in_period = facts
    if count == 0:
        raise CheckFailed("the delivery has no line items; refusing to show a zero bill")
    if count != tally.rows or billed != tally.billed:
        raise CheckFailed(f"staged {count} rows totalling {billed}, read {tally.rows} "
                          f"totalling {tally.billed}")  # fmt: skip
    if len(accounts) != 1:
        raise CheckFailed("the delivery mixes billing accounts", accounts=sorted(accounts))
    if not set(categories) <= ALLOWED_CHARGE_CATEGORIES:
        raise CheckFailed("ChargeCategory values outside FOCUS", values=sorted(categories))
    if not in_period:
        raise CheckFailed("rows belong to another billing period than the manifest's")
    currency = currencies[0] if len(currencies) == 1 else None
    return Staged(rows=count, billed=billed, billing_account_id=accounts[0], currency=currency)


async def swap(
    session: AsyncSession, tenant: str, staged: Staged, period: BillingPeriod,
    delivery_id: uuid.UUID,
) -> None:  # fmt: skip
    """Replace the (billing account, billing period) with the staged rows, under a lock."""
    scope = await _locked_scope(session, tenant, staged, period)
    await session.execute(text(f"DELETE FROM costs WHERE {_SCOPE}"), scope)
    await session.execute(text(
        f"INSERT INTO costs ({_COLUMNS}) SELECT {_COLUMNS} FROM {STAGING}"
    ))  # fmt: skip
    await _supersede(session, scope, delivery_id)


async def swap_in_place(
    session: AsyncSession, tenant: str, staged: Staged, period: BillingPeriod,
    delivery_id: uuid.UUID,
) -> None:  # fmt: skip
    """``swap`` for rows staged in place: only the period's older rows are removed.

    The lock is taken before the delete, whose snapshot then sees any concurrent
    delivery of the same period that committed first: the last one wins whole.
    """
    scope = await _locked_scope(session, tenant, staged, period)
    await session.execute(text(f"DELETE FROM costs WHERE {_SCOPE} AND delivery_id <> :id"),
                          {**scope, "id": delivery_id})  # fmt: skip
    await _supersede(session, scope, delivery_id)


async def _locked_scope(
    session: AsyncSession, tenant: str, staged: Staged, period: BillingPeriod
) -> dict[str, Any]:
    """The (billing account, billing period) to replace, locked for this transaction."""
    lock_key = f"costs:{tenant}:{staged.billing_account_id}:{period.start.isoformat()}"
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                          {"k": lock_key})  # fmt: skip
    return {"tenant": tenant, "account": staged.billing_account_id, "start": period.start}


async def _supersede(session: AsyncSession, scope: dict[str, Any], delivery_id: uuid.UUID) -> None:
    await session.execute(text(
        f"UPDATE deliveries SET status = 'superseded' WHERE {_SCOPE}"
        " AND status = 'succeeded' AND id <> :id"
    ), {**scope, "id": delivery_id})  # fmt: skip
