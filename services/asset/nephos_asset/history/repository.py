"""Every query on asset versions, newest first, always scoped by tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.inventory.models import Asset, AssetVersion
from nephos_common.errors import InvalidInput
from nephos_common.pagination import decode_cursor, encode_cursor

CHANGE_KINDS = frozenset({"appeared", "changed", "disappeared", "reappeared"})


@dataclass(frozen=True)
class ChangeFilter:
    since: datetime | None = None
    until: datetime | None = None
    account_id: uuid.UUID | None = None
    provider: str | None = None
    category: str | None = None
    native_type: str | None = None
    changes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.changes) - CHANGE_KINDS
        if unknown:
            raise InvalidInput(f"unknown change kinds: {sorted(unknown)}", code="invalid_change")
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("since is after until", code="invalid_window")


def _after(query: Select[Any], after: str | None) -> Select[Any]:
    if after is None:
        return query
    (last_id,) = decode_cursor(after, 1)
    if not isinstance(last_id, int):
        raise InvalidInput("cursor is not valid", code="invalid_cursor")
    return query.where(AssetVersion.id < last_id)


async def _page(session: AsyncSession, query: Select[Any], first: int) -> tuple[list[Any], bool]:
    rows = list(
        (await session.execute(query.order_by(AssetVersion.id.desc()).limit(first + 1))).all()
    )
    return rows[:first], len(rows) > first


def cursor_of(version_id: int) -> str:
    return encode_cursor(version_id)


async def asset_history(
    session: AsyncSession, tenant: str, asset_id: uuid.UUID, first: int, after: str | None
) -> tuple[list[Any], bool]:
    query = select(AssetVersion).where(
        AssetVersion.tenant == tenant, AssetVersion.asset_id == asset_id
    )
    return await _page(session, _after(query, after), first)


async def changes(
    session: AsyncSession, tenant: str, f: ChangeFilter, first: int, after: str | None
) -> tuple[list[Any], bool]:
    """Versions joined with what identifies their asset, for "what changed in ..." views."""
    a = Asset.__table__.c
    query = (
        select(AssetVersion, a.provider, a.region, a.category, a.native_type, a.native_id, a.name)
        .join(Asset, Asset.id == AssetVersion.asset_id)
        .where(AssetVersion.tenant == tenant)
    )
    conditions = [
        (AssetVersion.changed_at >= f.since) if f.since else None,
        (AssetVersion.changed_at <= f.until) if f.until else None,
        (AssetVersion.account_id == f.account_id) if f.account_id else None,
        (a.provider == f.provider) if f.provider else None,
        (a.category == f.category) if f.category else None,
        (a.native_type == f.native_type) if f.native_type else None,
        AssetVersion.change.in_(f.changes) if f.changes else None,
    ]
    query = query.where(*(c for c in conditions if c is not None))
    return await _page(session, _after(query, after), first)
