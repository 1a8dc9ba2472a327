"""Every query on cloud accounts, always scoped by tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts.models import CloudAccount
from nephos_common.errors import NotFound


async def get(session: AsyncSession, tenant: str, account_id: uuid.UUID) -> CloudAccount:
    account = await session.scalar(
        select(CloudAccount).where(CloudAccount.tenant == tenant, CloudAccount.id == account_id)
    )
    if account is None:
        raise NotFound(f"cloud account {account_id} not found", code="account_not_found")
    return account


async def list_for(session: AsyncSession, tenant: str) -> list[CloudAccount]:
    rows = await session.scalars(
        select(CloudAccount).where(CloudAccount.tenant == tenant).order_by(CloudAccount.name)
    )
    return list(rows)


async def name_taken(
    session: AsyncSession, tenant: str, name: str, except_id: uuid.UUID | None = None
) -> bool:
    query = select(CloudAccount.id).where(CloudAccount.tenant == tenant, CloudAccount.name == name)
    if except_id is not None:
        query = query.where(CloudAccount.id != except_id)
    return await session.scalar(query) is not None


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
