"""Every query on cloud accounts, always scoped by tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts.models import CloudAccount
from nephos_common import tenancy
from nephos_common.tenancy import get_owned, list_owned


async def get(session: AsyncSession, tenant: str, account_id: uuid.UUID) -> CloudAccount:
    return await get_owned(
        session, CloudAccount, tenant, account_id, what="cloud account", code="account_not_found"
    )


async def list_for(session: AsyncSession, tenant: str) -> list[CloudAccount]:
    return await list_owned(session, CloudAccount, tenant)


async def name_taken(
    session: AsyncSession, tenant: str, name: str, except_id: uuid.UUID | None = None
) -> bool:
    return await tenancy.name_taken(session, CloudAccount, tenant, name, except_id)


async def due_for_discovery(
    session: AsyncSession, now: datetime, limit: int = 50
) -> list[CloudAccount]:
    """Accounts whose schedule says a run is due, locked so one replica takes each."""
    interval = func.make_interval(0, 0, 0, 0, 0, CloudAccount.discovery_interval_minutes)
    rows = await session.scalars(
        select(CloudAccount)
        .where(
            CloudAccount.discovery_interval_minutes.is_not(None),
            or_(
                CloudAccount.last_discovery_requested_at.is_(None),
                CloudAccount.last_discovery_requested_at + interval <= now,
            ),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)
