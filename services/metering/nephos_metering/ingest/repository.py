"""Every query on deliveries, always scoped by tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_metering.ingest.models import Delivery, DeliveryStatus


async def find_ingested(session: AsyncSession, tenant: str, fingerprint: str) -> Delivery | None:
    """The delivery now in force with this fingerprint, if any."""
    found: Delivery | None = await session.scalar(
        select(Delivery).where(
            Delivery.tenant == tenant,
            Delivery.fingerprint == fingerprint,
            Delivery.status == DeliveryStatus.SUCCEEDED,
        )
    )
    return found


async def get(session: AsyncSession, tenant: str, delivery_id: uuid.UUID) -> Delivery:
    found = await session.scalar(
        select(Delivery).where(Delivery.tenant == tenant, Delivery.id == delivery_id)
    )
    if found is None:
        raise NotFound(f"delivery {delivery_id} not found", code="delivery_not_found")
    return found


async def list_for(
    session: AsyncSession, tenant: str, account_id: uuid.UUID | None, limit: int
) -> list[Delivery]:
    query = select(Delivery).where(Delivery.tenant == tenant)
    if account_id is not None:
        query = query.where(Delivery.account_id == account_id)
    found = await session.scalars(query.order_by(Delivery.requested_at.desc()).limit(limit))
    return list(found)
