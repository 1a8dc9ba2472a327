"""One async management client per Azure service for the length of a run.

All clients share one credential (so one token per run) and are built the
same way: ARM endpoint and token scope from the access, retries lowered from
azure-core's default of 10 (Retry-After is honoured by azure-core itself),
and, only for a plain-http endpoint (the local stand-in), a bearer policy
that allows http. Every page fetched is counted into the counter of the unit
being collected (a context variable, so concurrent units keep separate
counts); retries are not counted, as with the AWS collector.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextvars import ContextVar
from functools import reduce
from typing import Any

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.pipeline import PipelineRequest
from azure.mgmt.compute.aio import ComputeManagementClient
from azure.mgmt.core.policies import AsyncARMChallengeAuthenticationPolicy
from azure.mgmt.mysqlflexibleservers.aio import MySQLManagementClient
from azure.mgmt.network.aio import NetworkManagementClient
from azure.mgmt.postgresqlflexibleservers.aio import PostgreSQLManagementClient
from azure.mgmt.redis.aio import RedisManagementClient
from azure.mgmt.resource.resources.aio import ResourceManagementClient
from azure.mgmt.sql.aio import SqlManagementClient
from azure.mgmt.storage.aio import StorageManagementClient

from nephos_asset.collectors.azure.access import AzureAccess, build_credential
from nephos_asset.collectors.azure.fields import Item

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


class PlainHttpBearerPolicy(AsyncARMChallengeAuthenticationPolicy):
    """ARM's bearer policy, allowed to send its token over http.

    azure-core refuses bearer tokens on non-https URLs. In azure-core 1.41
    ``enforce_https`` is read from each request's context (or a per-call
    ``enforce_https=False`` keyword), *not* from the policy's constructor,
    so it is set on every request here. Used only for the local stand-in.
    """

    async def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context["enforce_https"] = False
        await super().on_request(request)


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
                self.credential, self._access.subscription_id, **self._options()
            )
        return self._clients[name]

    def _options(self) -> dict[str, Any]:
        access = self._access
        options: dict[str, Any] = {
            "base_url": access.arm_url,
            "credential_scopes": access.scopes,
            "retry_total": self._retry_total,
            "retry_backoff_max": 30,
        }
        if access.plain_http:
            options["authentication_policy"] = PlainHttpBearerPolicy(
                self.credential, *access.scopes
            )
        return options

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
