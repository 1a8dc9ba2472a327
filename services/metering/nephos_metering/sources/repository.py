"""Every query on billing sources and ingest runs, scoped by tenant where a caller asks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_metering.costs.repository import latest_charge_end
from nephos_metering.ingest.models import Delivery, DeliveryStatus
from nephos_metering.sources.models import BillingSource, IngestRun


async def get(session: AsyncSession, tenant: str, source_id: uuid.UUID) -> BillingSource:
    found = await session.scalar(
        select(BillingSource).where(BillingSource.tenant == tenant, BillingSource.id == source_id)
    )
    if found is None:
        raise NotFound(f"billing source {source_id} not found", code="source_not_found")
    return found


async def for_account(
    session: AsyncSession, tenant: str, account_id: uuid.UUID
) -> BillingSource | None:
    found: BillingSource | None = await session.scalar(
        select(BillingSource).where(
            BillingSource.tenant == tenant, BillingSource.account_id == account_id
        )
    )
    return found


async def list_sources(
    session: AsyncSession, tenant: str, account_id: uuid.UUID | None
) -> list[BillingSource]:
    query = select(BillingSource).where(BillingSource.tenant == tenant)
    if account_id is not None:
        query = query.where(BillingSource.account_id == account_id)
    return list(await session.scalars(query.order_by(BillingSource.created_at)))


async def scheduled_for_update(session: AsyncSession) -> list[BillingSource]:
    """Enabled sources with a schedule, locked; rows another replica holds are skipped."""
    query = (
        select(BillingSource)
        .where(
            BillingSource.enabled.is_(True),
            or_(BillingSource.interval_minutes.is_not(None), BillingSource.daily_hour.is_not(None)),
        )
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(query))


async def get_run(session: AsyncSession, tenant: str, run_id: uuid.UUID) -> IngestRun:
    run = await session.scalar(
        select(IngestRun).where(IngestRun.tenant == tenant, IngestRun.id == run_id)
    )
    if run is None:
        raise NotFound(f"ingest run {run_id} not found", code="run_not_found")
    return run


async def run_for_update(session: AsyncSession, run_id: uuid.UUID) -> IngestRun | None:
    return await session.scalar(select(IngestRun).where(IngestRun.id == run_id).with_for_update())


async def source_of(session: AsyncSession, run: IngestRun) -> BillingSource | None:
    return await session.get(BillingSource, run.source_id)


async def list_runs(
    session: AsyncSession, tenant: str, source_id: uuid.UUID | None, limit: int
) -> list[IngestRun]:
    query = select(IngestRun).where(IngestRun.tenant == tenant)
    if source_id is not None:
        query = query.where(IngestRun.source_id == source_id)
    rows = await session.scalars(query.order_by(IngestRun.requested_at.desc()).limit(limit))
    return list(rows)


async def add_result(session: AsyncSession, run_id: uuid.UUID, result: dict[str, str]) -> None:
    """One more period done, in one statement, so readers see progress as it happens."""
    await session.execute(
        update(IngestRun)
        .where(IngestRun.id == run_id)
        .values(
            periods_done=IngestRun.periods_done + 1,
            results=IngestRun.results.op("||")(literal([result], JSONB)),
        )
    )


Freshness = tuple[uuid.UUID, datetime | None, datetime | None]


async def freshness(session: AsyncSession, tenant: str) -> list[Freshness]:
    """Per account: the latest charge period end held and the latest delivery's finish."""
    delivered = (
        select(Delivery.account_id, func.max(Delivery.finished_at).label("finished"))
        .where(Delivery.tenant == tenant, Delivery.status == DeliveryStatus.SUCCEEDED)
        .group_by(Delivery.account_id)
        .subquery()
    )
    through = latest_charge_end(tenant, delivered.c.account_id)
    query = select(delivered.c.account_id, through, delivered.c.finished)
    found = await session.execute(query.order_by(delivered.c.account_id))
    return [(account, through, finished) for account, through, finished in found.all()]
