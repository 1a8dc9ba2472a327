"""Every read query on the inventory, always scoped by tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, and_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.db import Base
from nephos_asset.inventory.models import Asset
from nephos_common.errors import InvalidInput, NotFound
from nephos_common.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class AssetFilter:
    provider: str | None = None
    account_id: uuid.UUID | None = None
    region: str | None = None
    category: str | None = None
    state: str | None = None
    native_type: str | None = None
    tags: tuple[str, ...] = ()
    name_contains: str | None = None
    include_deleted: bool = False
    group_id: uuid.UUID | None = None


def parse_tag(expression: str) -> tuple[str, str | None]:
    """``Key=Value`` matches that pair, a bare ``Key`` matches any value."""
    key, sep, value = expression.partition("=")
    if not key:
        raise InvalidInput(f"tag filter {expression!r} has no key", code="invalid_tag_filter")
    return key, value if sep else None


def _filtered(tenant: str, f: AssetFilter) -> Select[Asset]:
    query = select(Asset).where(Asset.tenant == tenant)
    exact = {
        Asset.provider: f.provider, Asset.account_id: f.account_id, Asset.region: f.region,
        Asset.category: f.category, Asset.state: f.state, Asset.native_type: f.native_type,
    }  # fmt: skip
    query = query.where(*(column == value for column, value in exact.items() if value is not None))
    for expression in f.tags:
        key, value = parse_tag(expression)
        query = query.where(
            Asset.tags.contains({key: value}) if value is not None else Asset.tags.has_key(key)
        )
    if f.name_contains:
        query = query.where(Asset.name.ilike(f"%{f.name_contains}%"))
    if not f.include_deleted:
        query = query.where(Asset.deleted_at.is_(None))
    if f.group_id is not None:
        query = query.where(Asset.id.in_(members_of(f.group_id)))
    return query


def members_of(group_id: uuid.UUID | BindParameter[Any]) -> Select[tuple[uuid.UUID]]:
    """Subquery of a service group's current members (of a group id, or a bound one)."""
    table = Base.metadata.tables["service_group_members"]
    return select(table.c.asset_id).where(table.c.group_id == group_id)


async def page(
    session: AsyncSession, tenant: str, f: AssetFilter, first: int, after: str | None
) -> tuple[list[Asset], bool]:
    """Keyset page ordered by id; returns the rows and whether more follow."""
    query = _filtered(tenant, f)
    if after is not None:
        (last_id,) = decode_cursor(after, 1)
        try:
            query = query.where(Asset.id > uuid.UUID(str(last_id)))
        except ValueError:
            raise InvalidInput("cursor is not valid", code="invalid_cursor") from None
    rows = list(await session.scalars(query.order_by(Asset.id).limit(first + 1)))
    return rows[:first], len(rows) > first


def cursor_of(asset: Asset) -> str:
    return encode_cursor(str(asset.id))


async def get(session: AsyncSession, tenant: str, asset_id: uuid.UUID) -> Asset:
    asset = await session.scalar(select(Asset).where(Asset.tenant == tenant, Asset.id == asset_id))
    if asset is None:
        raise NotFound(f"asset {asset_id} not found", code="asset_not_found")
    return asset


async def by_ids(session: AsyncSession, tenant: str, ids: Sequence[uuid.UUID]) -> list[Asset]:
    """Batch read; ids of other tenants or unknown ids are simply absent."""
    if not ids:
        return []
    rows = await session.scalars(select(Asset).where(Asset.tenant == tenant, Asset.id.in_(ids)))
    return list(rows)


async def resolve_targets(
    session: AsyncSession, tenant: str, assets: Sequence[Asset]
) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    """(account, native id) -> asset id for every relation target that is in the inventory."""
    wanted = {(a.account_id, r["target_native_id"]) for a in assets for r in a.relations}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Asset.account_id, Asset.native_id, Asset.id).where(
            and_(
                Asset.tenant == tenant,
                Asset.deleted_at.is_(None),
                tuple_(Asset.account_id, Asset.native_id).in_(list(wanted)),
            )
        )
    )
    return {(r.account_id, r.native_id): r.id for r in rows}


async def incoming(
    session: AsyncSession, asset: Asset, kind: str | None, category: str | None
) -> list[tuple[str, Asset]]:
    """Live assets of the same account whose relations point at ``asset``."""
    edge: dict[str, str] = {"target_native_id": asset.native_id}
    if kind is not None:
        edge["kind"] = kind
    query = select(Asset).where(
        Asset.tenant == asset.tenant,
        Asset.account_id == asset.account_id,
        Asset.deleted_at.is_(None),
        Asset.relations.contains([edge]),
    )
    if category is not None:
        query = query.where(Asset.category == category)
    found = []
    for source in await session.scalars(query.order_by(Asset.id)):
        for relation in source.relations:
            if relation["target_native_id"] == asset.native_id and kind in (None, relation["kind"]):
                found.append((relation["kind"], source))
    return found


async def outgoing(
    session: AsyncSession, asset: Asset, kind: str | None, category: str | None
) -> list[tuple[str, Asset]]:
    """Live assets that ``asset``'s relations point at."""
    edges = [r for r in asset.relations if kind in (None, r["kind"])]
    if not edges:
        return []
    query = select(Asset).where(
        Asset.tenant == asset.tenant,
        Asset.account_id == asset.account_id,
        Asset.deleted_at.is_(None),
        Asset.native_id.in_({r["target_native_id"] for r in edges}),
    )
    if category is not None:
        query = query.where(Asset.category == category)
    targets: dict[str, list[Asset]] = {}
    for target in await session.scalars(query):
        targets.setdefault(target.native_id, []).append(target)
    return [(r["kind"], t) for r in edges for t in targets.get(r["target_native_id"], [])]
