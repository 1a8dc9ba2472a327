"""Every query on service-group membership."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_monitoring.groups.models import GroupMember

_C = GroupMember.__table__.c


async def apply_change(
    session: AsyncSession,
    tenant: str,
    group_id: uuid.UUID,
    added: Sequence[uuid.UUID],
    removed: Sequence[uuid.UUID],
) -> None:
    """Idempotent: a replayed change adds nothing twice and removes nothing twice."""
    if removed:
        await session.execute(
            delete(GroupMember).where(
                GroupMember.tenant == tenant,
                GroupMember.group_id == group_id,
                any_of(_C.asset_id, removed),
            )
        )
    if added:
        rows = [{"tenant": tenant, "group_id": group_id, "asset_id": a} for a in set(added)]
        await session.execute(insert(GroupMember).values(rows).on_conflict_do_nothing())


async def drop_group(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> None:
    await session.execute(
        delete(GroupMember).where(GroupMember.tenant == tenant, GroupMember.group_id == group_id)
    )


async def members(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(GroupMember.asset_id).where(
            GroupMember.tenant == tenant, GroupMember.group_id == group_id
        )
    )
    return set(rows)


async def groups_of(
    session: AsyncSession, tenant: str, asset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """The groups each asset belongs to (assets in none are left out)."""
    if not asset_ids:
        return {}
    rows = await session.execute(
        select(GroupMember.asset_id, GroupMember.group_id).where(
            GroupMember.tenant == tenant, any_of(_C.asset_id, asset_ids)
        )
    )
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    for asset_id, group_id in rows:
        found.setdefault(asset_id, set()).add(group_id)
    return {a: frozenset(g) for a, g in found.items()}


async def members_of_groups(
    session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """The members of each group, in one query (groups without members map to nothing)."""
    if not group_ids:
        return {}
    rows = await session.execute(
        select(GroupMember.group_id, GroupMember.asset_id).where(
            GroupMember.tenant == tenant, any_of(_C.group_id, group_ids)
        )
    )
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    for group_id, asset_id in rows:
        found.setdefault(group_id, set()).add(asset_id)
    return found
