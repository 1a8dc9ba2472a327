"""Channels (operators change, viewers read) and the delivery log."""

from __future__ import annotations

import uuid
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.crypto import SecretBox
from nephos_common.db import any_of, session_dependency
from nephos_common.errors import InvalidInput, NotFound
from nephos_monitoring.notifications.models import Channel, Delivery, DeliveryAttempt
from nephos_monitoring.notifications.schemas import (
    AttemptOut,
    ChannelCreate,
    ChannelList,
    ChannelOut,
    DeliveryList,
    DeliveryOut,
)
from nephos_monitoring.notifications.urls import check_channel_url
from nephos_monitoring.settings import Settings

router = APIRouter(tags=["notifications"])
MAX_DELIVERIES = 500


def _shown_url(url: str) -> str:
    """Only the receiving host: a webhook's path and query are its secret (a Slack
    incoming-webhook URL is all the credential there is), so they are never read back."""
    parts = urlsplit(url)
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{hidden}"


def _shown_config(config: dict[str, Any]) -> dict[str, Any]:
    if "url" not in config:
        return config
    return {**config, "url": _shown_url(str(config["url"]))}


def _out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.id,
        name=channel.name,
        kind=channel.kind,
        config=_shown_config(channel.config),
        has_credentials=channel.sealed_secret is not None,
        created_at=channel.created_at,
    )


@router.post("/channels", status_code=status.HTTP_201_CREATED, response_model=ChannelOut)
async def create_channel(
    data: ChannelCreate,
    request: Request,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> ChannelOut:
    if data.credentials is not None and data.config.kind != "email":
        raise InvalidInput("credentials are for e-mail channels only")
    settings: Settings = request.app.state.settings
    if data.config.kind != "email":
        await check_channel_url(str(data.config.url), settings.internal_webhooks_allowed)
    channel = Channel(
        id=uuid.uuid4(),
        tenant=principal.tenant,
        name=data.name,
        kind=data.config.kind,
        config=data.config.model_dump(mode="json"),
    )
    channel.seal(
        SecretBox(settings.secret_key), data.credentials.model_dump() if data.credentials else None
    )
    session.add(channel)
    await session.flush()
    await session.refresh(channel)
    return _out(channel)


@router.get("/channels", response_model=ChannelList)
async def list_channels(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> ChannelList:
    rows = await session.scalars(
        select(Channel).where(Channel.tenant == principal.tenant).order_by(Channel.created_at)
    )
    return ChannelList(items=[_out(c) for c in rows])


@router.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_channel(
    channel_id: uuid.UUID,
    principal: Principal = operator,
    session: AsyncSession = Depends(session_dependency),
) -> Response:
    channel = await session.get(Channel, channel_id)
    if channel is None or channel.tenant != principal.tenant:
        raise NotFound("no such channel")
    await session.delete(channel)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def check_channels(session: AsyncSession, tenant: str, ids: list[uuid.UUID]) -> None:
    """Rules may only name this tenant's channels."""
    if not ids:
        return
    found = set(
        await session.scalars(
            select(Channel.id).where(Channel.tenant == tenant, any_of(Channel.__table__.c.id, ids))
        )
    )
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise InvalidInput("unknown notification channels", code="unknown_channels", ids=missing)


@router.get("/deliveries", response_model=DeliveryList)
async def list_deliveries(
    status: Literal["pending", "delivered", "failed", "suppressed"] | None = None,
    alert_id: uuid.UUID | None = None,
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> DeliveryList:
    """The newest deliveries first (at most 500), each with every attempt."""
    query = select(Delivery).where(Delivery.tenant == principal.tenant)
    if status is not None:
        query = query.where(Delivery.status == status)
    if alert_id is not None:
        query = query.where(Delivery.alert_id == alert_id)
    rows = list(
        await session.scalars(
            query.order_by(Delivery.created_at.desc(), Delivery.id).limit(MAX_DELIVERIES)
        )
    )
    attempts: dict[uuid.UUID, list[AttemptOut]] = {r.id: [] for r in rows}
    if rows:
        found = await session.scalars(
            select(DeliveryAttempt)
            .where(any_of(DeliveryAttempt.__table__.c.delivery_id, list(attempts)))
            .order_by(DeliveryAttempt.number)
        )
        for a in found:
            attempts[a.delivery_id].append(AttemptOut.model_validate(a))
    return DeliveryList(
        items=[
            DeliveryOut(
                id=r.id,
                channel_id=r.channel_id,
                event_type=r.event_type,
                alert_id=r.alert_id,
                status=r.status,
                suppressed_reason=r.suppressed_reason,
                attempts=attempts[r.id],
                next_attempt_at=r.next_attempt_at if r.status == "pending" else None,
                created_at=r.created_at,
                delivered_at=r.delivered_at,
            )
            for r in rows
        ]
    )
