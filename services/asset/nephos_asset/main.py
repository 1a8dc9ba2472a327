"""The asset service's FastAPI app (``uvicorn --factory nephos_asset.main:create_app``)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from nephos_asset.accounts.internal_router import router as internal_router
from nephos_asset.accounts.router import router as accounts_router
from nephos_asset.db import MESSAGING, Base
from nephos_asset.discovery.router import router as discovery_router
from nephos_asset.discovery.scheduler import run_scheduler
from nephos_asset.discovery.worker import DiscoveryWorker
from nephos_asset.groups.router import router as groups_router
from nephos_asset.history.router import router as history_router
from nephos_asset.inventory.router import router as inventory_router
from nephos_asset.models import load_all
from nephos_asset.settings import Settings
from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.contracts.asset import DiscoveryRequested
from nephos_common.crypto import SecretBox
from nephos_common.messaging.consumer import Subscription
from nephos_common.messaging.nats import StreamSpec

EVENTS_STREAM = StreamSpec(name="ASSET", subjects=("asset.>",))
JOBS_STREAM = StreamSpec(name="ASSET_JOBS", subjects=("jobs.asset.>",), work_queue=True)


def _subscriptions(app: FastAPI) -> list[Subscription]:
    settings: Settings = app.state.settings
    worker = DiscoveryWorker(
        database=app.state.database,
        tables=MESSAGING,
        box=app.state.secret_box,
        relay=app.state.relay,
        concurrency=settings.discovery_concurrency,
        max_attempts=settings.discovery_max_attempts,
    )
    return [
        Subscription(
            durable="asset-discovery-worker",
            stream=JOBS_STREAM.name,
            subject=DiscoveryRequested.event_type,
            handler=worker.handle,
            batch=1,
            in_flight=settings.discovery_parallel_runs,
        )
    ]


async def _scheduler(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    await run_scheduler(
        app.state.database, MESSAGING, app.state.relay, settings.scheduler_interval_seconds
    )


AZURE_HTTP_LOG = "azure.core.pipeline.policies.http_logging_policy"


def create_app(settings: Settings | None = None) -> FastAPI:
    load_all()
    # azure-core logs every request's headers at INFO; a scan makes thousands of calls.
    logging.getLogger(AZURE_HTTP_LOG).setLevel(logging.WARNING)
    settings = settings or Settings()
    return create_service_app(
        ServiceSpec(
            title="Nephos asset",
            description="Cloud accounts, discovery and the normalised inventory.",
            settings=settings,
            metadata=Base.metadata,
            tables=MESSAGING,
            routers=(
                accounts_router,
                discovery_router,
                inventory_router,
                history_router,
                groups_router,
                internal_router,
            ),
            streams=(EVENTS_STREAM, JOBS_STREAM),
            subscriptions=_subscriptions,
            workers=(_scheduler,),
            extra_state={"secret_box": SecretBox(settings.secret_key)},
        )
    )
