"""Every query on the asset/group projection and on the costs of its resources."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ScalarSelect, and_, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of, utcnow
from nephos_metering.allocation.keys import cost_key
from nephos_metering.allocation.models import (
    AllocationAsset,
    AllocationGroup,
    AllocationGroupMember,
)
from nephos_metering.costs.models import Cost


async def upsert_asset(session: AsyncSession, tenant: str, values: dict[str, Any]) -> None:
    """Insert or refresh an asset; ``first_seen_at`` stays that of the first event."""
    now = utcnow()
    row = {**values, "tenant": tenant, "deleted_at": None, "updated_at": now,
           "first_seen_at": values.get("first_seen_at", now)}  # fmt: skip
    statement = insert(AllocationAsset).values(**row)
    kept = {"tenant", "asset_id", "first_seen_at"}
    statement = statement.on_conflict_do_update(
        index_elements=["tenant", "asset_id"],
        set_={k: statement.excluded[k] for k in row if k not in kept},
    )
    await session.execute(statement)


async def mark_deleted(session: AsyncSession, tenant: str, asset_ids: Sequence[uuid.UUID]) -> None:
    await session.execute(
        update(AllocationAsset)
        .where(
            AllocationAsset.tenant == tenant,
            any_of(AllocationAsset.__table__.c.asset_id, asset_ids),
        )
        .values(deleted_at=utcnow())
    )


async def account_assets(
    session: AsyncSession, tenant: str, account_id: uuid.UUID
) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(AllocationAsset.asset_id).where(
            AllocationAsset.tenant == tenant, AllocationAsset.account_id == account_id
        )
    )
    return list(rows)


async def assets(
    session: AsyncSession, tenant: str, asset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AllocationAsset]:
    rows = await session.scalars(
        select(AllocationAsset).where(
            AllocationAsset.tenant == tenant,
            any_of(AllocationAsset.__table__.c.asset_id, asset_ids),
        )
    )
    return {a.asset_id: a for a in rows}


async def live_assets(session: AsyncSession, tenant: str) -> list[AllocationAsset]:
    rows = await session.scalars(
        select(AllocationAsset).where(
            AllocationAsset.tenant == tenant, AllocationAsset.deleted_at.is_(None)
        )
    )
    return list(rows)


async def upsert_group(
    session: AsyncSession, tenant: str, group_id: uuid.UUID, name: str | None
) -> None:
    """A new group holds no member yet: its (empty) totals are ready."""
    statement = insert(AllocationGroup).values(
        tenant=tenant, group_id=group_id, name=name, totals_ready_at=func.now()
    )
    if name is None:
        await session.execute(statement.on_conflict_do_nothing())
        return
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant", "group_id"], set_={"name": statement.excluded.name}
        )
    )


async def add_members(
    session: AsyncSession, tenant: str, group_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
) -> None:
    if not asset_ids:
        return
    rows = [{"tenant": tenant, "group_id": group_id, "asset_id": a} for a in asset_ids]
    await session.execute(insert(AllocationGroupMember).values(rows).on_conflict_do_nothing())


async def remove_members(
    session: AsyncSession, tenant: str, group_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(
        delete(AllocationGroupMember).where(
            AllocationGroupMember.tenant == tenant,
            AllocationGroupMember.group_id == group_id,
            any_of(AllocationGroupMember.__table__.c.asset_id, asset_ids),
        )
    )


async def delete_group(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> None:
    """Forget the group, its members and its daily totals."""
    for table in (AllocationGroupMember, AllocationGroup):
        await session.execute(
            delete(table).where(table.tenant == tenant, table.group_id == group_id)
        )
    await session.execute(
        text(f"DELETE FROM {GROUP_TOTALS} WHERE tenant = :tenant AND group_id = :group_id"),
        {"tenant": tenant, "group_id": group_id},
    )


GROUP_TOTALS = "cost_group_daily_totals"
"""Daily totals per service group (migration 0014), kept by the costs' totals statements."""


async def resource_keys_of(
    session: AsyncSession, tenant: str, asset_id: uuid.UUID
) -> list[str] | None:
    """The asset's resource keys held, None for an asset not held yet."""
    keys: list[str] | None = await session.scalar(
        select(AllocationAsset.resource_keys).where(
            AllocationAsset.tenant == tenant, AllocationAsset.asset_id == asset_id
        )
    )
    return keys


async def groups_of(session: AsyncSession, tenant: str, asset_id: uuid.UUID) -> list[uuid.UUID]:
    """The groups the asset is a member of."""
    member = AllocationGroupMember
    query = select(member.group_id).where(member.tenant == tenant, member.asset_id == asset_id)
    return list(await session.scalars(query))


async def make_stale(session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]) -> None:
    """The groups' totals no longer answer questions, until rebuilt; this waits for a build
    of them under way (it holds the group's row) to commit first."""
    since = func.coalesce(AllocationGroup.totals_stale_since, func.now())
    await session.execute(
        update(AllocationGroup)
        .where(AllocationGroup.tenant == tenant,
               any_of(AllocationGroup.__table__.c.group_id, group_ids))
        .values(totals_ready_at=None, totals_stale_since=since)
    )  # fmt: skip


async def long_stale(session: AsyncSession, before: datetime) -> list[AllocationGroup]:
    """Every company's groups whose totals have waited for a rebuild since ``before`` (or
    were never built), held until the end of the transaction; groups being rebuilt (their
    rows held) are skipped."""
    waiting = func.coalesce(AllocationGroup.totals_stale_since, datetime.min.replace(tzinfo=UTC))
    query = select(AllocationGroup).where(
        AllocationGroup.totals_ready_at.is_(None), waiting < before
    )
    return list(await session.scalars(query.with_for_update(skip_locked=True)))


async def locked_group(
    session: AsyncSession, tenant: str, group_id: uuid.UUID
) -> AllocationGroup | None:
    """The group as committed now, its row held until the end of the transaction: a
    membership change waits for the caller's commit (see ``make_stale``)."""
    query = select(AllocationGroup).where(
        AllocationGroup.tenant == tenant, AllocationGroup.group_id == group_id
    )
    found: AllocationGroup | None = await session.scalar(
        query.with_for_update().execution_options(populate_existing=True)
    )
    return found


async def lock_groups(session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]) -> None:
    """Hold the groups' rows until the end of the transaction (in one order, so that two
    callers never wait on each other in a circle), as ``locked_group`` holds one."""
    await session.execute(
        select(AllocationGroup.group_id)
        .where(AllocationGroup.tenant == tenant,
               any_of(AllocationGroup.__table__.c.group_id, group_ids))
        .order_by(AllocationGroup.group_id)
        .with_for_update()
    )  # fmt: skip


async def group_keys(
    session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[str]]:
    """Each group's resource keys, as its totals count them (each once: migration 0014)."""
    rows = await session.execute(
        text("SELECT group_id, resource_key FROM allocation_group_keys"
             " WHERE tenant = :tenant AND group_id = ANY(:groups)"),
        {"tenant": tenant, "groups": list(group_ids)},
    )  # fmt: skip
    found: dict[uuid.UUID, set[str]] = {g: set() for g in group_ids}
    for group_id, key in rows:
        found[group_id].add(key)
    return found


async def adjust_totals(
    session: AsyncSession, tenant: str, group_id: uuid.UUID, keys: Sequence[str], sign: int
) -> int:
    """Add (``sign`` 1) or subtract (-1) the rows of ``keys`` to the group's daily totals
    (migration 0020); the caller holds ``costs`` and the group's row. Returns rows written."""
    adjusted = await session.scalar(
        text("SELECT cost_group_totals_adjust(:tenant, :group_id, :keys, :sign)"),
        {"tenant": tenant, "group_id": group_id, "keys": list(keys), "sign": sign},
    )
    return int(adjusted or 0)


async def build_totals(session: AsyncSession, group: AllocationGroup) -> int:
    """Rebuild ``group``'s daily totals from the line items of its members' resources and
    mark them ready; the caller holds ``costs`` and the group's row. Returns their rows."""
    built = await session.scalar(
        text("SELECT cost_group_totals_build(:tenant, :group_id)"),
        {"tenant": group.tenant, "group_id": group.group_id},
    )
    group.totals_ready_at, group.totals_stale_since = utcnow(), None
    return int(built or 0)


async def group_service_days(
    session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, list[KeyCost]]:
    """Each group's cost per UTC day, service and currency over ``first``..``last`` (both
    included), from its daily totals (every group asked gets an entry): the caller asks
    only for groups whose totals are built (``totals_ready_at``)."""
    if not group_ids:
        return {}
    rows = await session.execute(
        text(
            f"SELECT group_id, day, key, billing_currency, sum(billed_cost), sum(effective_cost)"
            f" FROM {GROUP_TOTALS} WHERE tenant = :tenant AND group_id = ANY(:groups)"
            f" AND dimension = 'service' AND day BETWEEN :first AND :last GROUP BY 1, 2, 3, 4"
        ),
        {"tenant": tenant, "groups": list(group_ids), "first": first, "last": last},
    )
    found: dict[uuid.UUID, list[KeyCost]] = {g: [] for g in group_ids}
    for group_id, day, service, currency, billed, effective in rows:
        found[group_id].append(KeyCost(str(group_id), day, service, currency, billed, effective))
    return found


async def totals_ready(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> bool:
    """Whether the group's daily totals answer questions: built since its last change."""
    query = select(AllocationGroup.totals_ready_at).where(
        AllocationGroup.tenant == tenant, AllocationGroup.group_id == group_id
    )
    return (await session.scalar(query)) is not None


async def group(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> AllocationGroup | None:
    return await session.get(AllocationGroup, (tenant, group_id))


async def groups(
    session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AllocationGroup]:
    rows = await session.scalars(
        select(AllocationGroup).where(
            AllocationGroup.tenant == tenant,
            any_of(AllocationGroup.__table__.c.group_id, group_ids),
        )
    )
    return {g.group_id: g for g in rows}


async def members_of(
    session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Member asset ids of each group, in one query (groups without members are absent)."""
    rows = await session.execute(
        select(AllocationGroupMember.group_id, AllocationGroupMember.asset_id).where(
            AllocationGroupMember.tenant == tenant,
            any_of(AllocationGroupMember.__table__.c.group_id, group_ids),
        )
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for group_id, asset_id in rows:
        found.setdefault(group_id, []).append(asset_id)
    return found


def group_resource_keys(tenant: str, group_ids: Sequence[uuid.UUID]) -> ScalarSelect[str]:
    """The resource keys of the groups' member assets, as a subquery: a cost question
    narrowed to service groups matches ``cost_key()`` against it without fetching them."""
    member = AllocationGroupMember
    keys = (
        select(func.unnest(AllocationAsset.resource_keys))
        .join(member, and_(member.tenant == AllocationAsset.tenant,
                           member.asset_id == AllocationAsset.asset_id))
        .where(member.tenant == tenant, any_of(member.__table__.c.group_id, group_ids))
    )  # fmt: skip
    return keys.scalar_subquery()


async def members(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(AllocationGroupMember.asset_id).where(
            AllocationGroupMember.tenant == tenant, AllocationGroupMember.group_id == group_id
        )
    )
    return list(rows)


@dataclass(frozen=True)
class KeyCost:
    """Cost of one resource key on one day for one service, in one currency; ``day``
    and ``service`` are None when only totals were asked for."""

    key: str
    day: date | None
    service: str | None
    currency: str
    billed: Decimal
    effective: Decimal


async def costs_by_key(
    session: AsyncSession, tenant: str, keys: Sequence[str], start: datetime, end: datetime,
    *, detailed: bool = True,
) -> list[KeyCost]:  # fmt: skip
    """Bill rows of the resources named by ``keys`` over [start, end), summed per
    key and currency, and per UTC day and service when ``detailed`` (a batch of
    totals then moves a row per asset instead of one per asset, day and service)."""
    if not keys:
        return []
    key = cost_key()
    day = func.date(func.timezone("UTC", Cost.charge_period_start))
    groups: list[Any] = [key, day, Cost.service_name] if detailed else [key]
    query = (
        select(*groups, Cost.billing_currency, func.sum(Cost.billed_cost),
               func.sum(Cost.effective_cost))
        .where(Cost.tenant == tenant, Cost.resource_id.is_not(None), any_of(key, keys),
               Cost.charge_period_start >= start, Cost.charge_period_start < end)
        .group_by(*groups, Cost.billing_currency)
    )  # fmt: skip
    rows = (await session.execute(query)).all()
    if detailed:
        return [KeyCost(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    return [KeyCost(r[0], None, None, r[1], r[2], r[3]) for r in rows]
