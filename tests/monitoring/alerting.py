"""Helpers of the alerting tests: a local HTTP receiver, and short calls to the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fixtures.monitoring import MonitoringService


@dataclass
class Receiver:
    base: str
    received: list[dict[str, Any]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [r["path"] for r in self.received]


@asynccontextmanager
async def http_receiver() -> AsyncIterator[Receiver]:
    """A real HTTP server on 127.0.0.1 that records every JSON POST and answers 200."""
    receiver = Receiver(base="")

    async def hook(request: web.Request) -> web.Response:
        receiver.received.append({"path": request.path, "body": await request.json()})
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/{name}", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    receiver.base = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def call(
    service: MonitoringService,
    method: str,
    path: str,
    body: Any = None,
    *,
    tenant: str = "acme",
    role: str = "admin",
    expect: int = 200,
) -> Any:
    answer = await service.client.request(
        method, path, json=body, headers=service.auth(tenant, role)
    )
    assert answer.status_code == expect, answer.text
    return answer.json() if answer.content else None


async def webhook(service: MonitoringService, receiver: Receiver, name: str) -> str:
    body = {"name": name, "config": {"kind": "webhook", "url": f"{receiver.base}/{name}"}}
    channel: dict[str, Any] = await call(service, "POST", "/channels", body, expect=201)
    return str(channel["id"])


async def rule(service: MonitoringService, tenant: str = "acme", **fields: Any) -> dict[str, Any]:
    body = {"name": "cpu high", "metric": "cpu_percent", "threshold": 80, **fields}
    created: dict[str, Any] = await call(service, "POST", "/rules", body, tenant=tenant, expect=201)
    return created


async def items(service: MonitoringService, path: str, tenant: str = "acme") -> list[Any]:
    found: list[Any] = (await call(service, "GET", path, tenant=tenant))["items"]
    return found
