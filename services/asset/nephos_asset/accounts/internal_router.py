"""The service-to-service route that hands out short-lived cloud sessions.

Only a ``nephos-internal`` token with a service subject reaches it (users,
admins included, are refused): metering and monitoring call it from their
jobs for the tenant the token names, and only that tenant's accounts answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.accounts import repository, sessions
from nephos_asset.settings import Settings
from nephos_common.auth import Principal, internal_service
from nephos_common.cloud_sessions import SESSIONS_PATH, session_to_wire
from nephos_common.db import session_dependency

router = APIRouter(tags=["internal"])


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID


@router.post(SESSIONS_PATH)
async def issue_cloud_session(
    data: SessionRequest,
    request: Request,
    principal: Principal = internal_service,
    session: AsyncSession = Depends(session_dependency),
) -> dict[str, Any]:
    """Temporary credentials for one account of the token's tenant (about an hour).

    409 ``invalid_credentials`` when the provider refuses the stored secret.
    """
    account = await repository.get(session, principal.tenant, data.account_id)
    settings: Settings = request.app.state.settings
    issued = await sessions.session_for(
        account,
        request.app.state.secret_box,
        caller=principal.service or "",
        max_attempts=settings.discovery_max_attempts,
    )
    return session_to_wire(issued)
