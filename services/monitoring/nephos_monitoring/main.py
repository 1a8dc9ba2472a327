"""The monitoring service's FastAPI app (``uvicorn --factory nephos_monitoring.main:create_app``).

Targets come from asset events; points from collection runs and the push
endpoint; rules are evaluated as points are stored; alert events leave
through the outbox on the MONITORING stream.
"""

from __future__ import annotations

from fastapi import FastAPI

from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.contracts.asset import EVENTS_STREAM as ASSET_STREAM
from nephos_common.contracts.monitoring import EVENTS_STREAM
from nephos_common.messaging.consumer import Subscription
from nephos_monitoring.alerts.no_data import run_no_data
from nephos_monitoring.alerts.router import router as alerts_router
from nephos_monitoring.collection import worker as collection
from nephos_monitoring.collection.jobs import JOBS_STREAM
from nephos_monitoring.collection.router import router as collection_router
from nephos_monitoring.collection.scheduler import run_collection_scheduler
from nephos_monitoring.db import MESSAGING, Base
from nephos_monitoring.escalation.router import router as escalation_router
from nephos_monitoring.escalation.worker import run_escalations
from nephos_monitoring.groups import consumer as groups
from nephos_monitoring.incidents import service as incidents
from nephos_monitoring.incidents.router import router as incidents_router
from nephos_monitoring.maintenance.router import router as maintenance_router
from nephos_monitoring.metrics.maintenance import run_maintenance
from nephos_monitoring.metrics.router import router as metrics_router
from nephos_monitoring.models import load_all
from nephos_monitoring.notifications.router import router as notifications_router
from nephos_monitoring.notifications.worker import run_notifications
from nephos_monitoring.otlp.router import router as otlp_router
from nephos_monitoring.overview.router import router as overview_router
from nephos_monitoring.settings import Settings
from nephos_monitoring.silences.router import router as silences_router
from nephos_monitoring.targets import consumer
from nephos_monitoring.targets.router import router as targets_router
from nephos_monitoring.utilisation.service import run_utilisation


def _subscriptions(app: FastAPI) -> list[Subscription]:
    return [
        collection.subscription(app),
        Subscription(
            durable=consumer.DURABLE,
            stream=ASSET_STREAM.name,
            subject=consumer.SUBJECT,
            handler=consumer.TargetsConsumer(MESSAGING).handle,
        ),
        Subscription(
            durable=incidents.DURABLE,
            stream=EVENTS_STREAM.name,
            subject=incidents.SUBJECT,
            handler=incidents.IncidentsConsumer(MESSAGING).handle,
        ),
        Subscription(
            durable=groups.DURABLE,
            stream=ASSET_STREAM.name,
            subject=groups.SUBJECT,
            handler=groups.GroupsConsumer(MESSAGING).handle,
        ),
    ]


def create_app(settings: Settings | None = None) -> FastAPI:
    load_all()
    return create_service_app(
        ServiceSpec(
            title="Nephos monitoring",
            description="Cloud metrics, alert rules, incidents and notifications.",
            settings=settings or Settings(),
            metadata=Base.metadata,
            tables=MESSAGING,
            routers=(
                targets_router,
                metrics_router,
                alerts_router,
                incidents_router,
                notifications_router,
                overview_router,
                collection_router,
                otlp_router,
                silences_router,
                maintenance_router,
                escalation_router,
            ),
            # The asset stream is ensured too: this consumer may start before the asset service.
            streams=(EVENTS_STREAM, ASSET_STREAM, JOBS_STREAM),
            subscriptions=_subscriptions,
            workers=(
                run_maintenance,
                run_notifications,
                run_no_data,
                run_escalations,
                run_collection_scheduler,
                run_utilisation,
            ),
            on_start=(collection.open_cloud_sessions,),
        )
    )
