"""HTTP routes of the inventory: assets (filtered, paged, batch) and the dashboard summary."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.inventory import repository
from nephos_asset.inventory.models import Asset
from nephos_asset.inventory.repository import AssetFilter
from nephos_asset.inventory.schemas import (
    AssetBatch,
    AssetOut,
    AssetPage,
    AssetSummary,
    PageInfo,
    RelatedList,
    RelatedOut,
    RelationOut,
)
from nephos_asset.inventory.summary import summarize
from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import MAX_PAGE_SIZE, parse_id_list

router = APIRouter(tags=["inventory"])


async def _render(
    session: AsyncSession, tenant: str, assets: list[Asset], *, with_raw: bool = False
) -> list[AssetOut]:
    targets = await repository.resolve_targets(session, tenant, assets)
    out = []
    for asset in assets:
        relations = [
            RelationOut(**r, target_id=targets.get((asset.account_id, r["target_native_id"])))
            for r in asset.relations
        ]
        item = AssetOut.model_validate(asset).model_copy(update={"relations": relations})
        out.append(item if with_raw else item.model_copy(update={"raw": None}))
    return out


async def asset_filter(
    provider: str | None = None,
    account_id: uuid.UUID | None = None,
    region: str | None = None,
    category: str | None = None,
    state: str | None = None,
    native_type: str | None = None,
    tag: list[str] = Query(default=[], description="Key=Value, or Key for any value; repeatable"),
    q: str | None = Query(default=None, max_length=200, description="Name contains"),
    include_deleted: bool = False,
    group_id: uuid.UUID | None = Query(default=None, description="Members of a service group"),
) -> AssetFilter:
    """The list filters of the query string (a coroutine, so FastAPI runs it inline, not on
    a worker thread)."""
    return AssetFilter(
        provider=provider, account_id=account_id, region=region, category=category,
        state=state, native_type=native_type, tags=tuple(tag), name_contains=q,
        include_deleted=include_deleted, group_id=group_id,
    )  # fmt: skip


@router.get("/assets", response_model=AssetPage)
async def list_assets(
    f: AssetFilter = Depends(asset_filter),
    first: int = Query(100, ge=1, le=MAX_PAGE_SIZE),
    after: str | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetPage:
    """Live assets of the company, filtered, in pages of ``first`` after the cursor ``after``."""
    rows, more = await repository.page(session, principal.tenant, f, first, after)
    end = repository.cursor_of(rows[-1]) if rows else None
    items = await _render(session, principal.tenant, rows)
    return AssetPage(items=items, page_info=PageInfo(has_next_page=more, end_cursor=end))


@router.get("/assets/batch", response_model=AssetBatch)
async def batch_assets(
    ids: str = Query(description="Comma-separated asset ids (at most 500)"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetBatch:
    """Assets by id, for DataLoaders; unknown or foreign ids are left out."""
    wanted = parse_id_list(ids)
    rows = await repository.by_ids(session, principal.tenant, wanted)
    return AssetBatch(items=await _render(session, principal.tenant, rows))


@router.get("/assets/{asset_id}", response_model=AssetOut)
async def get_asset(
    asset_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetOut:
    """One asset with its relations resolved and the provider's raw data."""
    asset = await repository.get(session, principal.tenant, asset_id)
    return (await _render(session, principal.tenant, [asset], with_raw=True))[0]


@router.get("/assets/{asset_id}/related", response_model=RelatedList)
async def related_assets(
    asset_id: uuid.UUID,
    direction: Literal["in", "out", "both"] = "both",
    kind: str | None = Query(None, description="e.g. attached_volume, member_of_security_group"),
    category: str | None = Query(None, description="Only related assets of this category"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RelatedList:
    """What this asset points at (its volumes, subnet, security groups) and what points at it
    (the instances using a security group, everything in a network)."""
    asset = await repository.get(session, principal.tenant, asset_id)
    edges: list[tuple[str, str, Asset]] = []
    if direction in ("out", "both"):
        found = await repository.outgoing(session, asset, kind, category)
        edges += [("out", k, a) for k, a in found]
    if direction in ("in", "both"):
        edges += [
            ("in", k, a) for k, a in await repository.incoming(session, asset, kind, category)
        ]
    rendered = await _render(session, principal.tenant, [a for _, _, a in edges])
    return RelatedList(
        items=[
            RelatedOut(direction=d, kind=k, asset=out)
            for (d, k, _), out in zip(edges, rendered, strict=True)
        ]
    )


@router.get("/summary", response_model=AssetSummary)
async def asset_summary(
    provider: str | None = None,
    account_id: uuid.UUID | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetSummary:
    """The asset dashboard: servers, databases, product counts, storage and network per vendor."""
    return await summarize(session, principal.tenant, provider=provider, account_id=account_id)
