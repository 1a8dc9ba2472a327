"""The metering service's FastAPI app (``uvicorn --factory nephos_metering.main:create_app``).

Billing ingest (AWS CUR from S3) into FOCUS-normalised costs, and the cost
questions of the metering dashboard.
"""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.contracts.metering import EVENTS_STREAM
from nephos_metering import sweep
from nephos_metering.allocation import subscriptions as allocation
from nephos_metering.allocation.router import router as allocation_router
from nephos_metering.anomalies import consumer as anomalies
from nephos_metering.anomalies.router import router as anomalies_router
from nephos_metering.budgets import consumer as budgets
from nephos_metering.budgets.router import router as budgets_router
from nephos_metering.costs.router import router as costs_router
from nephos_metering.costsets.router import router as costsets_router
from nephos_metering.costtags import jobs as costtag_jobs
from nephos_metering.costtags.router import keys_router as tag_keys_router
from nephos_metering.costtags.router import router as costtags_router
from nephos_metering.db import MESSAGING, Base
from nephos_metering.exports.router import router as exports_router
from nephos_metering.ingest.router import router as ingest_router
from nephos_metering.invoices.router import router as invoices_router
from nephos_metering.models import load_all
from nephos_metering.recommendations.router import router as recommendations_router
from nephos_metering.settings import Settings
from nephos_metering.sources import jobs as source_jobs
from nephos_metering.sources.router import router as sources_router


def create_app(settings: Settings | None = None) -> FastAPI:
    load_all()
    return create_service_app(
        ServiceSpec(
            title="Nephos metering",
            description="Billing ingest, FOCUS-normalised costs, budgets and invoices.",
            settings=settings or Settings(),
            metadata=Base.metadata,
            tables=MESSAGING,
            routers=(
                ingest_router,
                costs_router,
                allocation_router,
                exports_router,
                invoices_router,
                recommendations_router,
                sources_router,
                budgets_router,
                anomalies_router,
                costsets_router,
                costtags_router,
                tag_keys_router,
            ),
            streams=(EVENTS_STREAM, *allocation.STREAMS, *source_jobs.STREAMS),
            subscriptions=lambda app: [
                *allocation.subscriptions(app),
                *source_jobs.subscriptions(app),
                *costtag_jobs.subscriptions(app),
                *budgets.subscriptions(app),
                *anomalies.subscriptions(app),
            ],
            workers=(source_jobs.scheduler, sweep.sweeper),
            on_start=(source_jobs.open_cloud_sessions,),
        )
    )
