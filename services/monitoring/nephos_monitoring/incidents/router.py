"""Incident routes: viewers read, operators and admins act."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency, utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.outbox import record
from nephos_monitoring.escalation.repository import check_policy
from nephos_monitoring.incidents import service
from nephos_monitoring.incidents.models import (
    Incident,
    IncidentAlert,
    IncidentComment,
    IncidentEvent,
    IncidentPreferences,
)
from nephos_monitoring.incidents.schemas import (
    AssignBody,
    CommentBody,
    CommentOut,
    IncidentDetail,
    IncidentList,
    IncidentOut,
    PreferencesIn,
    PreferencesOut,
    Status,
    TimelineEntry,
)

router = APIRouter(tags=["incidents"])
MAX_INCIDENTS = 1000


@router.get("/incidents", response_model=IncidentList)
async def list_incidents(
    status: Status | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentList:
    query = select(Incident).where(Incident.tenant == principal.tenant)
    if status is not None:
        query = query.where(Incident.status == status)
    rows = await session.scalars(
        query.order_by(Incident.opened_at.desc(), Incident.id).limit(MAX_INCIDENTS)
    )
    return IncidentList(items=[IncidentOut.model_validate(i) for i in rows])


async def _detail(session: AsyncSession, incident: Incident) -> IncidentDetail:
    alerts = await session.scalars(
        select(IncidentAlert.alert_id)
        .where(IncidentAlert.incident_id == incident.id)
        .order_by(IncidentAlert.joined_at)
    )
    timeline = await session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    comments = await session.scalars(
        select(IncidentComment)
        .where(IncidentComment.incident_id == incident.id)
        .order_by(IncidentComment.created_at)
    )
    return IncidentDetail(
        **IncidentOut.model_validate(incident).model_dump(),
        alert_ids=list(alerts),
        timeline=[TimelineEntry.model_validate(e) for e in timeline],
        comments=[CommentOut.model_validate(c) for c in comments],
    )


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
async def get_incident(
    incident_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> IncidentDetail:
    return await _detail(session, await service.get(session, principal.tenant, incident_id))


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
