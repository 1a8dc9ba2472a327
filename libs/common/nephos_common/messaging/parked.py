"""Operators' view of poison messages: parked, never silently dropped."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, admin
from nephos_common.db import session_dependency
from nephos_common.messaging.tables import MessagingTables

parked_router = APIRouter(prefix="/admin/parked-messages", tags=["operations"])


class ParkedMessageOut(BaseModel):
    id: int
    consumer: str
    subject: str
    event_id: str | None
    error: str
    deliveries: int
    parked_at: datetime
    payload: str


@parked_router.get("", response_model=list[ParkedMessageOut], summary="List parked messages")
async def list_parked(
    request: Request,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
    limit: int = Query(100, ge=1, le=1000),
) -> list[ParkedMessageOut]:
    """Messages a consumer gave up on after its bounded redeliveries, newest first."""
    tables: MessagingTables = request.app.state.tables
    t = tables.parked
    rows = await session.execute(
        select(t).where(t.c.tenant == principal.tenant).order_by(t.c.id.desc()).limit(limit)
    )
    return [ParkedMessageOut.model_validate(r, from_attributes=True) for r in rows]
