"""Ingest of a bill read from a cost API (Cost Explorer, Cost Management) as one delivery.

A cost API has no manifest, so the delivery is what the API answered for one
billing period, and it goes through the same stage, check and swap as a CUR
delivery: the period is replaced whole, or not at all.

Days already final are not asked for again and not changed. A day is final
once the latest successful delivery of its period finished ``PROVISIONAL_DAYS``
after the day ended (the hot bill's rule): its stored rows are carried into
the new delivery as they are, and only the later days are read from the API.
This also keeps paid API calls (Cost Explorer charges per request) few.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import Database, utcnow
from nephos_common.errors import InvalidInput
from nephos_metering.costs.service import PROVISIONAL_DAYS
from nephos_metering.ingest import staging
from nephos_metering.ingest.cur import COST_COLUMNS, Stamp
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.models import Delivery, DeliveryStatus
from nephos_metering.ingest.service import IngestOutcome, ingest_delivery, swap_in

Line = dict[str, Any]
"""One FOCUS cost row without its stamp: the keys are ``COST_COLUMNS[3:]``."""

SOURCE = "metering"
_CARRIED = ", ".join(COST_COLUMNS[3:])


@dataclass(frozen=True)
class Window:
    """The days of a billing period to read from the API: [start, end)."""

    start: datetime
    end: datetime

    @property
    def empty(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class ApiAnswer:
    """What the API said for a window: FOCUS lines and the total it reported."""

    lines: list[Line]
    reported_total: Decimal


Fetch = Callable[[Window], Awaitable[ApiAnswer]]


@dataclass(frozen=True)
class ApiBill:
    """Which bill to ingest and how to read it."""

    tenant: str
    account_id: uuid.UUID
    source: str
    endpoint: str
    billing_account_id: str
    period: BillingPeriod
    fetch: Fetch


def stamped(line: Mapping[str, Any], stamp: Stamp) -> tuple[Any, ...]:
    """A line as a ``costs`` row in ``COST_COLUMNS`` order; tags as JSON text for COPY."""
    values = [json.dumps(line["tags"]) if name == "tags" else line[name]
              for name in COST_COLUMNS[3:]]  # fmt: skip
    return (stamp.tenant, stamp.account_id, stamp.delivery_id, *values)


def blank_line() -> Line:
    """Every column null except the ones FOCUS requires a value for (filled by the reader)."""
    line: Line = dict.fromkeys(COST_COLUMNS[3:])
    line["tags"] = {}
    return line


def day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(), tzinfo=moment.tzinfo)


async def final_until(session: AsyncSession, bill: ApiBill) -> datetime:
    """The first day of the period that is not final yet (see module doc)."""
    finished = await session.scalar(
        select(func.max(Delivery.finished_at)).where(
            Delivery.tenant == bill.tenant,
            Delivery.billing_account_id == bill.billing_account_id,
            Delivery.billing_period_start == bill.period.start,
            Delivery.status == DeliveryStatus.SUCCEEDED,
        )
    )
    if finished is None:
        return bill.period.start
    settled = day_start(finished) - timedelta(days=PROVISIONAL_DAYS)
    return min(max(settled, bill.period.start), bill.period.end)


def open_window(first_open_day: datetime, period: BillingPeriod) -> Window:
    """From the first day not final through today, within the period."""
    tomorrow = day_start(utcnow()) + timedelta(days=1)
    return Window(first_open_day, min(period.end, tomorrow))


def answer_fingerprint(bill: ApiBill, window: Window, lines: Sequence[Line]) -> str:
    """The same answer for the same window: the same delivery, skipped when repeated."""
    canonical = json.dumps(
        [bill.source, bill.billing_account_id, window.start.isoformat(), lines],
        sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


async def ingest_api_bill(database: Database, bill: ApiBill) -> IngestOutcome:
    """Read the open days of the period from the API and swap the period in."""
    async with database.transaction() as session:
        window = open_window(await final_until(session, bill), bill.period)
        in_force = await _in_force(session, bill)
    if window.empty:
        if in_force is None:
            raise InvalidInput("the billing period has not begun", code="period_not_begun")
        return IngestOutcome("skipped", in_force)
    answer = await bill.fetch(window)
    _check_answer(answer, window)
    return await ingest_delivery(
        database, bill.tenant, answer_fingerprint(bill, window, answer.lines),
        lambda session, fingerprint: _new_delivery(session, bill, fingerprint),
        lambda session, delivery_id: _load(session, bill, window, answer, delivery_id),
    )  # fmt: skip


def _check_answer(answer: ApiAnswer, window: Window) -> None:
    """Every amount the API reported became one line's BilledCost, all within the window.

    A line outside the window would sit next to the carried rows of a final day.
    """
    mapped = sum((line["billed_cost"] for line in answer.lines), Decimal(0))
    if mapped != answer.reported_total:
        raise staging.CheckFailed(
            f"the lines total {mapped}, the API reported {answer.reported_total}"
        )
    outside = [day for day in (line["charge_period_start"] for line in answer.lines)
               if not window.start <= day < window.end]  # fmt: skip
    if outside:
        raise staging.CheckFailed(
            f"the API answered {len(outside)} lines outside {window.start:%Y-%m-%d} to "
            f"{window.end:%Y-%m-%d}; days already final are not changed",
            first=f"{min(outside):%Y-%m-%d}",
        )


async def _in_force(session: AsyncSession, bill: ApiBill) -> Delivery | None:
    found: Delivery | None = await session.scalar(
        select(Delivery).where(
            Delivery.tenant == bill.tenant,
            Delivery.billing_account_id == bill.billing_account_id,
            Delivery.billing_period_start == bill.period.start,
            Delivery.status == DeliveryStatus.SUCCEEDED,
        )
    )
    return found


def _new_delivery(session: AsyncSession, bill: ApiBill, fingerprint: str) -> Delivery:
    delivery = Delivery(
        id=uuid.uuid4(), tenant=bill.tenant, account_id=bill.account_id, source=bill.source,
        bucket="", manifest_key=bill.endpoint, files=[], fingerprint=fingerprint,
        billing_account_id=bill.billing_account_id, billing_period_start=bill.period.start,
        billing_period_end=bill.period.end, status=DeliveryStatus.RUNNING, row_count=0,
        requested_at=utcnow(),
    )  # fmt: skip
    session.add(delivery)
    return delivery


async def _carry_final_days(
    session: AsyncSession, bill: ApiBill, window: Window, load: staging.Load
) -> tuple[int, Decimal]:
    """Copy the stored rows of the final days into staging, as they are."""
    moved = await session.execute(text(
        f"WITH moved AS (INSERT INTO {load.table} (tenant, account_id, delivery_id, "
        f"{_CARRIED}) SELECT tenant, account_id, :delivery, {_CARRIED} FROM costs"
        " WHERE tenant = :tenant AND billing_account_id = :account"
        " AND billing_period_start = :start AND charge_period_start < :until"
        " RETURNING billed_cost) SELECT count(*), coalesce(sum(billed_cost), 0) FROM moved"
    ), {"delivery": load.delivery_id, "tenant": bill.tenant, "account": bill.billing_account_id,
        "start": bill.period.start, "until": window.start})  # fmt: skip
    count, total = moved.one()
    return int(count), Decimal(total)


async def _load(
    session: AsyncSession, bill: ApiBill, window: Window, answer: ApiAnswer,
    delivery_id: uuid.UUID,
) -> None:  # fmt: skip
    load = await staging.open_load(session, delivery_id)
    await staging.take_turn(session)  # before reading ``costs``: see ``staging`` on locks
    tally = staging.Tally()
    tally.rows, tally.billed = await _carry_final_days(session, bill, window, load)
    stamp = Stamp(bill.tenant, bill.account_id, delivery_id)
    rows = [stamped(line, stamp) for line in answer.lines]
    tally.add(rows)
    await staging.stage(session, load, rows)
    staged = await staging.check(session, load, tally, bill.period)
    await swap_in(session, load, bill.tenant, staged, bill.period)
