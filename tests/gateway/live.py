"""The gateway served over a real socket, for websocket clients (gql's transports).

Served on the test's own event loop, with the lifespan left to the fixture
that already runs it: the app's NATS connection, event hub and in-process
service transports all live on that loop.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from gql import Client
from gql.transport.websockets import WebsocketsTransport

HOST = "127.0.0.1"


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan already running) on a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        yield f"http://{HOST}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


def ws_client(base_url: str, headers: dict[str, str]) -> Client:
    """A gql client over graphql-transport-ws, authenticated in ``connection_init``."""
    transport = WebsocketsTransport(
        url=base_url.replace("http://", "ws://") + "/graphql",
        init_payload=dict(headers),
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    return Client(transport=transport)


async def until(check: Callable[[], bool | Awaitable[bool]], timeout: float = 10) -> None:
    """Wait until ``check`` holds (e.g. a subscription reached the hub)."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if result if isinstance(result, bool) else await result:
                return
            await asyncio.sleep(0.02)
