"""The tenant's monitoring overview: targets by status and the portal's CPU histogram."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, viewer
from nephos_common.db import session_dependency
from nephos_common.pagination import parse_id_list
from nephos_monitoring.groups import repository as groups
from nephos_monitoring.overview.service import Overview, snapshot
from nephos_monitoring.settings import Settings

router = APIRouter(tags=["overview"])


class GroupOverview(Overview):
    group_id: uuid.UUID


class GroupOverviewList(BaseModel):
    items: list[GroupOverview]


@router.get("/overview", response_model=Overview)
async def overview(
    request: Request,
    service_group: uuid.UUID | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> Overview:
    """The tenant's targets, or only the members of one service group."""
    settings: Settings = request.app.state.settings
    found = await snapshot(session, principal.tenant, settings.no_data_after_seconds)
    if service_group is None:
        return found.overview()
    return found.overview(await groups.members(session, principal.tenant, service_group))


@router.get("/overview/service-groups", response_model=GroupOverviewList)
async def group_overviews(
    request: Request,
    group_ids: str = Query(description="Comma-separated service group ids (at most 500)"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> GroupOverviewList:
    """The overview of each of many service groups in one call (for DataLoaders), in the
    order asked; a group monitoring knows no members of reads as empty."""
    wanted = parse_id_list(group_ids, field="group_ids")
    settings: Settings = request.app.state.settings
    found = await snapshot(session, principal.tenant, settings.no_data_after_seconds)
    members = await groups.members_of_groups(session, principal.tenant, wanted)
    return GroupOverviewList(
        items=[
            GroupOverview(group_id=g, **found.overview(members.get(g, set())).model_dump())
            for g in wanted
        ]
    )
