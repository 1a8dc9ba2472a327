"""The monitoring service's FastAPI app (``uvicorn --factory nephos_monitoring.main:create_app``).

Cloud metrics, alert rules, incidents and notifications.
Its domain arrives in its own change; this app already owns its database,
migrations, health checks, outbox relay and event stream.
"""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.messaging.nats import StreamSpec
from nephos_monitoring.db import MESSAGING, Base
from nephos_monitoring.settings import Settings

EVENTS_STREAM = StreamSpec(name="MONITORING", subjects=("monitoring.>",))


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            title="Nephos monitoring",
            description="Cloud metrics, alert rules, incidents and notifications.",
            settings=settings or Settings(),
            metadata=Base.metadata,
            tables=MESSAGING,
            streams=(EVENTS_STREAM,),
        )
    )
