"""The collection job on the monitoring work queue, and queuing one.

The job's row and its message are written in one transaction (the message
through the outbox), so a queued job is never lost; the unique
(tenant, account, slot) key makes queuing the same interval twice a no-op,
which is what lets every replica run the scheduler.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.messaging import outbox
from nephos_common.messaging.envelope import Contract
from nephos_common.messaging.nats import StreamSpec
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.collection.models import CollectionJob, JobStatus

SOURCE = "monitoring"
JOBS_STREAM = StreamSpec(name="MONITORING_JOBS", subjects=("jobs.monitoring.>",), work_queue=True)


class CollectionRequested(Contract):
    """A job on the monitoring work queue: any replica may take it."""

    event_type: ClassVar[str] = "jobs.monitoring.collect"

    job_id: uuid.UUID
    account_id: uuid.UUID
    provider: str


async def request_job(
    session: AsyncSession,
    tables: MessagingTables,
    tenant: str,
    account_id: uuid.UUID,
    provider: str,
    *,
    slot: datetime,
    trigger: str,
) -> uuid.UUID | None:
    """Queue a job for the account's ``slot``; None if that slot was already queued."""
    job_id = uuid.uuid4()
    row = {
        "id": job_id, "tenant": tenant, "account_id": account_id, "provider": provider,
        "slot": slot, "trigger": trigger, "status": JobStatus.QUEUED, "requested_at": utcnow(),
        "targets": 0, "api_calls": 0, "points_stored": 0,
    }  # fmt: skip
    inserted = await session.scalar(
        insert(CollectionJob).values(row).on_conflict_do_nothing().returning(CollectionJob.id)
    )
    if inserted is None:
        return None
    job = CollectionRequested(job_id=job_id, account_id=account_id, provider=provider)
    await outbox.record(session, tables, [job.envelope(tenant=tenant, source=SOURCE)])
    return job_id
