"""Every query on discovery runs, scoped by tenant where a caller asks."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.discovery.models import DiscoveryRun, UnitFailure
from nephos_common.errors import NotFound


async def get(session: AsyncSession, tenant: str, run_id: uuid.UUID) -> DiscoveryRun:
    run = await session.scalar(
        select(DiscoveryRun).where(DiscoveryRun.tenant == tenant, DiscoveryRun.id == run_id)
    )
    if run is None:
        raise NotFound(f"discovery run {run_id} not found", code="run_not_found")
    return run


async def get_for_update(session: AsyncSession, run_id: uuid.UUID) -> DiscoveryRun | None:
    return await session.scalar(
        select(DiscoveryRun).where(DiscoveryRun.id == run_id).with_for_update()
    )


async def failures(session: AsyncSession, run_ids: list[uuid.UUID]) -> list[UnitFailure]:
    if not run_ids:
        return []
    rows = await session.scalars(
        select(UnitFailure)
        .where(UnitFailure.run_id.in_(run_ids))
        .order_by(UnitFailure.region, UnitFailure.native_type)
    )
    return list(rows)


async def list_for(
    session: AsyncSession, tenant: str, account_id: uuid.UUID | None, limit: int
) -> list[DiscoveryRun]:
    query = select(DiscoveryRun).where(DiscoveryRun.tenant == tenant)
    if account_id is not None:
        query = query.where(DiscoveryRun.account_id == account_id)
    rows = await session.scalars(query.order_by(DiscoveryRun.requested_at.desc()).limit(limit))
    return list(rows)


async def add_progress(session: AsyncSession, run_id: uuid.UUID, **increments: int) -> None:
    """Add to the run's counters in one statement, so readers see progress as it happens."""
    values = {name: getattr(DiscoveryRun, name) + n for name, n in increments.items()}
    await session.execute(update(DiscoveryRun).where(DiscoveryRun.id == run_id).values(**values))
