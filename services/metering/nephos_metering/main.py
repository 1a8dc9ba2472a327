"""The metering service's FastAPI app (``uvicorn --factory nephos_metering.main:create_app``).

Billing ingest, FOCUS-normalised costs, budgets and invoices.
Its domain arrives in its own change; this app already owns its database,
migrations, health checks, outbox relay and event stream.
"""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.messaging.nats import StreamSpec
from nephos_metering.db import MESSAGING, Base
from nephos_metering.settings import Settings

EVENTS_STREAM = StreamSpec(name="METERING", subjects=("metering.>",))


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            title="Nephos metering",
            description="Billing ingest, FOCUS-normalised costs, budgets and invoices.",
            settings=settings or Settings(),
            metadata=Base.metadata,
            tables=MESSAGING,
            streams=(EVENTS_STREAM,),
        )
    )
