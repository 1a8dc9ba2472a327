"""One async management client per Azure service for the length of a run.

All clients share one credential (so one token per run) and are built with
the shared ARM options (``nephos_common.arm``). Every page fetched is counted
into the counter of the unit being collected (a context variable, so
concurrent units keep separate counts); retries are not counted, as with the
AWS collector.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextvars import ContextVar
from functools import reduce
from typing import Any

from azure.core.credentials_async import AsyncTokenCredential
from azure.mgmt.compute.aio import ComputeManagementClient
from azure.mgmt.mysqlflexibleservers.aio import MySQLManagementClient
from azure.mgmt.network.aio import NetworkManagementClient
from azure.mgmt.postgresqlflexibleservers.aio import PostgreSQLManagementClient
from azure.mgmt.redis.aio import RedisManagementClient
from azure.mgmt.resource.resources.aio import ResourceManagementClient
from azure.mgmt.sql.aio import SqlManagementClient
from azure.mgmt.storage.aio import StorageManagementClient

from nephos_asset.collectors.azure.access import AzureAccess, build_credential
from nephos_asset.collectors.azure.fields import Item
from nephos_common.arm import arm_client_options

api_call_counter: ContextVar[Counter[str] | None] = ContextVar(
    "azure_api_call_counter", default=None
)

CLIENTS: dict[str, type] = {
    "compute": ComputeManagementClient,
    "network": NetworkManagementClient,
    "storage": StorageManagementClient,
    "sql": SqlManagementClient,
    "postgresql": PostgreSQLManagementClient,
    "mysql": MySQLManagementClient,
    "redis": RedisManagementClient,
    "resource": ResourceManagementClient,
}


def wire(model: Any) -> Item:
    """An SDK model as ARM's JSON (camelCase keys, nested ``properties``).

    Newer SDKs (compute, network, sql, ...) build dict-like models whose
    ``as_dict`` gives the wire keys; msrest-era ones (mysql, redis) give
    snake-case attributes there, and the wire form only from ``serialize``.
    """
    if isinstance(model, dict):
        return model
    if hasattr(model, "_attribute_map"):
        return dict(model.serialize(keep_readonly=True))
    return dict(model.as_dict())


class ClientPool:
    """Lazily created, shared clients; close them with ``aclose``."""

    def __init__(self, access: AzureAccess, *, retry_total: int = 3) -> None:
        self._access = access
        self._retry_total = retry_total
        self._credential: AsyncTokenCredential | None = None
        self._clients: dict[str, Any] = {}

    @property
    def credential(self) -> AsyncTokenCredential:
        """The run's credential, built on first use (may raise ``ValueError``)."""
        if self._credential is None:
            self._credential = build_credential(self._access)
        return self._credential

    def client(self, name: str) -> Any:
        """The shared client for service ``name`` (a key of ``CLIENTS``)."""
        if name not in self._clients:
            self._clients[name] = CLIENTS[name](
                self.credential,
                self._access.subscription_id,
                **arm_client_options(
                    self.credential, self._access.arm_url, retry_total=self._retry_total
                ),
            )
        return self._clients[name]

    async def list_items(
        self, client: str, operation: str, *args: Any, **params: Any
    ) -> list[Item]:
        """Every item of every page of one list operation, as ARM JSON, pages counted."""
        method = reduce(getattr, operation.split("."), self.client(client))
        counter = api_call_counter.get()
        items: list[Item] = []
        async for page in method(*args, **params).by_page():
            if counter is not None:
                counter[f"{client}.{operation}"] += 1
            items.extend([wire(model) async for model in page])
        return items

    async def aclose(self) -> None:
        """Close every client (and its connection pool), then the credential."""
        clients, self._clients = list(self._clients.values()), {}
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        if self._credential is not None:
            await self._credential.close()
            self._credential = None
