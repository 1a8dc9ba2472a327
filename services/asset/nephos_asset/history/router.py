"""HTTP routes of the change history: per asset, and across the company in a time window."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.history import repository
from nephos_asset.history.repository import ChangeFilter
from nephos_asset.history.schemas import ChangeOut, ChangePage, VersionOut, VersionPage
from nephos_asset.inventory import repository as inventory
from nephos_asset.inventory.schemas import PageInfo
from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import MAX_PAGE_SIZE

router = APIRouter(tags=["history"])


@router.get("/assets/{asset_id}/history", response_model=VersionPage)
async def asset_history(
    asset_id: uuid.UUID,
    first: int = Query(100, ge=1, le=MAX_PAGE_SIZE),
    after: str | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> VersionPage:
    """Every version of one asset, newest first, each with what changed."""
    await inventory.get(session, principal.tenant, asset_id)
    rows, more = await repository.asset_history(session, principal.tenant, asset_id, first, after)
    items = [VersionOut.model_validate(r.AssetVersion) for r in rows]
    end = repository.cursor_of(rows[-1].AssetVersion.id) if rows else None
    return VersionPage(items=items, page_info=PageInfo(has_next_page=more, end_cursor=end))


@router.get("/changes", response_model=ChangePage)
async def list_changes(
    since: datetime | None = Query(None, description="Changes at or after (ISO 8601)"),
    until: datetime | None = Query(None, description="Changes at or before (ISO 8601)"),
    account_id: uuid.UUID | None = None,
    provider: str | None = None,
    category: str | None = None,
    native_type: str | None = None,
    change: list[str] = Query(default=[], description="appeared, changed, disappeared, reappeared"),
    first: int = Query(100, ge=1, le=MAX_PAGE_SIZE),
    after: str | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> ChangePage:
    """What changed in the company (or one account) in a time window, newest first."""
    f = ChangeFilter(
        since=since, until=until, account_id=account_id, provider=provider,
        category=category, native_type=native_type, changes=tuple(change),
    )  # fmt: skip
    rows, more = await repository.changes(session, principal.tenant, f, first, after)
    items = [
        ChangeOut(
            **VersionOut.model_validate(r.AssetVersion).model_dump(),
            account_id=r.AssetVersion.account_id,
            provider=r.provider,
            region=r.region,
            category=r.category,
            native_type=r.native_type,
            native_id=r.native_id,
            name=r.name,
        )
        for r in rows
    ]
    end = repository.cursor_of(rows[-1].AssetVersion.id) if rows else None
    return ChangePage(items=items, page_info=PageInfo(has_next_page=more, end_cursor=end))
