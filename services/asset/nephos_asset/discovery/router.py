"""HTTP routes of discovery runs: operators start them, viewers watch them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts import repository as accounts
from nephos_asset.discovery import repository, service
from nephos_asset.discovery.models import DiscoveryRun
from nephos_asset.discovery.schemas import RunList, RunOut, UnitFailureOut
from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency

router = APIRouter(tags=["discovery"])


async def _with_failures(session: AsyncSession, found: list[DiscoveryRun]) -> list[RunOut]:
    failures = await repository.failures(session, [r.id for r in found])
    out = []
    for run in found:
        item = RunOut.model_validate(run)
        item.failures = [UnitFailureOut.model_validate(f) for f in failures if f.run_id == run.id]
        out.append(item)
    return out


@router.post(
    "/accounts/{account_id}/discoveries",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunOut,
)
async def start_discovery(
    account_id: uuid.UUID,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> RunOut:
    """Queue a discovery run of the account; any replica of the service takes it."""
    account = await accounts.get(session, principal.tenant, account_id)
    run = await service.request_run(session, request.app.state.tables, account, trigger="manual")
    return RunOut.model_validate(run)


@router.get("/discoveries", response_model=RunList)
async def list_discoveries(
    account_id: uuid.UUID | None = None,
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RunList:
    found = await repository.list_for(session, principal.tenant, account_id, limit)
    return RunList(items=await _with_failures(session, found))


@router.get("/discoveries/{run_id}", response_model=RunOut)
async def get_discovery(
    run_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> RunOut:
    """A run with its progress (units done of total, assets found) and failed units."""
    run = await repository.get(session, principal.tenant, run_id)
    return (await _with_failures(session, [run]))[0]
