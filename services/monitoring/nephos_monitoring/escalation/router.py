"""Escalation policy routes: viewers read, operators create, change and delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_monitoring.escalation import repository, service
from nephos_monitoring.escalation.schemas import PolicyIn, PolicyList, PolicyOut

router = APIRouter(tags=["escalation"])


@router.post("/escalation-policies", status_code=status.HTTP_201_CREATED, response_model=PolicyOut)
async def create_policy(
    data: PolicyIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> PolicyOut:
    return PolicyOut.model_validate(await service.create_policy(session, principal.tenant, data))


@router.get("/escalation-policies", response_model=PolicyList)
async def list_policies(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> PolicyList:
    found = await repository.list_policies(session, principal.tenant)
    return PolicyList(items=[PolicyOut.model_validate(p) for p in found])


@router.get("/escalation-policies/{policy_id}", response_model=PolicyOut)
async def get_policy(
    policy_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> PolicyOut:
    return PolicyOut.model_validate(
        await repository.get_policy(session, principal.tenant, policy_id)
    )


@router.put("/escalation-policies/{policy_id}", response_model=PolicyOut)
async def replace_policy(
    policy_id: uuid.UUID,
    data: PolicyIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> PolicyOut:
    """Incidents already escalating keep their current step's wait, then follow the new steps."""
    policy = await repository.get_policy(session, principal.tenant, policy_id)
    return PolicyOut.model_validate(await service.replace_policy(session, policy, data))


@router.delete("/escalation-policies/{policy_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_policy(
    policy_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    """Rules and preferences naming it fall back to none; escalations under it stop."""
    await session.delete(await repository.get_policy(session, principal.tenant, policy_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
