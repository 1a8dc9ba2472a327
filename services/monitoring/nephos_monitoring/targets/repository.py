"""Every query on targets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of, utcnow
from nephos_common.errors import NotFound
from nephos_monitoring.targets.models import Target


async def upsert(session: AsyncSession, tenant: str, values: dict[str, Any]) -> None:
    """Insert or refresh a target; a rediscovered asset is watched again."""
    row = {**values, "tenant": tenant, "deleted_at": None, "updated_at": utcnow()}
    statement = insert(Target).values(**row)
    keys = {"tenant", "asset_id"}
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={k: statement.excluded[k] for k in row if k not in keys},
    )
    await session.execute(statement)


async def mark_deleted(session: AsyncSession, tenant: str, asset_id: uuid.UUID) -> Target | None:
    target = await session.get(Target, (tenant, asset_id))
    if target is not None and target.deleted_at is None:
        target.deleted_at = utcnow()
        await session.flush()
    return target


async def mark_account_deleted(
    session: AsyncSession, tenant: str, account_id: uuid.UUID
) -> list[Target]:
    rows = await session.scalars(
        select(Target).where(
            Target.tenant == tenant, Target.account_id == account_id, Target.deleted_at.is_(None)
        )
    )
    targets = list(rows)
    for target in targets:
        target.deleted_at = utcnow()
    await session.flush()
    return targets


async def get(session: AsyncSession, tenant: str, asset_id: uuid.UUID) -> Target:
    target = await session.get(Target, (tenant, asset_id))
    if target is None or target.deleted_at is not None:
        raise NotFound("no such monitoring target", code="target_not_found")
    return target


async def by_ids(
    session: AsyncSession, tenant: str, asset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Target]:
    rows = await session.scalars(
        select(Target).where(
            Target.tenant == tenant, any_of(Target.__table__.c.asset_id, asset_ids)
        )
    )
    return {t.asset_id: t for t in rows}


async def list_present(
    session: AsyncSession, tenant: str, *, category: str | None = None
) -> list[Target]:
    query = select(Target).where(Target.tenant == tenant, Target.deleted_at.is_(None))
    if category is not None:
        query = query.where(Target.category == category)
    return list(await session.scalars(query.order_by(Target.name, Target.asset_id)))


async def pollable(
    session: AsyncSession, tenant: str, provider: str, account_id: uuid.UUID, regions: Sequence[str]
) -> list[Target]:
    """Targets a collection run should ask the cloud about: present and not stopped."""
    query = select(Target).where(
        Target.tenant == tenant,
        Target.provider == provider,
        Target.account_id == account_id,
        Target.deleted_at.is_(None),
        Target.state != "stopped",
    )
    if regions:
        query = query.where(any_of(Target.__table__.c.region, regions))
    return list(await session.scalars(query))
