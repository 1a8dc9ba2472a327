"""The ``/graphql`` endpoint: HTTP queries and mutations, graphql-transport-ws only."""

from __future__ import annotations

from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from nephos_gateway.schema import build_schema
from nephos_gateway.schema.context import GatewayContext, get_context
from nephos_gateway.schema.subscription_auth import authenticate_connection
from nephos_gateway.settings import Settings

PATH = "/graphql"


class GatewayRouter(GraphQLRouter[GatewayContext, None]):
    async def on_ws_connect(self, context: GatewayContext) -> None:
        """A websocket is authenticated by its ``connection_init`` payload, or closed."""
        await authenticate_connection(context)


def graphql_router(settings: Settings) -> GraphQLRouter[GatewayContext, None]:
    # The legacy graphql-ws protocol is refused: its server is unmaintained upstream.
    return GatewayRouter(
        build_schema(settings),
        path=PATH,
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
        context_getter=get_context,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
