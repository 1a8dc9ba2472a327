"""How ingest runs are wired into the service: the work queue, its consumer, the
scheduler, and the client that asks the asset service for cloud sessions."""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.cloud_sessions import CloudSessions
from nephos_common.contracts.metering import JOBS_STREAM, IngestRequested
from nephos_common.crypto import SecretBox
from nephos_common.messaging.consumer import Subscription
from nephos_metering.db import MESSAGING
from nephos_metering.settings import Settings
from nephos_metering.sources.readers import ReadOptions
from nephos_metering.sources.scheduler import run_scheduler
from nephos_metering.sources.worker import IngestWorker

STREAMS = (JOBS_STREAM,)


async def open_cloud_sessions(app: FastAPI) -> None:
    """``app.state.asset_transport``, when set, carries the calls (an in-process asset app)."""
    settings: Settings = app.state.settings
    transport = getattr(app.state, "asset_transport", None)
    app.state.cloud_sessions = CloudSessions(settings, settings.asset_url, transport=transport)


def subscriptions(app: FastAPI) -> list[Subscription]:
    settings: Settings = app.state.settings
    worker = IngestWorker(
        database=app.state.database,
        sessions=app.state.cloud_sessions,
        options=ReadOptions(
            batch_rows=settings.ingest_batch_rows,
            box=SecretBox(settings.secret_key),
            chunk_bytes=settings.export_chunk_bytes,
        ),
    )
    return [
        Subscription(
            durable="metering-ingest-worker",
            stream=JOBS_STREAM.name,
            subject=IngestRequested.event_type,
            handler=worker.handle,
            batch=1,
            in_flight=settings.ingest_parallel_runs,
        )
    ]


async def scheduler(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    await run_scheduler(
        app.state.database, MESSAGING, app.state.relay, settings.ingest_scheduler_interval_seconds
    )
