"""HTTP routes of alert rules and alerts: viewers read, operators change rules."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_monitoring.alerts import repository, service
from nephos_monitoring.alerts.schemas import (
    AlertList,
    AlertOut,
    RuleCreate,
    RuleList,
    RuleOut,
    RuleUpdate,
)

router = APIRouter(tags=["alerts"])


@router.post("/rules", status_code=status.HTTP_201_CREATED, response_model=RuleOut)
async def create_rule(
    data: RuleCreate,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> RuleOut:
    """A threshold rule; it is evaluated on every point that arrives from now on."""
    return RuleOut.model_validate(await service.create(session, principal.tenant, data))


@router.get("/rules", response_model=RuleList)
async def list_rules(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> RuleList:
    rules = await repository.list_rules(session, principal.tenant)
    return RuleList(items=[RuleOut.model_validate(r) for r in rules])


@router.get("/rules/{rule_id}", response_model=RuleOut)
async def get_rule(
    rule_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RuleOut:
    return RuleOut.model_validate(await repository.get_rule(session, principal.tenant, rule_id))


@router.patch("/rules/{rule_id}", response_model=RuleOut)
async def update_rule(
    rule_id: uuid.UUID,
    data: RuleUpdate,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> RuleOut:
    rule = await repository.get_rule(session, principal.tenant, rule_id)
    rule = await service.update(session, request.app.state.tables, rule, data)
    return RuleOut.model_validate(rule)


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(
    rule_id: uuid.UUID,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    """Delete a rule; its firing alerts are resolved (and announced) first."""
    rule = await repository.get_rule(session, principal.tenant, rule_id)
    await service.delete(session, request.app.state.tables, rule)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/alerts", response_model=AlertList)
async def list_alerts(
    state: Literal["pending", "firing", "resolved"] | None = None,
    asset_id: uuid.UUID | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AlertList:
    """The newest alerts first (at most 1,000), optionally by state or asset."""
    alerts = await repository.list_alerts(session, principal.tenant, state=state, asset_id=asset_id)
    return AlertList(items=[AlertOut.model_validate(a) for a in alerts])
