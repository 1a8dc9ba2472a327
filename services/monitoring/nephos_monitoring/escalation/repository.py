"""Every query on escalation policies and incident escalations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import InvalidInput, NotFound
from nephos_monitoring.escalation.models import EscalationPolicy, IncidentEscalation

BATCH = 50


async def get_policy(session: AsyncSession, tenant: str, policy_id: uuid.UUID) -> EscalationPolicy:
    policy = await session.get(EscalationPolicy, policy_id)
    if policy is None or policy.tenant != tenant:
        raise NotFound("no such escalation policy", code="escalation_policy_not_found")
    return policy


async def check_policy(session: AsyncSession, tenant: str, policy_id: uuid.UUID | None) -> None:
    """Rules and preferences may only name this tenant's policies."""
    if policy_id is None:
        return
    policy = await session.get(EscalationPolicy, policy_id)
    if policy is None or policy.tenant != tenant:
        raise InvalidInput(
            "unknown escalation policy", code="unknown_escalation_policy", id=str(policy_id)
        )


async def list_policies(session: AsyncSession, tenant: str) -> list[EscalationPolicy]:
    query = select(EscalationPolicy).where(EscalationPolicy.tenant == tenant)
    return list(await session.scalars(query.order_by(EscalationPolicy.created_at)))


async def due(
    session: AsyncSession, now: datetime, minute_seconds: float
) -> list[IncidentEscalation]:
    """Escalations whose step's wait is over, locked (skip-locked: replicas share)."""
    seconds = IncidentEscalation.step_wait_minutes * literal(minute_seconds, Float)
    wait = func.make_interval(0, 0, 0, 0, 0, 0, seconds)
    query = (
        select(IncidentEscalation)
        .where(~IncidentEscalation.done, IncidentEscalation.step_started_at + wait <= now)
        .order_by(IncidentEscalation.step_started_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(query))
