"""Every query of collection jobs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_monitoring.collection.models import CollectionJob
from nephos_monitoring.targets.models import Target

COLLECTED_PROVIDERS = ("aws", "azure")


async def accounts_with_targets(session: AsyncSession) -> list[tuple[str, uuid.UUID, str]]:
    """(tenant, account, provider) of every cloud account with a pollable target."""
    rows = await session.execute(
        select(Target.tenant, Target.account_id, Target.provider)
        .where(
            Target.deleted_at.is_(None),
            Target.state != "stopped",
            Target.provider.in_(COLLECTED_PROVIDERS),
        )
        .distinct()
        .order_by(Target.tenant, Target.account_id)
    )
    return [(tenant, account, provider) for tenant, account, provider in rows]


async def provider_of(session: AsyncSession, tenant: str, account_id: uuid.UUID) -> str:
    """The provider of an account the caller has targets in, else 404."""
    provider = await session.scalar(
        select(Target.provider)
        .where(
            Target.tenant == tenant,
            Target.account_id == account_id,
            Target.deleted_at.is_(None),
            Target.provider.in_(COLLECTED_PROVIDERS),
        )
        .limit(1)
    )
    if provider is None:
        raise NotFound("no monitored targets in this account", code="account_not_found")
    return provider


async def get_for_update(session: AsyncSession, job_id: uuid.UUID) -> CollectionJob | None:
    return await session.scalar(
        select(CollectionJob).where(CollectionJob.id == job_id).with_for_update()
    )


async def get(session: AsyncSession, tenant: str, job_id: uuid.UUID) -> CollectionJob:
    job = await session.get(CollectionJob, job_id)
    if job is None or job.tenant != tenant:
        raise NotFound("no such collection job", code="job_not_found")
    return job


async def recent(
    session: AsyncSession, tenant: str, account_id: uuid.UUID | None, limit: int
) -> list[CollectionJob]:
    query = select(CollectionJob).where(CollectionJob.tenant == tenant)
    if account_id is not None:
        query = query.where(CollectionJob.account_id == account_id)
    query = query.order_by(CollectionJob.requested_at.desc()).limit(limit)
    return list(await session.scalars(query))


async def prune_finished(session: AsyncSession, before: datetime) -> int:
    """Forget finished jobs requested before ``before``; they only serve as a recent log."""
    result = await session.execute(
        delete(CollectionJob).where(
            CollectionJob.requested_at < before, CollectionJob.finished_at.is_not(None)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
