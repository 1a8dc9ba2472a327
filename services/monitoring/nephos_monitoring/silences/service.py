"""Silence changes: the caller's tenant and name are stamped, the times checked."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal
from nephos_common.db import utcnow
from nephos_common.errors import InvalidInput
from nephos_monitoring.silences.models import Silence
from nephos_monitoring.silences.schemas import SilenceIn


def _apply(silence: Silence, data: SilenceIn) -> None:
    silence.matchers = data.matchers.model_dump(mode="json", exclude_none=True)
    silence.starts_at = data.starts_at or utcnow()
    silence.ends_at = data.ends_at
    silence.comment = data.comment
    if silence.ends_at <= silence.starts_at:
        raise InvalidInput("the silence would end before it starts", code="silence_ended")


async def create(session: AsyncSession, principal: Principal, data: SilenceIn) -> Silence:
    silence = Silence(id=uuid.uuid4(), tenant=principal.tenant, created_by=principal.subject)
    _apply(silence, data)
    session.add(silence)
    await session.flush()
    await session.refresh(silence)
    return silence


async def replace(session: AsyncSession, silence: Silence, data: SilenceIn) -> Silence:
    _apply(silence, data)
    await session.flush()
    return silence
