"""One aiobotocore client per (service, region) for the length of a run.

Creating a client loads its service model and opens a connection pool, so
units of the same service and region share one. Every client counts its API
calls into the counter of the unit being collected (a context variable, so
concurrent units sharing a client keep separate counts).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from contextvars import ContextVar
from typing import Any

from aiobotocore.session import get_session

from nephos_asset.collectors.aws.access import AwsAccess, assume_role, client_config
from nephos_asset.collectors.aws.redaction import guard_sdk_loggers

api_call_counter: ContextVar[Counter[str] | None] = ContextVar("api_call_counter", default=None)


def _count_call(model: Any, **_: Any) -> None:
    """botocore ``before-call`` hook: fires once per API call, not per retry."""
    counter = api_call_counter.get()
    if counter is not None:
        counter[f"{model.service_model.service_name}.{model.name}"] += 1


class ClientPool:
    """Lazily created, shared clients; close them with ``aclose``."""

    def __init__(
        self, access: AwsAccess, *, max_attempts: int = 5, max_pool_connections: int = 32
    ) -> None:
        guard_sdk_loggers()
        self._access = access
        # Typed as Any: the stubs accept only literal service names, ours come from specs.
        self._session: Any = get_session()
        self._config = client_config(max_attempts, max_pool_connections)
        self._stack = AsyncExitStack()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = asyncio.Lock()
        self._credentials: dict[str, Any] | None = None
        self._credential_error: Exception | None = None

    async def client(self, service: str, region: str) -> Any:
        """The shared client for ``service`` in ``region``, created on first use."""
        key = (service, region)
        if key in self._clients:
            return self._clients[key]
        async with self._lock:
            if key not in self._clients:
                credentials = await self._resolve_credentials()
                client = await self._stack.enter_async_context(
                    self._session.create_client(
                        service,
                        region_name=region,
                        endpoint_url=self._access.endpoint_url,
                        config=self._config,
                        **credentials,
                    )
                )
                client.meta.events.register("before-call", _count_call)
                self._clients[key] = client
            return self._clients[key]

    async def _resolve_credentials(self) -> dict[str, Any]:
        """Key pair or assumed-role credentials; a failed assumption is not retried."""
        if self._credential_error is not None:
            raise self._credential_error
        if self._credentials is None:
            if self._access.role_arn is None:
                self._credentials = self._access.key_pair()
            else:
                try:
                    self._credentials = await assume_role(self._session, self._access, self._config)
                except Exception as exc:
                    self._credential_error = exc
                    raise
        return self._credentials

    async def aclose(self) -> None:
        """Close every client (and its connection pool)."""
        self._clients.clear()
        await self._stack.aclose()
