"""Cost per asset and per service group: the bill rows of the assets' resources.

A group's cost over a period is that of its current members over the whole
period: membership is what the asset service says now, not a history. A
group's own figures are read from its daily totals when they are built for
its current members (see ``group_totals``), else from its members' line items.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import InvalidInput, NotFound
from nephos_metering.allocation import repository
from nephos_metering.allocation.models import AllocationAsset, AllocationGroup
from nephos_metering.allocation.repository import KeyCost
from nephos_metering.allocation.schemas import (
    AssetCost,
    AssetCostBatch,
    AssetCostItem,
    AssetCostTotals,
    CurrencyTotal,
    DayCost,
    GroupCost,
    GroupCostBatch,
    GroupCostTotals,
    ServiceCost,
)
from nephos_metering.costs.service import MAX_RANGE_DAYS, day_start, exact


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """``from``..``to`` both included; this month to date when not given."""
    today = datetime.now(UTC).date()
    first = start or (end or today).replace(day=1)
    last = end or today
    if last < first:
        raise InvalidInput("to is before from", code="invalid_period")
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"at most {MAX_RANGE_DAYS} days per query", code="invalid_period")
    return first, last


def _add(sums: dict[Hashable, list[Decimal]], group: Hashable, row: KeyCost) -> None:
    pair = sums.setdefault(group, [Decimal(0), Decimal(0)])
    pair[0] += row.billed
    pair[1] += row.effective


def _totals(rows: Iterable[KeyCost]) -> list[CurrencyTotal]:
    sums: dict[Hashable, list[Decimal]] = {}
    for row in rows:
        _add(sums, row.currency, row)
    return [CurrencyTotal(currency=str(c), billed_cost=exact(b), effective_cost=exact(e))
            for c, (b, e) in sorted(sums.items(), key=lambda kv: str(kv[0]))]  # fmt: skip


def _daily(rows: Iterable[KeyCost]) -> list[DayCost]:
    sums: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        assert row.day is not None, "daily figures need detailed rows"
        pair = sums[(row.day, row.currency)]
        pair[0] += row.billed
        pair[1] += row.effective
    return [DayCost(day=d, currency=c, billed_cost=exact(b), effective_cost=exact(e))
            for (d, c), (b, e) in sorted(sums.items())]  # fmt: skip


def _by_service(rows: Iterable[KeyCost]) -> list[ServiceCost]:
    sums: dict[tuple[str | None, str], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0)]
    )
    for row in rows:
        pair = sums[(row.service, row.currency)]
        pair[0] += row.billed
        pair[1] += row.effective
    ordered = sorted(sums.items(), key=lambda kv: (-kv[1][0], kv[0][0] or "", kv[0][1]))
    return [ServiceCost(service=s, currency=c, billed_cost=exact(b), effective_cost=exact(e))
            for (s, c), (b, e) in ordered]  # fmt: skip


async def rows_per_asset(
    session: AsyncSession, tenant: str, found: Sequence[AllocationAsset], first: date, last: date,
    *, detailed: bool = True,
) -> dict[uuid.UUID, list[KeyCost]]:  # fmt: skip
    """Each asset's bill rows over ``first``..``last``; a key shared by two assets
    (never, in practice) counts for both."""
    owners: dict[str, list[uuid.UUID]] = defaultdict(list)
    for asset in found:
        for key in asset.resource_keys:
            owners[key].append(asset.asset_id)
    end = day_start(last + timedelta(days=1))
    rows = await repository.costs_by_key(
        session, tenant, list(owners), day_start(first), end, detailed=detailed
    )
    per_asset: dict[uuid.UUID, list[KeyCost]] = {a.asset_id: [] for a in found}
    for row in rows:
        for asset_id in owners[row.key]:
            per_asset[asset_id].append(row)
    return per_asset


def _asset_totals(
    asset_id: uuid.UUID, asset: AllocationAsset | None, rows: list[KeyCost]
) -> AssetCostTotals:
    if asset is None:
        return AssetCostTotals(asset_id=asset_id, found=False)
    return AssetCostTotals(
        asset_id=asset_id, found=True, name=asset.name, provider=asset.provider,
        native_type=asset.native_type, native_id=asset.native_id, totals=_totals(rows),
    )  # fmt: skip


async def asset_cost(
    session: AsyncSession, tenant: str, asset_id: uuid.UUID, first: date, last: date
) -> AssetCost:
    found = (await repository.assets(session, tenant, [asset_id])).get(asset_id)
    if found is None:
        raise NotFound("no such asset in metering's inventory", code="asset_not_found")
    rows = (await rows_per_asset(session, tenant, [found], first, last))[asset_id]
    totals = _asset_totals(asset_id, found, rows)
    return AssetCost(**totals.model_dump(), start=first, end=last, daily=_daily(rows))


async def asset_costs(
    session: AsyncSession, tenant: str, asset_ids: Sequence[uuid.UUID], first: date, last: date,
    *, daily: bool = False,
) -> AssetCostBatch:  # fmt: skip
    """Totals of each asset, in the order asked, for DataLoaders; with ``daily`` each
    found asset's daily figures too (asked only when shown: they move more rows)."""
    found = await repository.assets(session, tenant, asset_ids)
    per_asset = await rows_per_asset(
        session, tenant, list(found.values()), first, last, detailed=daily
    )
    items = [_batch_item(a, found.get(a), per_asset.get(a, []), daily) for a in asset_ids]
    return AssetCostBatch(start=first, end=last, items=items)


def _batch_item(
    asset_id: uuid.UUID, asset: AllocationAsset | None, rows: list[KeyCost], daily: bool
) -> AssetCostItem:
    totals = _asset_totals(asset_id, asset, rows)
    days = _daily(rows) if daily and asset is not None else None
    return AssetCostItem(**totals.model_dump(), daily=days)


async def group_costs(
    session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID], first: date, last: date
) -> GroupCostBatch:
    """Each group's totals, cost by service and daily figures, in the order asked.

    Four queries whatever the number of groups, so that a page of groups with
    their cost costs the gateway one call (DataLoaders).
    """
    found = await repository.groups(session, tenant, group_ids)
    built = [g.group_id for g in found.values() if g.totals_ready_at is not None]
    rows = await repository.group_service_days(session, tenant, built, first, last)
    stale = [g for g in found if g not in rows]
    members = await repository.members_of(session, tenant, stale)
    member_ids = sorted({a for ids in members.values() for a in ids})
    assets = await repository.assets(session, tenant, member_ids)
    per_asset = await rows_per_asset(session, tenant, list(assets.values()), first, last)
    for g in stale:
        rows[g] = _distinct_rows(per_asset.get(a, []) for a in members.get(g, []))
    items = [_group_totals(g, found.get(g), rows.get(g, [])) for g in group_ids]
    return GroupCostBatch(start=first, end=last, items=items)


def _group_totals(
    group_id: uuid.UUID, group: AllocationGroup | None, rows: list[KeyCost]
) -> GroupCostTotals:
    if group is None:
        return GroupCostTotals(group_id=group_id, found=False)
    return GroupCostTotals(
        group_id=group_id, found=True, name=group.name, totals=_totals(rows),
        by_service=_by_service(rows), daily=_daily(rows),
    )  # fmt: skip


async def group_cost(
    session: AsyncSession, tenant: str, group_id: uuid.UUID, first: date, last: date
) -> GroupCost:
    group = await repository.group(session, tenant, group_id)
    if group is None:
        raise NotFound("no such service group", code="service_group_not_found")
    member_ids = await repository.members(session, tenant, group_id)
    found = await repository.assets(session, tenant, member_ids)
    built = group.totals_ready_at is not None
    per_asset = await rows_per_asset(
        session, tenant, list(found.values()), first, last, detailed=not built
    )
    if built:
        days = await repository.group_service_days(session, tenant, [group_id], first, last)
        rows = days.get(group_id, [])
    else:
        rows = _distinct_rows(per_asset.values())
    members = [_asset_totals(a, found.get(a), per_asset.get(a, [])) for a in member_ids]
    members.sort(key=_largest_first)
    return GroupCost(
        group_id=group_id, name=group.name, start=first, end=last, totals=_totals(rows),
        by_service=_by_service(rows), daily=_daily(rows), members=members,
    )  # fmt: skip


def _distinct_rows(per_asset: Iterable[list[KeyCost]]) -> list[KeyCost]:
    """A bill row counts once in a group even if two members claim its key."""
    seen: dict[KeyCost, None] = {}
    for rows in per_asset:
        for row in rows:
            seen.setdefault(row, None)
    return list(seen)


def _largest_first(member: AssetCostTotals) -> tuple[Decimal, str]:
    largest = max((Decimal(t.billed_cost) for t in member.totals), default=Decimal(0))
    return -largest, str(member.asset_id)
