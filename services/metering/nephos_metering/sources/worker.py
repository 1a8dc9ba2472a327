"""Executes an ingest run taken from the work queue.

Each billing period is its own delivery, swapped in its own transaction, and
the run row records each as it is done, so progress is visible while the run
goes on. A redelivered job starts the run over, which is harmless: an
unchanged delivery is skipped and a changed one restates its period whole.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.cloud_sessions import CloudSessions
from nephos_common.contracts.metering import IngestRequested
from nephos_common.db import Database, utcnow
from nephos_common.errors import NephosError
from nephos_common.messaging.envelope import Envelope
from nephos_metering.sources import repository
from nephos_metering.sources.models import BillingSource, IngestRun, RunStatus
from nephos_metering.sources.readers import ReadOptions, ingest_period

log = logging.getLogger(__name__)
REFUSED = {"cost_api_access_denied", "s3_access_denied"}


@dataclass(frozen=True)
class IngestWorker:
    database: Database
    sessions: CloudSessions
    options: ReadOptions

    async def handle(self, _: AsyncSession, envelope: Envelope) -> None:
        """Consumer entry point; the run keeps its own transactions (see module doc)."""
        job = IngestRequested.parse(envelope)
        await self.execute(job.run_id)

    async def execute(self, run_id: uuid.UUID) -> None:
        started = await self._start(run_id)
        if started is None:
            return
        source, run = started
        try:
            cloud = await self.sessions.get(source.tenant, source.account_id)
            for month in run.billing_periods:
                outcome = await ingest_period(self.database, source, cloud, month, self.options)
                result = {"billing_period": month, "outcome": outcome.outcome,
                          "delivery_id": str(outcome.delivery.id)}  # fmt: skip
                async with self.database.transaction() as session:
                    await repository.add_result(session, run.id, result)
        except NephosError as exc:
            if exc.code in REFUSED:
                self.sessions.forget(source.tenant, source.account_id)
            await self._finish(run.id, RunStatus.FAILED, exc.message,
                               {"code": exc.code, **exc.details})  # fmt: skip
            return
        except Exception as exc:
            log.exception("ingest run failed", extra={"run_id": str(run.id)})
            await self._finish(run.id, RunStatus.FAILED, f"internal error: {type(exc).__name__}",
                               {"code": "internal_error"})  # fmt: skip
            return
        await self._finish(run.id, RunStatus.SUCCEEDED, None, None)

    async def _start(self, run_id: uuid.UUID) -> tuple[BillingSource, IngestRun] | None:
        async with self.database.transaction() as session:
            run = await repository.run_for_update(session, run_id)
            if run is None or RunStatus(run.status).finished:
                return None
            source = await repository.source_of(session, run)
            if source is None:
                return None
            run.status, run.started_at, run.error, run.error_details = (
                RunStatus.RUNNING, utcnow(), None, None
            )  # fmt: skip
            run.periods_done, run.results = 0, []
            return source, run

    async def _finish(
        self, run_id: uuid.UUID, status: RunStatus, error: str | None,
        details: dict[str, Any] | None,
    ) -> None:  # fmt: skip
        async with self.database.transaction() as session:
            run = await repository.run_for_update(session, run_id)
            if run is not None:
                run.status, run.finished_at = status, utcnow()
                run.error, run.error_details = error, details
