"""Executes a collection job taken from the work queue.

The job gets a short-lived session for its account from the asset service
(``CloudSessions``), reads the account's pollable targets in one short
transaction, calls the cloud with no transaction open, and writes the points
through the ingest path in another. A redelivered job whose row is already
finished is skipped; one that died while running is run again, which the
idempotent store makes harmless. A failed job (no session, a cloud error) is
recorded as failed and not retried: the next interval's job reads a window
that overlaps this one, so a passing failure loses no points.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.cloud_sessions import AwsSession, AzureSession, CloudSession, CloudSessions
from nephos_common.db import utcnow
from nephos_common.messaging.consumer import Subscription
from nephos_common.messaging.envelope import Envelope
from nephos_monitoring.collection import repository
from nephos_monitoring.collection.azure_monitor import collect_azure
from nephos_monitoring.collection.cloudwatch import Window
from nephos_monitoring.collection.jobs import JOBS_STREAM, CollectionRequested
from nephos_monitoring.collection.models import CollectionJob, JobStatus
from nephos_monitoring.collection.service import aws_by_region, collect_aws
from nephos_monitoring.ingest import accept
from nephos_monitoring.metrics.store import Point
from nephos_monitoring.settings import Settings
from nephos_monitoring.targets import repository as targets
from nephos_monitoring.targets.models import Target

log = logging.getLogger(__name__)
DURABLE = "monitoring-collection-worker"


@dataclass
class Collected:
    points: list[Point]
    calls: int


def job_window(slot: datetime, settings: Settings) -> Window:
    """Ends at the slot, aligned to the period; looks back further than one interval, so a
    late-arriving cloud datapoint is still read next time (stored points are deduplicated)."""
    period = settings.collection_period_seconds
    end = datetime.fromtimestamp(int(slot.timestamp()) // period * period, UTC)
    start = end - timedelta(seconds=settings.collection_lookback_seconds)
    return Window(start=start, end=end, period=period)


async def collect(cloud: CloudSession, found: list[Target], window: Window) -> Collected:
    if isinstance(cloud, AwsSession):
        results = await collect_aws(cloud.client_kwargs(), aws_by_region(found), window)
        return Collected([p for r in results for p in r.points], sum(r.calls for r in results))
    assert isinstance(cloud, AzureSession)
    result = await collect_azure(cloud, found, window)
    return Collected(result.points, result.calls)


@dataclass(frozen=True)
class CollectionWorker:
    """Reads the app's state at run time (the cloud sessions can be swapped in tests)."""

    app: FastAPI

    async def handle(self, _: AsyncSession, envelope: Envelope) -> None:
        """Consumer entry point; the job keeps its own transactions (see module doc)."""
        job = CollectionRequested.parse(envelope)
        await self.execute(job.job_id)

    async def execute(self, job_id: uuid.UUID) -> None:
        started = await self._start(job_id)
        if started is None:
            return
        job, found = started
        settings: Settings = self.app.state.settings
        try:
            cloud = await self.app.state.cloud_sessions.get(job.tenant, job.account_id)
            if cloud.provider != job.provider:
                raise ValueError(f"the account is {cloud.provider}, its targets {job.provider}")
            collected = await collect(cloud, found, job_window(job.slot, settings))
        except Exception as exc:
            log.warning("collection job failed", extra={"job_id": str(job_id), "error": str(exc)})
            await self._finish(job_id, JobStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
            return
        await self._store(job, collected)

    async def _start(self, job_id: uuid.UUID) -> tuple[CollectionJob, list[Target]] | None:
        async with self.app.state.database.transaction() as session:
            job = await repository.get_for_update(session, job_id)
            if job is None or JobStatus(job.status).finished:
                return None
            job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
            found = await targets.pollable(session, job.tenant, job.provider, job.account_id, [])
            job.targets = len(found)
            return job, found

    async def _store(self, job: CollectionJob, collected: Collected) -> None:
        app = self.app
        async with app.state.database.transaction() as session:
            stored = await accept(
                session, app.state.tables, app.state.settings, job.tenant, collected.points
            )
            row = await repository.get_for_update(session, job.id)
            assert row is not None
            row.status, row.finished_at = JobStatus.SUCCEEDED, utcnow()
            row.api_calls, row.points_stored = collected.calls, stored
        app.state.relay.wake()

    async def _finish(self, job_id: uuid.UUID, status: JobStatus, error: str) -> None:
        async with self.app.state.database.transaction() as session:
            row = await repository.get_for_update(session, job_id)
            assert row is not None
            row.status, row.finished_at, row.error = status, utcnow(), error


def subscription(app: FastAPI) -> Subscription:
    """Jobs run side by side (they wait on clouds), a few per replica."""
    settings: Settings = app.state.settings
    return Subscription(
        durable=DURABLE,
        stream=JOBS_STREAM.name,
        subject=CollectionRequested.event_type,
        handler=CollectionWorker(app).handle,
        batch=1,
        in_flight=settings.collection_jobs_in_flight,
    )


async def open_cloud_sessions(app: FastAPI) -> None:
    """Start hook: the asset service's session client, shared by the app's jobs."""
    settings: Settings = app.state.settings
    app.state.cloud_sessions = CloudSessions(settings, settings.asset_url)
