"""Every query of anomaly detection and on stored anomalies, always scoped by tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_metering.anomalies.models import Anomaly
from nephos_metering.costs.repository import ACCOUNT_TOTALS, WHOLE, days_bound

MAX_ANOMALIES = 1000


@dataclass
class Series:
    """Daily billed cost of one service in one account, in one currency."""

    account_id: uuid.UUID
    service_name: str
    currency: str
    daily: dict[date, Decimal] = field(default_factory=dict)


async def series(
    session: AsyncSession, tenant: str, start: datetime, end: datetime,
    account_id: uuid.UUID | None,
) -> list[Series]:  # fmt: skip
    """Per (account, service, currency) daily totals over [start, end), read from the
    per-account daily totals: a delivery's detection no longer groups its line items."""
    t = ACCOUNT_TOTALS.c
    keys = (t.account_id, t.key, t.billing_currency)
    bounds = days_bound(start, end)
    where = [t.tenant == tenant, t.dimension == "service", t.key.is_not(None),
             t.day >= bounds["first"], t.day < bounds["after"]]  # fmt: skip
    if account_id is not None:
        where.append(t.account_id == account_id)
    query = select(*keys, t.day, func.sum(t.billed_cost)).where(*where).group_by(*keys, t.day)
    found: dict[tuple[uuid.UUID, str, str], Series] = {}
    for account, service, currency, on, total in (await session.execute(query)).all():
        one = found.setdefault((account, service, currency), Series(account, service, currency))
        one.daily[on] = total
    return list(found.values())


async def account_days(
    session: AsyncSession, tenant: str, account_id: uuid.UUID | None
) -> dict[uuid.UUID, tuple[date, date]]:
    """Per account, its first and last day with any cost: the days the data is known."""
    t = ACCOUNT_TOTALS.c
    query = select(t.account_id, func.min(t.day), func.max(t.day)).where(
        t.tenant == tenant, t.dimension == WHOLE
    )
    if account_id is not None:
        query = query.where(t.account_id == account_id)
    rows = (await session.execute(query.group_by(t.account_id))).all()
    return {account: (first, last) for account, first, last in rows}


async def add_once(session: AsyncSession, values: dict[str, object]) -> Anomaly | None:
    """Store an anomaly unless its (account, service, day) already has one."""
    new_id = await session.scalar(
        insert(Anomaly)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_nothing(index_elements=["tenant", "account_id", "service_name", "day"])
        .returning(Anomaly.id)
    )
    return None if new_id is None else await session.get(Anomaly, new_id)


async def get(session: AsyncSession, tenant: str, anomaly_id: uuid.UUID) -> Anomaly:
    found = await session.scalar(
        select(Anomaly).where(Anomaly.tenant == tenant, Anomaly.id == anomaly_id)
    )
    if found is None:
        raise NotFound(f"anomaly {anomaly_id} not found", code="anomaly_not_found")
    return found


@dataclass(frozen=True)
class AnomalyQuery:
    account_id: uuid.UUID | None = None
    service: str | None = None
    start: date | None = None
    end: date | None = None
    acknowledged: bool | None = None


async def list_for(session: AsyncSession, tenant: str, asked: AnomalyQuery) -> list[Anomaly]:
    query = select(Anomaly).where(Anomaly.tenant == tenant)
    if asked.account_id is not None:
        query = query.where(Anomaly.account_id == asked.account_id)
    if asked.service is not None:
        query = query.where(Anomaly.service_name == asked.service)
    if asked.start is not None:
        query = query.where(Anomaly.day >= asked.start)
    if asked.end is not None:
        query = query.where(Anomaly.day <= asked.end)
    if asked.acknowledged is not None:
        acked = Anomaly.acknowledged_at.is_not(None)
        query = query.where(acked if asked.acknowledged else ~acked)
    ordered = query.order_by(Anomaly.day.desc(), Anomaly.service_name, Anomaly.id)
    return list(await session.scalars(ordered.limit(MAX_ANOMALIES)))
