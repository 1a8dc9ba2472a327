"""Every query on cost sets, scoped by tenant and by owner: a set is its user's own."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_metering.costsets.models import CostSet

MAX_SETS = 500


async def get(session: AsyncSession, tenant: str, owner: str, set_id: uuid.UUID) -> CostSet:
    found = await session.scalar(
        select(CostSet).where(
            CostSet.tenant == tenant, CostSet.owner == owner, CostSet.id == set_id
        )
    )
    if found is None:
        raise NotFound(f"cost set {set_id} not found", code="cost_set_not_found")
    return found


async def by_ids(
    session: AsyncSession, tenant: str, owner: str, ids: list[uuid.UUID]
) -> dict[uuid.UUID, CostSet]:
    """The user's own cost sets among ``ids``; anyone else's are simply absent."""
    found = await session.scalars(
        select(CostSet).where(CostSet.tenant == tenant, CostSet.owner == owner, CostSet.id.in_(ids))
    )
    return {s.id: s for s in found}


async def list_for(session: AsyncSession, tenant: str, owner: str) -> list[CostSet]:
    found = await session.scalars(
        select(CostSet)
        .where(CostSet.tenant == tenant, CostSet.owner == owner)
        .order_by(CostSet.name)
        .limit(MAX_SETS)
    )
    return list(found)
