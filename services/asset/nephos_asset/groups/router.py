"""HTTP routes of service groups: viewers read, operators and admins change."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.groups import repository, service
from nephos_asset.groups.models import ServiceGroup
from nephos_asset.groups.schemas import (
    AssetGroups,
    GroupCreate,
    GroupList,
    GroupOut,
    GroupUpdate,
    MembersChange,
)
from nephos_asset.inventory.schemas import AssetSummary
from nephos_asset.inventory.summary import summarize
from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import parse_id_list

router = APIRouter(prefix="/service-groups", tags=["service groups"])


async def _render(session: AsyncSession, groups: list[ServiceGroup]) -> list[GroupOut]:
    ids = [g.id for g in groups]
    counts = await repository.member_counts(session, ids)
    explicit = await repository.explicit_members(session, ids)
    return [
        GroupOut.model_validate(g).model_copy(
            update={"member_count": counts.get(g.id, 0), "explicit_members": explicit[g.id]}
        )
        for g in groups
    ]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GroupOut)
async def create_group(
    data: GroupCreate,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> GroupOut:
    """Create a group from a tag rule, explicit members, or both; members follow the rule."""
    group = await service.create(session, request.app.state.tables, principal, data)
    return (await _render(session, [group]))[0]


@router.get("", response_model=GroupList)
async def list_groups(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> GroupList:
    return GroupList(
        items=await _render(session, await repository.list_for(session, principal.tenant))
    )


@router.get("/memberships", response_model=AssetGroups)
async def memberships(
    asset_ids: str = Query(description="Comma-separated asset ids (at most 500)"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetGroups:
    """The groups of each asset, for DataLoaders; foreign ids get an empty list."""
    ids = parse_id_list(asset_ids, field="asset_ids")
    return AssetGroups(
        memberships=await repository.groups_of_assets(session, principal.tenant, ids)
    )


@router.get("/{group_id}", response_model=GroupOut)
async def get_group(
    group_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> GroupOut:
    return (await _render(session, [await repository.get(session, principal.tenant, group_id)]))[0]


@router.patch("/{group_id}", response_model=GroupOut)
async def update_group(
    group_id: uuid.UUID,
    data: GroupUpdate,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> GroupOut:
    group = await repository.get(session, principal.tenant, group_id)
    group = await service.update(session, request.app.state.tables, group, data)
    return (await _render(session, [group]))[0]


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_group(
    group_id: uuid.UUID,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    group = await repository.get(session, principal.tenant, group_id)
    await service.delete(session, request.app.state.tables, group)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{group_id}/members", response_model=GroupOut)
async def add_members(
    group_id: uuid.UUID,
    data: MembersChange,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> GroupOut:
    """Put assets in the group by hand, whatever their tags say."""
    group = await repository.get(session, principal.tenant, group_id)
    await service.add_members(session, request.app.state.tables, group, data.asset_ids)
    return (await _render(session, [group]))[0]


@router.delete("/{group_id}/members/{asset_id}", response_model=GroupOut)
async def remove_member(
    group_id: uuid.UUID,
    asset_id: uuid.UUID,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> GroupOut:
    """Take back a hand-picked member (it stays if the rule matches it)."""
    group = await repository.get(session, principal.tenant, group_id)
    await service.remove_member(session, request.app.state.tables, group, asset_id)
    return (await _render(session, [group]))[0]


@router.get("/{group_id}/summary", response_model=AssetSummary)
async def group_summary(
    group_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AssetSummary:
    """The asset dashboard scoped to the group's members."""
    await repository.get(session, principal.tenant, group_id)
    return await summarize(session, principal.tenant, group_id=group_id)
