"""Incident routes: viewers read, operators and admins act."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency, utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_common.pagination import parse_id_list
from nephos_monitoring.escalation.repository import check_policy
from nephos_monitoring.incidents import repository, service
from nephos_monitoring.incidents.models import Incident, IncidentPreferences
from nephos_monitoring.incidents.schemas import (
    AssignBody,
    CommentBody,
    IncidentDetail,
    IncidentDetailList,
    IncidentList,
    IncidentOut,
    PreferencesIn,
    PreferencesOut,
    Status,
)

router = APIRouter(tags=["incidents"])


@router.get("/incidents", response_model=IncidentList)
async def list_incidents(
    status: list[Status] | None = Query(None, description="Any of these statuses."),
    assignee: str | None = Query(None, max_length=200),
    asset_ids: str | None = Query(
        None, description="Comma-separated asset ids (at most 500): incidents of any of them."
    ),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentList:
    """The newest incidents first (at most 1,000), filtered."""
    where = repository.IncidentFilter(
        statuses=status or (),
        assignee=assignee,
        asset_ids=parse_id_list(asset_ids, field="asset_ids") if asset_ids else (),
    )
    rows = await repository.listed(session, principal.tenant, where)
    return IncidentList(items=[IncidentOut.model_validate(i) for i in rows])


@router.get("/incidents/batch", response_model=IncidentDetailList)
async def batch_incidents(
    ids: str = Query(description="Comma-separated incident ids (at most 500)"),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetailList:
    """Incidents with their details by id, for DataLoaders; unknown or foreign ids are left out."""
    found = await repository.by_ids(session, principal.tenant, parse_id_list(ids))
    return IncidentDetailList(items=await repository.details(session, found))


async def _detail(session: AsyncSession, incident: Incident) -> IncidentDetail:
    (detail,) = await repository.details(session, [incident])
    return detail


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
async def get_incident(
    incident_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetail:
    found = await service.get(session, principal.tenant, incident_id, for_update=False)
    return await _detail(session, found)


async def _act(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    incident_id: uuid.UUID,
    action: Callable[[Incident], Awaitable[list[Envelope]]],
) -> IncidentDetail:
    incident = await service.get(session, principal.tenant, incident_id)
    events = await action(incident)
    await session.flush()
    await record(session, request.app.state.tables, events)
    return await _detail(session, incident)


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentDetail)
async def acknowledge(
    incident_id: uuid.UUID,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetail:
    return await _act(
        request,
        session,
        principal,
        incident_id,
        lambda i: service.acknowledge(session, i, principal.subject),
    )


@router.post("/incidents/{incident_id}/assign", response_model=IncidentDetail)
async def assign(
    incident_id: uuid.UUID,
    body: AssignBody,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetail:
    return await _act(
        request,
        session,
        principal,
        incident_id,
        lambda i: service.assign(session, i, principal.subject, body.assignee),
    )


@router.post("/incidents/{incident_id}/comments", response_model=IncidentDetail)
async def comment(
    incident_id: uuid.UUID,
    body: CommentBody,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetail:
    return await _act(
        request,
        session,
        principal,
        incident_id,
        lambda i: service.comment(session, i, principal.subject, body.text),
    )


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentDetail)
async def resolve(
    incident_id: uuid.UUID,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetail:
    return await _act(
        request,
        session,
        principal,
        incident_id,
        lambda i: service.resolve(session, i, principal.subject),
    )


@router.get("/incident-preferences", response_model=PreferencesOut)
async def get_preferences(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> PreferencesOut:
    """The tenant's incident defaults (auto-resolve on, no escalation, until set)."""
    found = await session.get(IncidentPreferences, principal.tenant)
    return PreferencesOut.model_validate(found) if found is not None else PreferencesOut()


@router.put("/incident-preferences", response_model=PreferencesOut)
async def put_preferences(
    body: PreferencesIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> PreferencesOut:
    await check_policy(session, principal.tenant, body.escalation_policy_id)
    values = body.model_dump()
    statement = insert(IncidentPreferences).values(tenant=principal.tenant, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant"], set_={**values, "updated_at": utcnow()}
        )
    )
    return PreferencesOut.model_validate(values)
