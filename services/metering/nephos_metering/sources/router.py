"""HTTP routes of billing sources and ingest runs: operators change and start, viewers read."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.cloud_sessions import CloudSessions
from nephos_common.db import session_dependency
from nephos_metering.costs.service import PROVISIONAL_DAYS
from nephos_metering.ingest.api_delivery import day_start
from nephos_metering.sources import repository, service
from nephos_metering.sources.schemas import (
    AccountFreshness,
    FreshnessList,
    RunCreate,
    RunList,
    RunOut,
    SourceCreate,
    SourceList,
    SourceOut,
    SourceUpdate,
)

router = APIRouter(tags=["billing sources"])


def _sessions(request: Request) -> CloudSessions:
    sessions: CloudSessions = request.app.state.cloud_sessions
    return sessions


@router.post("/sources", status_code=status.HTTP_201_CREATED, response_model=SourceOut)
async def create_source(
    data: SourceCreate,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> SourceOut:
    """Say where an account's bill comes from and when to ingest it (one source per account).

    422 ``unknown_account`` when the asset service knows no such account in the company;
    ``credentials_required`` when an Azure export source comes without its SAS token
    (sealed at rest, never answered: the source says only ``has_credentials``).
    """
    source = await service.create(session, _sessions(request), request.app.state.settings,
                                  principal.tenant, data)  # fmt: skip
    return SourceOut.model_validate(source)


@router.get("/sources", response_model=SourceList)
async def list_sources(
    account_id: uuid.UUID | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SourceList:
    found = await repository.list_sources(session, principal.tenant, account_id)
    return SourceList(items=[SourceOut.model_validate(s) for s in found])


@router.get("/sources/{source_id}", response_model=SourceOut)
async def get_source(
    source_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SourceOut:
    return SourceOut.model_validate(await repository.get(session, principal.tenant, source_id))


@router.patch("/sources/{source_id}", response_model=SourceOut)
async def update_source(
    source_id: uuid.UUID,
    data: SourceUpdate,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> SourceOut:
    source = await repository.get(session, principal.tenant, source_id)
    await service.update(session, request.app.state.settings, source, data)
    return SourceOut.model_validate(source)


@router.delete("/sources/{source_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_source(
    source_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    """Stop ingesting the account's bill; the costs already ingested stay."""
    await session.delete(await repository.get(session, principal.tenant, source_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/sources/{source_id}/runs", status_code=status.HTTP_202_ACCEPTED, response_model=RunOut
)
async def start_run(
    source_id: uuid.UUID,
    request: Request,
    data: RunCreate = Body(default_factory=RunCreate),
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> RunOut:
    """Queue an ingest of the source (one period, or the open ones); any replica takes it."""
    source = await repository.get(session, principal.tenant, source_id)
    periods = [data.billing_period] if data.billing_period else None
    run = await service.request_run(session, request.app.state.tables, source,
                                    trigger="manual", periods=periods)  # fmt: skip
    return RunOut.model_validate(run)


@router.get("/ingest-runs", response_model=RunList)
async def list_runs(
    source_id: uuid.UUID | None = None,
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RunList:
    found = await repository.list_runs(session, principal.tenant, source_id, limit)
    return RunList(items=[RunOut.model_validate(r) for r in found])


@router.get("/ingest-runs/{run_id}", response_model=RunOut)
async def get_run(
    run_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RunOut:
    """A run's status, the periods done so far (with their deliveries) and its error."""
    return RunOut.model_validate(await repository.get_run(session, principal.tenant, run_id))


def _freshness(account_id: uuid.UUID, through: datetime | None,
               finished: datetime | None) -> AccountFreshness:  # fmt: skip
    settled = day_start(finished) - timedelta(days=PROVISIONAL_DAYS) if finished else None
    return AccountFreshness(account_id=account_id, data_through=through,
                            last_delivery_at=finished, provisional_from=settled)  # fmt: skip


@router.get("/data-freshness", response_model=FreshnessList)
async def data_freshness(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> FreshnessList:
    """Per account: costs held through when, the latest delivery, where they turn provisional."""
    found = await repository.freshness(session, principal.tenant)
    return FreshnessList(items=[_freshness(*row) for row in found])
