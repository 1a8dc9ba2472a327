"""Silence routes: viewers read, operators create, change and delete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import session_dependency, utcnow
from nephos_monitoring.silences import repository, service
from nephos_monitoring.silences.models import Silence
from nephos_monitoring.silences.schemas import SilenceIn, SilenceList, SilenceOut

router = APIRouter(tags=["silences"])


def _out(silence: Silence) -> SilenceOut:
    out = SilenceOut.model_validate(silence)
    return out.model_copy(update={"active": silence.active_at(utcnow())})


@router.post("/silences", status_code=status.HTTP_201_CREATED, response_model=SilenceOut)
async def create_silence(
    data: SilenceIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> SilenceOut:
    """Matching alerts that fire or resolve from now on notify nobody and open no incident."""
    return _out(await service.create(session, principal, data))


@router.get("/silences", response_model=SilenceList)
async def list_silences(
    include_expired: bool = False,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SilenceList:
    """Current and future silences (and expired ones on request), newest start first."""
    ended_after = None if include_expired else utcnow()
    found = await repository.listed(session, principal.tenant, ended_after=ended_after)
    return SilenceList(items=[_out(s) for s in found])


@router.get("/silences/{silence_id}", response_model=SilenceOut)
async def get_silence(
    silence_id: uuid.UUID,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> SilenceOut:
    return _out(await repository.get(session, principal.tenant, silence_id))


@router.put("/silences/{silence_id}", response_model=SilenceOut)
async def replace_silence(
    silence_id: uuid.UUID,
    data: SilenceIn,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> SilenceOut:
    silence = await repository.get(session, principal.tenant, silence_id)
    return _out(await service.replace(session, silence, data))


@router.delete("/silences/{silence_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_silence(
    silence_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    """Ends the silence at once: the next state change notifies again."""
    await session.delete(await repository.get(session, principal.tenant, silence_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
