"""Per-request GraphQL context: the verified caller, its service clients, its DataLoaders.

The caller is admitted once per request, when execution starts (the
``Authentication`` extension calls ``authorize``): the token is verified, the
directory decides the company and role, and a failure becomes a GraphQL error
(``extensions.code``) rather than a bare HTTP 401 that GraphQL clients handle
poorly. A document refused by validation never reaches the directory.
Services are called with a short-lived internal token carrying the decided
company and role, never with the user's own token.

DataLoaders are made per request on purpose: their cache must never serve
one caller's (one company's) rows to another.

Monitoring has no read of targets or alerts by asset ids, so its loaders
answer from ``GET /targets`` and ``GET /alerts``, each called at most once per
GraphQL request (``Once``) and indexed by asset id: ``assets { status alerts }``
costs two monitoring calls whatever the page size. ``GET /alerts`` answers
the newest 1,000 alerts of the company; older ones do not show on assets.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from nephos_common.auth import TENANT_HEADER, Principal
from nephos_common.db import Database
from nephos_common.errors import NephosError, Unauthenticated
from nephos_gateway.clients import ServicePools
from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients import monitoring_models as mon
from nephos_gateway.clients.asset import AssetClient, canonical_id
from nephos_gateway.clients.base import Caller, Downstream
from nephos_gateway.clients.metering import MeteringClient
from nephos_gateway.clients.monitoring import MonitoringClient
from nephos_gateway.clients.read_cache import ReadCache
from nephos_gateway.directory.door import Door, bearer_of
from nephos_gateway.directory.service import Access
from nephos_gateway.schema.metering_loaders import MeteringLoaders, build_metering_loaders
from nephos_gateway.schema.monitoring_batch import (
    MonitoringBatchLoaders,
    build_monitoring_batch_loaders,
)
from nephos_gateway.settings import Settings

T = TypeVar("T")


class Once(Generic[T]):
    """One call of ``fetch`` per request, shared by every awaiter (a failure is shared too)."""

    def __init__(self, fetch: Callable[[], Awaitable[T]]) -> None:
        self._fetch = fetch
        self._task: asyncio.Future[T] | None = None

    async def get(self) -> T:
        if self._task is None:
            self._task = asyncio.ensure_future(self._fetch())
        return await asyncio.shield(self._task)


@dataclass(frozen=True)
class Loaders:
    """Batching caches of one request: every ``load`` in one tick becomes one REST call."""

    assets: DataLoader[str, m.Asset | None]
    accounts: DataLoader[str, m.Account | None]
    memberships: DataLoader[str, list[str]]
    """Asset id -> ids of the service groups it is in."""
    groups: DataLoader[str, m.ServiceGroup | None]


@dataclass(frozen=True)
class MonitoringLoaders:
    """Monitoring reads of one request, each made once and indexed by asset id."""

    targets: Once[list[mon.Target]]
    alerts: Once[list[mon.Alert]]
    rules: Once[list[mon.Rule]]
    target_of: DataLoader[str, mon.Target | None]
    """Asset id -> its monitoring target, or None when monitoring does not watch it."""
    alerts_of: DataLoader[str, list[mon.Alert]]
    """Asset id -> its alerts, newest first."""
    rule: DataLoader[str, mon.Rule | None]


def build_monitoring_loaders(client: MonitoringClient) -> MonitoringLoaders:
    targets = Once(client.targets)
    alerts = Once(client.alerts)
    rules = Once(client.rules)

    async def load_targets(ids: list[str]) -> list[mon.Target | None]:
        found = {t.asset_id: t for t in await targets.get()}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_alerts(ids: list[str]) -> list[list[mon.Alert]]:
        by_asset: defaultdict[str, list[mon.Alert]] = defaultdict(list)
        for alert in await alerts.get():
            by_asset[alert.asset_id].append(alert)
        return [by_asset.get(canonical_id(i) or "", []) for i in ids]

    async def load_rules(ids: list[str]) -> list[mon.Rule | None]:
        found = {r.id: r for r in await rules.get()}
        return [found.get(canonical_id(i) or "") for i in ids]

    return MonitoringLoaders(
        targets=targets,
        alerts=alerts,
        rules=rules,
        target_of=DataLoader(load_fn=load_targets),
        alerts_of=DataLoader(load_fn=load_alerts),
        rule=DataLoader(load_fn=load_rules),
    )


def build_loaders(client: AssetClient) -> Loaders:
    async def load_assets(ids: list[str]) -> list[m.Asset | None]:
        found = {a.id: a for a in await client.assets_by_ids(ids)}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_accounts(ids: list[str]) -> list[m.Account | None]:
        # No batch read of accounts exists; a company has few, so one list call serves all.
        found = {a.id: a for a in await client.list_accounts()}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_memberships(ids: list[str]) -> list[list[str]]:
        found = await client.memberships(ids)
        return [found.get(canonical_id(i) or "", []) for i in ids]

    async def load_groups(ids: list[str]) -> list[m.ServiceGroup | None]:
        # Like accounts: a company has few groups, and one list call answers any number of ids.
        found = {g.id: g for g in await client.list_groups()}
        return [found.get(canonical_id(i) or "") for i in ids]

    return Loaders(
        assets=DataLoader(load_fn=load_assets),
        accounts=DataLoader(load_fn=load_accounts),
        memberships=DataLoader(load_fn=load_memberships),
        groups=DataLoader(load_fn=load_groups),
    )


class GatewayContext(BaseContext):
    """What every resolver may use; the clients and loaders refuse an unauthenticated request.

    Clients and loaders are made on first use: a document refused by
    validation never needs them.
    """

    def __init__(
        self,
        settings: Settings,
        pools: ServicePools,
        principal: Principal | None,
        auth_error: NephosError | None = None,
        traceparent: str | None = None,
        *,
        authorization: str | None = None,
        company: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.principal = principal
        self.auth_error = auth_error
        self.access: Access | None = None
        self._authorization = authorization
        self._company = company
        self._pools = pools
        self._traceparent = traceparent
        self._asset: AssetClient | None = None
        self._metering: MeteringClient | None = None
        self._monitoring: MonitoringClient | None = None
        self._loaders: Loaders | None = None
        self._monitoring_loaders: MonitoringLoaders | None = None

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("a bearer token is required")
        return self.principal

    async def authorize(self, company: str | None = None) -> None:
        """Admit the caller once: verify the token, then ask the directory (memoised).

        ``company``: the operation's ``@company``, which wins over the header.
        """
        if self.principal is not None or self.auth_error is not None:
            return
        self._company = company or self._company
        try:
            token = bearer_of(self._authorization)
            door: Door = self._app_state().door
            self.access = await door.admit(self.database, token, self._company)
        except NephosError as exc:
            self.auth_error = exc
            return
        self.principal = self.access.principal(token)

    async def sign_in(self, authorization: str | None, company: str | None = None) -> None:
        """Admit a caller whose credentials came otherwise than in headers (``connection_init``).

        Afterwards ``principal`` is set, or ``auth_error`` says why not.
        """
        self._authorization, self._company = authorization, company or None
        self.principal, self.auth_error, self.access = None, None, None
        await self.authorize()

    @property
    def admitted(self) -> Access:
        """The directory's decision; directory resolvers need the user's id, not only a role."""
        if self.access is None:
            raise self.auth_error or Unauthenticated("a bearer token is required")
        return self.access

    @property
    def database(self) -> Database:
        database: Database = self._app_state().database
        return database

    def directory_change(self) -> AbstractAsyncContextManager[AsyncSession]:
        """The transaction of a directory mutation: the door forgets what it kept."""
        door: Door = self._app_state().door
        return door.changing(self.database)

    def _app_state(self) -> Any:
        if self.request is None:
            raise RuntimeError("the context is used outside of a request")
        return self.request.app.state

    def _downstream_caller(self) -> Caller:
        """The company and role the gateway decided, in a short-lived internal token
        (asked of the door each time: a websocket's context may outlive one token)."""
        principal = self.caller
        door: Door = self._app_state().door
        return Caller(
            door.internal_token(principal),
            principal.tenant,
            role=principal.role.name,
            traceparent=self._traceparent,
        )

    def _client_parts(self, service: str) -> tuple[Downstream, Caller, ReadCache]:
        """What a service client is made of: the pool, the caller, the kept answers."""
        return self._pools[service], self._downstream_caller(), self._pools.read_cache

    @property
    def asset(self) -> AssetClient:
        if self._asset is None:
            self._asset = AssetClient(*self._client_parts("asset"))
        return self._asset

    @property
    def metering(self) -> MeteringClient:
        if self._metering is None:
            self._metering = MeteringClient(*self._client_parts("metering"))
        return self._metering

    @property
    def monitoring(self) -> MonitoringClient:
        if self._monitoring is None:
            client = MonitoringClient(*self._client_parts("monitoring"))
            self._monitoring = client
        return self._monitoring

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = build_loaders(self.asset)
        return self._loaders

    @cached_property
    def metering_loaders(self) -> MeteringLoaders:
        """Cost per asset and per group (``schema.metering_loaders``), made on first use."""
        return build_metering_loaders(self.metering)

    @property
    def monitoring_loaders(self) -> MonitoringLoaders:
        if self._monitoring_loaders is None:
            self._monitoring_loaders = build_monitoring_loaders(self.monitoring)
        return self._monitoring_loaders

    @cached_property
    def monitoring_batch(self) -> MonitoringBatchLoaders:
        """Monitoring reads by many ids (incidents, metrics, group status); see its module."""
        return build_monitoring_batch_loaders(self.monitoring)


async def get_context(connection: HTTPConnection) -> GatewayContext:
    """FastAPI dependency building the context of one GraphQL request; admission comes later.

    A coroutine, so that FastAPI runs it inline rather than on a worker thread."""
    return GatewayContext(
        settings=connection.app.state.settings,
        pools=connection.app.state.pools,
        principal=None,
        traceparent=connection.headers.get("traceparent"),
        authorization=connection.headers.get("Authorization"),
        company=connection.headers.get(TENANT_HEADER) or None,
    )
