"""Stage, check, swap: how a delivery replaces its billing period atomically.

Rows are COPYed into a temporary table of the load's own transaction, checked
there, and only then swapped in: the period's old rows are deleted and the
staged ones inserted in the same transaction. A failure anywhere rolls it all
back, so the costs already stored stay exactly as they were.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import copy_rows
from nephos_common.errors import InvalidInput
from nephos_metering.ingest.cur import ALLOWED_CHARGE_CATEGORIES, COST_COLUMNS
from nephos_metering.ingest.manifest import BillingPeriod

STAGING = "cost_staging"
_COLUMNS = ", ".join(COST_COLUMNS)
_BILLED = COST_COLUMNS.index("billed_cost")


@dataclass
class Tally:
    """Row count and BilledCost total, summed in Python while the files are read."""

    rows: int = 0
    billed: Decimal = Decimal(0)

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        self.rows += len(rows)
        self.billed += sum((row[_BILLED] for row in rows), Decimal(0))


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


async def check(session: AsyncSession, tally: Tally, period: BillingPeriod) -> Staged:
    """The staged rows against what was read, the manifest's period and FOCUS's values."""
    facts = (await session.execute(text(
        f"SELECT count(*), coalesce(sum(billed_cost), 0), array_agg(DISTINCT billing_account_id),"
        f" array_agg(DISTINCT charge_category), array_agg(DISTINCT billing_currency),"
        f" bool_and(billing_period_start = :start AND billing_period_end = :end)"
        f" FROM {STAGING}"
    ), {"start": period.start, "end": period.end})).one()  # fmt: skip
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
    scope = {"tenant": tenant, "account": staged.billing_account_id, "start": period.start}
    lock_key = f"costs:{tenant}:{staged.billing_account_id}:{period.start.isoformat()}"
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                          {"k": lock_key})  # fmt: skip
    where = "tenant = :tenant AND billing_account_id = :account AND billing_period_start = :start"
    await session.execute(text(f"DELETE FROM costs WHERE {where}"), scope)
    await session.execute(text(
        f"INSERT INTO costs ({_COLUMNS}) SELECT {_COLUMNS} FROM {STAGING}"
    ))  # fmt: skip
    await session.execute(text(
        f"UPDATE deliveries SET status = 'superseded' WHERE {where}"
        " AND status = 'succeeded' AND id <> :id"
    ), {**scope, "id": delivery_id})  # fmt: skip
