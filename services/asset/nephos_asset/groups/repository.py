"""Every query on service groups and their members, always scoped by tenant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.groups.models import ExplicitMember, Membership, ServiceGroup
from nephos_asset.groups.rules import as_sql
from nephos_asset.inventory.models import Asset
from nephos_common import tenancy
from nephos_common.db import any_of
from nephos_common.tenancy import get_owned, list_owned


async def get(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> ServiceGroup:
    return await get_owned(
        session, ServiceGroup, tenant, group_id, what="service group", code="group_not_found"
    )


async def list_for(session: AsyncSession, tenant: str) -> list[ServiceGroup]:
    return await list_owned(session, ServiceGroup, tenant)


async def name_taken(
    session: AsyncSession, tenant: str, name: str, except_id: uuid.UUID | None = None
) -> bool:
    return await tenancy.name_taken(session, ServiceGroup, tenant, name, except_id)


async def member_counts(session: AsyncSession, group_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(Membership.group_id, func.count())
        .where(Membership.group_id.in_(group_ids))
        .group_by(Membership.group_id)
    )
    return {g: n for g, n in rows}


async def explicit_members(
    session: AsyncSession, group_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(ExplicitMember.group_id, ExplicitMember.asset_id).where(
            ExplicitMember.group_id.in_(group_ids)
        )
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {g: [] for g in group_ids}
    for group_id, asset_id in rows:
        found[group_id].append(asset_id)
    return found


async def set_explicit(
    session: AsyncSession, group_id: uuid.UUID, asset_ids: Iterable[uuid.UUID]
) -> None:
    await session.execute(delete(ExplicitMember).where(ExplicitMember.group_id == group_id))
    await add_explicit(session, group_id, asset_ids)


async def add_explicit(
    session: AsyncSession, group_id: uuid.UUID, asset_ids: Iterable[uuid.UUID]
) -> None:
    rows = [{"group_id": group_id, "asset_id": a} for a in set(asset_ids)]
    if rows:
        await session.execute(insert(ExplicitMember).on_conflict_do_nothing(), rows)


async def remove_explicit(session: AsyncSession, group_id: uuid.UUID, asset_id: uuid.UUID) -> None:
    await session.execute(
        delete(ExplicitMember).where(
            ExplicitMember.group_id == group_id, ExplicitMember.asset_id == asset_id
        )
    )


async def desired_members(session: AsyncSession, group: ServiceGroup) -> set[uuid.UUID]:
    """Live assets that the rule matches, plus live explicit members."""
    live = [Asset.tenant == group.tenant, Asset.deleted_at.is_(None)]
    by_rule = select(Asset.id).where(*live, as_sql(group.rule_terms))
    by_hand = (
        select(Asset.id)
        .join(ExplicitMember, ExplicitMember.asset_id == Asset.id)
        .where(*live, ExplicitMember.group_id == group.id)
    )
    return set(await session.scalars(by_rule.union(by_hand)))


async def current_members(
    session: AsyncSession, group_id: uuid.UUID, among: Iterable[uuid.UUID] | None = None
) -> set[uuid.UUID]:
    query = select(Membership.asset_id).where(Membership.group_id == group_id)
    if among is not None:
        query = query.where(any_of(Membership.__table__.c.asset_id, list(among)))
    return set(await session.scalars(query))


async def apply_membership(
    session: AsyncSession,
    group: ServiceGroup,
    added: Iterable[uuid.UUID],
    removed: Iterable[uuid.UUID],
) -> None:
    rows = [{"group_id": group.id, "asset_id": a, "tenant": group.tenant} for a in added]
    if rows:
        await session.execute(insert(Membership).on_conflict_do_nothing(), rows)
    gone = list(removed)
    if gone:
        await session.execute(
            delete(Membership).where(
                Membership.group_id == group.id, any_of(Membership.__table__.c.asset_id, gone)
            )
        )


async def groups_of_assets(
    session: AsyncSession, tenant: str, asset_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(Membership.asset_id, Membership.group_id).where(
            Membership.tenant == tenant, any_of(Membership.__table__.c.asset_id, asset_ids)
        )
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {a: [] for a in asset_ids}
    for asset_id, group_id in rows:
        found[asset_id].append(group_id)
    return found


async def existing_asset_ids(
    session: AsyncSession, tenant: str, asset_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    if not asset_ids:
        return set()
    rows = await session.scalars(
        select(Asset.id).where(Asset.tenant == tenant, any_of(Asset.__table__.c.id, asset_ids))
    )
    return set(rows)
