"""HTTP routes of collection: on-demand runs with credentials in the request, and jobs."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import database_from, session_dependency, utcnow
from nephos_monitoring.collection import repository, service
from nephos_monitoring.collection.jobs import request_job
from nephos_monitoring.collection.schemas import (
    CollectionRequest,
    CollectionResult,
    JobList,
    JobOut,
    JobRequest,
)

router = APIRouter(tags=["collection"])


@router.post("/collections", response_model=CollectionResult)
async def collect(
    data: CollectionRequest, request: Request, principal: Principal = operator
) -> CollectionResult:
    """Collect an AWS account's metrics now, with credentials used for this run only.

    Kept for callers that hold their own credentials (and for trying an
    account out before it is registered); the run happens in the request and
    its summary is the answer. Scheduled collection does not use it: see
    ``POST /collection-jobs``.
    """
    result = await service.run(
        database_from(request),
        request.app.state.tables,
        request.app.state.settings,
        principal.tenant,
        data,
    )
    request.app.state.relay.wake()
    return result


@router.post("/collection-jobs", response_model=JobOut, status_code=202)
async def queue_job(
    data: JobRequest,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> JobOut:
    """Queue a collection job for one of the caller's accounts now (AWS or Azure).

    The job runs on any replica, like the ones the scheduler queues every
    ``collection_interval_seconds``, with a short-lived session from the asset
    service; follow it with ``GET /collection-jobs/{id}``.
    """
    provider = await repository.provider_of(session, principal.tenant, data.account_id)
    job_id = await request_job(
        session, request.app.state.tables, principal.tenant, data.account_id, provider,
        slot=utcnow(), trigger="manual",
    )  # fmt: skip
    assert job_id is not None
    job = await repository.get(session, principal.tenant, job_id)
    return JobOut.model_validate(job)


@router.get("/collection-jobs", response_model=JobList)
async def list_jobs(
    account_id: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> JobList:
    """The caller's most recent collection jobs, newest first."""
    jobs = await repository.recent(session, principal.tenant, account_id, limit)
    return JobList(items=[JobOut.model_validate(j) for j in jobs])


@router.get("/collection-jobs/{job_id}", response_model=JobOut)
async def get_job(
    job_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> JobOut:
    return JobOut.model_validate(await repository.get(session, principal.tenant, job_id))
