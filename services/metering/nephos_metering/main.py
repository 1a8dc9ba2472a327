"""The metering service's FastAPI app (``uvicorn --factory nephos_metering.main:create_app``).

Billing ingest (AWS CUR from S3) into FOCUS-normalised costs, and the cost
questions of the metering dashboard.
"""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.messaging.nats import StreamSpec
from nephos_metering.costs.router import router as costs_router
from nephos_metering.db import MESSAGING, Base
from nephos_metering.ingest.router import router as ingest_router
from nephos_metering.models import load_all
from nephos_metering.settings import Settings

EVENTS_STREAM = StreamSpec(name="METERING", subjects=("metering.>",))


def create_app(settings: Settings | None = None) -> FastAPI:
    load_all()
    return create_service_app(
        ServiceSpec(
            title="Nephos metering",
            description="Billing ingest, FOCUS-normalised costs, budgets and invoices.",
            settings=settings or Settings(),
            metadata=Base.metadata,
            tables=MESSAGING,
            routers=(ingest_router, costs_router),
            streams=(EVENTS_STREAM,),
        )
    )
