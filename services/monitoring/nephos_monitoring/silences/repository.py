"""Every query on silences."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_monitoring.silences.models import Silence

MAX_SILENCES = 1000


async def get(session: AsyncSession, tenant: str, silence_id: uuid.UUID) -> Silence:
    silence = await session.get(Silence, silence_id)
    if silence is None or silence.tenant != tenant:
        raise NotFound("no such silence", code="silence_not_found")
    return silence


async def listed(
    session: AsyncSession, tenant: str, *, ended_after: datetime | None
) -> list[Silence]:
    query = select(Silence).where(Silence.tenant == tenant)
    if ended_after is not None:
        query = query.where(Silence.ends_at > ended_after)
    query = query.order_by(Silence.starts_at.desc(), Silence.id).limit(MAX_SILENCES)
    return list(await session.scalars(query))


async def active(session: AsyncSession, tenant: str, now: datetime) -> list[Silence]:
    query = select(Silence).where(
        Silence.tenant == tenant, Silence.starts_at <= now, Silence.ends_at > now
    )
    return list(await session.scalars(query))
