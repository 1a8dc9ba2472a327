"""Every read of incidents: the filtered list, and details (alerts, timeline, comments)
of many incidents in three queries whatever their number."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of
from nephos_monitoring.incidents.models import (
    Incident,
    IncidentAlert,
    IncidentComment,
    IncidentEvent,
)
from nephos_monitoring.incidents.schemas import (
    CommentOut,
    IncidentDetail,
    IncidentOut,
    TimelineEntry,
)

MAX_INCIDENTS = 1000


@dataclass(frozen=True)
class IncidentFilter:
    """Every given condition must hold; an empty sequence means any."""

    statuses: Sequence[str] = ()
    assignee: str | None = None
    asset_ids: Sequence[uuid.UUID] = ()


async def listed(session: AsyncSession, tenant: str, where: IncidentFilter) -> list[Incident]:
    """The newest incidents first, at most ``MAX_INCIDENTS``."""
    c = Incident.__table__.c
    query = select(Incident).where(Incident.tenant == tenant)
    if where.statuses:
        query = query.where(any_of(c.status, list(where.statuses)))
    if where.assignee is not None:
        query = query.where(Incident.assignee == where.assignee)
    if where.asset_ids:
        query = query.where(any_of(c.asset_id, list(where.asset_ids)))
    query = query.order_by(Incident.opened_at.desc(), Incident.id).limit(MAX_INCIDENTS)
    return list(await session.scalars(query))


async def by_ids(session: AsyncSession, tenant: str, ids: Sequence[uuid.UUID]) -> list[Incident]:
    """The tenant's incidents among these ids; others' and unknown ids are left out."""
    if not ids:
        return []
    query = select(Incident).where(
        Incident.tenant == tenant, any_of(Incident.__table__.c.id, list(ids))
    )
    return list(await session.scalars(query.order_by(Incident.opened_at.desc(), Incident.id)))


async def details(session: AsyncSession, incidents: Sequence[Incident]) -> list[IncidentDetail]:
    ids = [i.id for i in incidents]
    if not ids:
        return []
    alerts: defaultdict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for incident_id, alert_id in await session.execute(
        select(IncidentAlert.incident_id, IncidentAlert.alert_id)
        .where(any_of(IncidentAlert.__table__.c.incident_id, ids))
        .order_by(IncidentAlert.joined_at)
    ):
        alerts[incident_id].append(alert_id)
    timeline: defaultdict[uuid.UUID, list[TimelineEntry]] = defaultdict(list)
    for event in await session.scalars(
        select(IncidentEvent)
        .where(any_of(IncidentEvent.__table__.c.incident_id, ids))
        .order_by(IncidentEvent.at, IncidentEvent.id)
    ):
        timeline[event.incident_id].append(TimelineEntry.model_validate(event))
    comments: defaultdict[uuid.UUID, list[CommentOut]] = defaultdict(list)
    for comment in await session.scalars(
        select(IncidentComment)
        .where(any_of(IncidentComment.__table__.c.incident_id, ids))
        .order_by(IncidentComment.created_at)
    ):
        comments[comment.incident_id].append(CommentOut.model_validate(comment))
    return [
        IncidentDetail(
            **IncidentOut.model_validate(i).model_dump(),
            alert_ids=alerts[i.id],
            timeline=timeline[i.id],
            comments=comments[i.id],
        )
        for i in incidents
    ]
