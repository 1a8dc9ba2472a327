"""Typed REST clients of the services, over connection pools the app's lifespan owns."""

from __future__ import annotations

from types import TracebackType

import httpx

from nephos_gateway.clients.base import Downstream, open_pool
from nephos_gateway.clients.read_cache import ReadCache
from nephos_gateway.settings import Settings


class ServicePools:
    """One connection pool per downstream service, opened once per process.

    ``transports`` replaces the network for named services (tests run the real
    service app in-process through ``httpx.ASGITransport``). The process's
    kept dashboard answers (``read_cache``) live here too, beside the pools
    they save calls to.
    """

    def __init__(
        self, settings: Settings, transports: dict[str, httpx.AsyncBaseTransport] | None = None
    ) -> None:
        self._settings = settings
        self._transports = dict(transports or {})
        self._clients: dict[str, Downstream] = {}
        self.read_cache = ReadCache(settings.read_cache_seconds)

    def __getitem__(self, service: str) -> Downstream:
        try:
            return self._clients[service]
        except KeyError:
            raise RuntimeError(f"no open connection pool for {service!r}") from None

    async def __aenter__(self) -> ServicePools:
        s = self._settings
        for name, url in s.service_urls().items():
            self._clients[name] = open_pool(
                url,
                timeout=s.request_timeout_seconds,
                max_connections=s.max_connections,
                transport=self._transports.get(name),
            )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()
