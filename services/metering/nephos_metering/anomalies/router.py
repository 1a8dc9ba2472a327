"""HTTP routes of cost anomalies: viewers list them, operators detect and acknowledge."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency
from nephos_common.messaging.outbox import record
from nephos_metering.anomalies import repository, service
from nephos_metering.anomalies.repository import AnomalyQuery
from nephos_metering.anomalies.schemas import AnomalyList, AnomalyOut, DetectBody, Detection

router = APIRouter(prefix="/anomalies", tags=["anomalies"])


@router.get("", response_model=AnomalyList)
async def list_anomalies(
    account_id: uuid.UUID | None = None,
    service_name: str | None = Query(default=None, alias="service"),
    start: date | None = Query(default=None, alias="from", description="First day, included"),
    end: date | None = Query(default=None, alias="to", description="Last day, included"),
    acknowledged: bool | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AnomalyList:
    """Newest day first."""
    asked = AnomalyQuery(account_id, service_name, start, end, acknowledged)
    found = await repository.list_for(session, principal.tenant, asked)
    return AnomalyList(items=[service.out(a) for a in found])


@router.get("/{anomaly_id}", response_model=AnomalyOut)
async def get_anomaly(
    anomaly_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> AnomalyOut:
    return service.out(await repository.get(session, principal.tenant, anomaly_id))


@router.post("/detect", response_model=Detection)
async def detect_anomalies(
    body: DetectBody,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Detection:
    """Judge the days ``from``..``to``; sends ``metering.anomaly.detected`` for new ones."""
    tuning = service.sensitivity(request.app.state.settings)
    new = await service.detect(session, principal.tenant, body.start, body.end,
                               body.account_id, tuning)  # fmt: skip
    await record(session, request.app.state.tables, [service.detected(a) for a in new])
    return Detection(detected=[service.out(a) for a in new])


@router.post("/{anomaly_id}/acknowledge", response_model=AnomalyOut)
async def acknowledge_anomaly(
    anomaly_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> AnomalyOut:
    anomaly = await repository.get(session, principal.tenant, anomaly_id)
    service.acknowledge(anomaly, principal.subject)
    await session.flush()
    return service.out(anomaly)
