"""The gateway's FastAPI app (``uvicorn --factory nephos_gateway.main:create_app``).

GraphQL at ``/graphql`` for the portal; every field resolves through typed
REST clients of the services, with the caller's own token forwarded.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from nephos_common.app import ServiceSpec, create_service_app
from nephos_common.messaging.nats import StreamSpec
from nephos_gateway.clients import ServicePools
from nephos_gateway.db import MESSAGING, Base
from nephos_gateway.directory.door import Door
from nephos_gateway.schema.router import graphql_router
from nephos_gateway.schema.subscription_hub import EventHub
from nephos_gateway.settings import Settings

EVENTS_STREAM = StreamSpec(name="GATEWAY", subjects=("gateway.>",))


def create_app(
    settings: Settings | None = None,
    *,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """``transports`` replaces the network to named services (``"asset"``, ...) in tests."""
    settings = settings or Settings()
    pools = ServicePools(settings, transports)
    app = create_service_app(
        ServiceSpec(
            title="Nephos gateway",
            description="The GraphQL API of Nephos, resolved over the services' REST APIs.",
            settings=settings,
            metadata=Base.metadata,
            tables=MESSAGING,
            routers=(graphql_router(settings),),
            streams=(EVENTS_STREAM,),
            extra_state={"pools": pools, "door": Door(settings)},
        )
    )
    _own_pools(app, pools)
    return app


def _own_pools(app: FastAPI, pools: ServicePools) -> None:
    """Open the connection pools around the common lifespan and close them after it;
    inside it (once NATS is set up), feed the subscriptions' event hub, which also tells
    the kept dashboard answers of every company's events."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with pools, inner(app):
            hub = EventHub(
                app.state.nats,
                app.state.settings.subscriber_queue_size,
                listeners=(pools.read_cache.on_event,),
            )
            app.state.event_hub = hub
            hub.start()
            try:
                yield
            finally:
                await hub.stop()

    app.router.lifespan_context = lifespan
